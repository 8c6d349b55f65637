"""The project catalogue pages: public list, search, filters, detail; officers add and edit."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from tests.investment.conftest import InvestmentWorld
from xiqia.investment import services
from xiqia.investment.models import Park, Project


def project(inv: InvestmentWorld, title_zh: str, published: bool = True, **extra) -> Project:
    return services.project_create(
        actor=None,
        region=extra.pop("region", inv.liangjiang),
        title_zh=title_zh,
        is_published=published,
        **extra,
    )


def rows(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'data-title="([^"]*)"', html)


@pytest.fixture
def mu_er(inv: InvestmentWorld) -> Park:
    return Park.objects.create(region=inv.liangjiang, name_zh="木耳航空物流园", name_en="Mu'er")


def test_catalogue_search_finds_chinese_compound_words(inv: InvestmentWorld) -> None:
    project(inv, "航空物流园冷链中心", title_en="Cold-chain centre", description_en="Air freight")
    project(inv, "智能终端配套厂房")

    response = Client().get("/investment/", {"q": "物流"})

    assert response.status_code == 200
    assert rows(response) == ["航空物流园冷链中心"]


def test_catalogue_search_finds_english_words(inv: InvestmentWorld) -> None:
    project(inv, "航空物流园冷链中心", title_en="Cold-chain logistics centre")
    project(inv, "智能终端配套厂房", title_en="Device plant")

    response = Client().get("/investment/", {"q": "Logistics"})

    assert rows(response) == ["航空物流园冷链中心"]


def test_catalogue_hides_unpublished_projects_from_the_public(inv: InvestmentWorld) -> None:
    project(inv, "公开项目")
    project(inv, "草稿项目", published=False)

    assert rows(Client().get("/investment/")) == ["公开项目"]
    officer = inv.world.client_for("yubei_officer")
    assert sorted(rows(officer.get("/investment/"))) == ["公开项目", "草稿项目"]
    assert inv.world.client_for("jiulongpo_officer").get("/investment/").status_code == 200
    assert rows(inv.world.client_for("jiulongpo_officer").get("/investment/")) == ["公开项目"]


def test_catalogue_filters_by_park_cluster_and_status(inv: InvestmentWorld, mu_er: Park) -> None:
    project(inv, "园区项目", park=mu_er)
    project(inv, "集群项目", cluster=inv.cluster, status="negotiating")

    assert rows(Client().get("/investment/", {"park": mu_er.pk})) == ["园区项目"]
    assert rows(Client().get("/investment/", {"cluster": inv.cluster.pk})) == ["集群项目"]
    assert rows(Client().get("/investment/", {"status": "negotiating"})) == ["集群项目"]


def test_catalogue_region_filter_includes_the_predecessor(inv: InvestmentWorld) -> None:
    project(inv, "两江项目")
    project(inv, "九龙坡项目", region=inv.jiulongpo)

    response = Client().get("/investment/", {"region": inv.liangjiang.pk})

    assert rows(response) == ["两江项目"]


def test_catalogue_htmx_returns_only_the_rows(inv: InvestmentWorld) -> None:
    project(inv, "航空物流园冷链中心")

    response = Client().get("/investment/", {"q": "物流"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html
    assert 'data-title="航空物流园冷链中心"' in html


def test_catalogue_paginates_twenty_per_page(inv: InvestmentWorld) -> None:
    for i in range(21):
        project(inv, f"项目{i:02d}")

    first = Client().get("/investment/")
    second = Client().get("/investment/", {"page": 2})

    assert len(rows(first)) == 20
    assert rows(second) == ["项目00"]


def test_project_detail_shows_the_language_of_the_page(inv: InvestmentWorld) -> None:
    found = project(
        inv,
        "航空物流园",
        title_en="Aviation logistics park",
        description_zh="中文介绍",
        description_en="English text",
        contact_phone="13800138000",
    )
    client = Client()

    zh = client.get(f"/investment/projects/{found.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = client.get(f"/investment/projects/{found.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    assert "中文介绍" in zh.content.decode() and "English text" not in zh.content.decode()
    assert "English text" in en.content.decode() and "中文介绍" not in en.content.decode()
    assert "13800138000" not in zh.content.decode()
    assert "138****8000" in zh.content.decode()


def test_project_detail_of_a_draft_is_hidden_from_the_public(inv: InvestmentWorld) -> None:
    draft = project(inv, "草稿", published=False)

    assert Client().get(f"/investment/projects/{draft.pk}/").status_code == 404
    officer = inv.world.client_for("liangjiang_officer")
    assert officer.get(f"/investment/projects/{draft.pk}/").status_code == 200


def form_data(inv: InvestmentWorld, **extra) -> dict:
    data = {
        "region": inv.liangjiang.pk,
        "title_zh": "航空物流园分拨中心",
        "title_en": "Sorting centre",
        "investment_sought": "5",
        "investment_sought_unit": "yi",
        "status": "open",
        "is_published": "on",
        "contact_phone": "13800138000",
    }
    data.update(extra)
    return data


def test_officer_adds_a_project_to_the_catalogue(inv: InvestmentWorld) -> None:
    client = inv.world.client_for("yubei_officer")

    response = client.post("/investment/projects/new/", form_data(inv))

    created = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/investment/projects/{created.pk}/"
    assert created.investment_sought == Decimal(500_000_000)
    assert created.is_published is True
    assert created.contact_phone.reveal() == "13800138000"
    assert rows(Client().get("/investment/", {"q": "物流"})) == ["航空物流园分拨中心"]


def test_officer_cannot_add_a_project_in_another_region(inv: InvestmentWorld) -> None:
    client = inv.world.client_for("jiulongpo_officer")

    response = client.post("/investment/projects/new/", form_data(inv))

    assert response.status_code == 200
    assert 'data-error-for="region"' in response.content.decode()
    assert Project.objects.count() == 0


def test_project_form_shows_the_service_refusal_on_the_field(inv: InvestmentWorld) -> None:
    other = Park.objects.create(region=inv.jiulongpo, name_zh="九龙坡园区")
    client = inv.world.client_for("admin")

    response = client.post(
        "/investment/projects/new/", form_data(inv, park=other.pk), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert Project.objects.count() == 0
    html = response.content.decode()
    error = '<div class="invalid-feedback d-block" data-error-for="park">'
    assert f"{error}The park is not in this region.</div>" in html


def test_officer_edits_and_unpublishes_a_project(inv: InvestmentWorld) -> None:
    found = project(inv, "旧标题", contact_phone="13800138000")
    client = inv.world.client_for("liangjiang_officer")

    response = client.post(
        f"/investment/projects/{found.pk}/edit/",
        form_data(inv, title_zh="新标题", is_published="", contact_phone=""),
    )

    found.refresh_from_db()
    assert response.status_code == 302
    assert (found.title_zh, found.is_published) == ("新标题", False)
    assert found.contact_phone.reveal() == "13800138000"  # empty keeps it


def test_edit_refused_by_the_service_changes_nothing(inv: InvestmentWorld) -> None:
    found = project(inv, "旧标题", published=False)
    client = inv.world.client_for("liangjiang_officer")

    response = client.post(
        f"/investment/projects/{found.pk}/edit/",
        form_data(inv, title_zh="新标题", status="withdrawn", is_published="on"),
    )

    found.refresh_from_db()
    assert response.status_code == 200
    assert "A withdrawn project cannot be published." in response.content.decode()
    assert (found.title_zh, found.status, found.is_published) == ("旧标题", "open", False)


def test_edit_page_of_another_region_is_forbidden(inv: InvestmentWorld) -> None:
    found = project(inv, "两江项目")

    response = inv.world.client_for("jiulongpo_officer").get(
        f"/investment/projects/{found.pk}/edit/"
    )

    assert response.status_code == 403


def test_catalogue_count_stops_at_the_cap(inv: InvestmentWorld, monkeypatch) -> None:
    from xiqia.investment.views import catalogue

    monkeypatch.setattr(catalogue, "COUNT_CAP", 3)
    for i in range(5):
        project(inv, f"物流项目{i}")

    html = Client().get("/investment/", {"q": "物流"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'data-result-count="3+"' in html
    assert "More than 3 projects" in html
    assert len(rows(Client().get("/investment/", {"q": "物流"}))) == 3
