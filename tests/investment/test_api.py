"""The investment API: catalogue search, recording deals and milestones, KPIs, query counts."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_org
from tests.investment.conftest import PDF, YI, InvestmentWorld, evidence
from xiqia.investment import services
from xiqia.investment.models import Deal, Milestone, Project


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def project(inv: InvestmentWorld, title: str, published: bool = True) -> Project:
    return services.project_create(
        actor=None, region=inv.liangjiang, title_zh=title, is_published=published
    )


# Projects -------------------------------------------------------------------------------------


def test_projects_api_search_finds_chinese_words_for_the_public(inv: InvestmentWorld) -> None:
    project(inv, "航空物流园冷链仓储项目")
    project(inv, "智能终端配套产业园")
    project(inv, "物流草稿", published=False)

    response = Client().get("/api/v1/investment/projects/", {"q": "物流"})

    assert response.status_code == 200
    assert [row["title_zh"] for row in response.json()["results"]] == ["航空物流园冷链仓储项目"]


def test_projects_api_create_by_the_officer(inv: InvestmentWorld) -> None:
    client = inv.world.client_for("yubei_officer")
    response = post(
        client,
        "/api/v1/investment/projects/",
        {
            "region": "500157",
            "title_zh": "航空物流园分拨中心",
            "park": inv.park.pk,
            "investment_sought": "500000000.00",
            "contact_phone": "13800138000",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["region"], body["park"], body["investment_sought"], body["is_published"]) == (
        "500157",
        inv.park.pk,
        "500000000.00",
        False,
    )
    assert body["contact_phone"] == "138****8000"


def test_projects_api_create_elsewhere_is_forbidden(inv: InvestmentWorld) -> None:
    client = inv.world.client_for("jiulongpo_officer")
    response = post(client, "/api/v1/investment/projects/", {"region": "500157", "title_zh": "x"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert Project.objects.count() == 0


def test_projects_api_patch_and_publish(inv: InvestmentWorld) -> None:
    draft = project(inv, "渝北草稿", published=False)
    client = inv.world.client_for("liangjiang_officer")

    patched = client.patch(
        f"/api/v1/investment/projects/{draft.pk}/",
        data=json.dumps({"title_zh": "渝北物流项目"}),
        content_type="application/json",
    )
    published = post(client, f"/api/v1/investment/projects/{draft.pk}/publish/", {})

    assert patched.status_code == 200
    assert published.json()["is_published"] is True
    found = Client().get("/api/v1/investment/projects/", {"q": "物流"}).json()["results"]
    assert [row["id"] for row in found] == [draft.pk]


def test_projects_api_a_draft_is_invisible_to_the_public(inv: InvestmentWorld) -> None:
    draft = project(inv, "渝北草稿", published=False)
    assert Client().get(f"/api/v1/investment/projects/{draft.pk}/").status_code == 404


# Deals and milestones -------------------------------------------------------------------------


def deal_body(inv: InvestmentWorld, **extra: Any) -> dict[str, Any]:
    body = {
        "investor": inv.investor.pk,
        "host_region": "500112",
        "amount": "200000000",
        "kind": "contract",
        "signed_at": "2021-05-20",
        "title_zh": "智能终端产业园",
        "event": inv.opening.pk,
        "cluster": inv.cluster.pk,
    }
    body.update(extra)
    return body


def test_deals_api_records_an_upgrade_counting_the_increment(inv: InvestmentWorld) -> None:
    client = inv.world.client_for("yubei_officer")
    first = post(client, "/api/v1/investment/deals/", deal_body(inv, kind="intention"))
    upgrade = post(
        client,
        "/api/v1/investment/deals/",
        deal_body(inv, amount="350000000", signed_at="2021-05-22", event=inv.promotion.pk),
    )

    assert first.status_code == 201, first.content
    assert upgrade.status_code == 201, upgrade.content
    body = upgrade.json()
    assert (body["previous"], body["counted_amount"], body["credited_event"]) == (
        first.json()["id"],
        "150000000.00",
        inv.opening.pk,
    )
    assert body["officer"] == "Yubei_Officer"
    assert body["construction_due_on"] == "2021-11-22"


def test_deals_api_refusal_has_the_error_format(inv: InvestmentWorld) -> None:
    client = inv.world.client_for("yubei_officer")
    response = post(client, "/api/v1/investment/deals/", deal_body(inv, signed_at="2021-06-30"))
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["signed_at"]
    assert Deal.objects.count() == 0


def test_milestones_api_records_a_step_with_its_evidence(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    client = inv.world.client_for("yubei_officer")

    response = client.post(
        "/api/v1/investment/milestones/",
        {
            "deal": deal.pk,
            "step": "registered",
            "date": "2021-06-01",
            "evidence_kind": "licence",
            "evidence": SimpleUploadedFile("licence.pdf", PDF, "application/pdf"),
        },
    )
    skipped = client.post(
        "/api/v1/investment/milestones/",
        {
            "deal": deal.pk,
            "step": "in_production",
            "date": "2021-07-01",
            "evidence_kind": "photo",
            "evidence": SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0", "image/jpeg"),
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["officer"] == "Yubei_Officer"
    assert skipped.status_code == 400
    assert skipped.json()["error"]["code"] == "step_out_of_order"
    assert Milestone.objects.count() == 1


def test_milestones_api_by_another_district_is_refused(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    response = inv.world.client_for("jiulongpo_officer").post(
        "/api/v1/investment/milestones/",
        {
            "deal": deal.pk,
            "step": "registered",
            "date": "2021-06-01",
            "evidence_kind": "licence",
            "evidence": SimpleUploadedFile("licence.pdf", PDF),
        },
    )
    assert response.status_code == 403
    assert Milestone.objects.count() == 0


def test_deals_api_funds_and_documents(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    client = inv.world.client_for("yubei_officer")

    funds = post(
        client,
        f"/api/v1/investment/deals/{deal.pk}/funds/",
        {"amount": "50000000", "as_of": "2021-12-31"},
    )
    document = client.post(
        f"/api/v1/investment/deals/{deal.pk}/documents/",
        {"file": SimpleUploadedFile("contract.pdf", PDF), "kind": "agreement"},
    )

    assert funds.json()["funds_in_place"] == "50000000.00"
    assert document.status_code == 201
    assert document.json()["title"] == "contract.pdf"


def test_deals_api_refuses_a_document_that_is_not_what_it_says(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    client = inv.world.client_for("yubei_officer")

    response = client.post(
        f"/api/v1/investment/deals/{deal.pk}/documents/",
        {"file": SimpleUploadedFile("contract.pdf", b"MZ\x90\x00"), "kind": "agreement"},
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["file"]
    assert deal.documents.count() == 0


# KPIs -----------------------------------------------------------------------------------------


def kpi_world(inv: InvestmentWorld) -> None:
    # 2亿 at the published opening; 3亿 outside any fair (only insiders see it).
    inv.deal()
    inv.deal(title_zh="会外项目", amount=3 * YI, event=None, signed_at=datetime.date(2021, 8, 1))


def test_kpis_api_analyst_reads_everything_with_definitions(inv: InvestmentWorld) -> None:
    kpi_world(inv)
    response = inv.world.client_for("analyst").get(
        "/api/v1/investment/kpis/", {"by": "event", "as_of": "2022-06-30"}
    )

    body = response.json()
    assert response.status_code == 200
    assert body["published_only"] is False
    assert (body["summary"]["deals_signed"], body["summary"]["amount_signed"]) == (
        2,
        "500000000.00",
    )
    # Both contracts are past their start deadline (20 Nov 2021, 1 Feb 2022) without a start.
    assert (body["summary"]["overdue_start"], body["summary"]["performance_rate"]) == (
        2,
        "0.0000",
    )
    assert [(r["key"], r["amount_signed"]) for r in body["rows"]] == [
        (None, "300000000.00"),
        (inv.opening.pk, "200000000.00"),
    ]
    assert set(body["definitions"]) >= {"performance_rate", "start_rate", "production_rate"}


def test_kpis_api_public_reads_the_published_results(inv: InvestmentWorld) -> None:
    kpi_world(inv)
    body = Client().get("/api/v1/investment/kpis/").json()
    assert body["published_only"] is True
    assert (body["summary"]["deals_signed"], body["summary"]["amount_signed"]) == (
        1,
        "200000000.00",
    )


@pytest.mark.parametrize(
    ("role", "region", "published_only", "deals"),
    [
        ("yubei_officer", "500112", False, 2),
        ("jiulongpo_officer", "500112", True, 1),
        ("jiulongpo_officer", "500107", False, 0),
    ],
)
def test_kpis_api_officers_read_their_region_in_full(
    inv: InvestmentWorld, role: str, region: str, published_only: bool, deals: int
) -> None:
    kpi_world(inv)
    body = inv.world.client_for(role).get("/api/v1/investment/kpis/", {"region": region}).json()
    assert (body["published_only"], body["summary"]["deals_signed"]) == (published_only, deals)


def test_kpis_api_unknown_breakdown_is_refused(inv: InvestmentWorld) -> None:
    response = Client().get("/api/v1/investment/kpis/", {"by": "colour"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["by"]


# Query counts ---------------------------------------------------------------------------------


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        assert response.status_code == 200, response.content
    return len(captured)


def grow(inv: InvestmentWorld, n: int, start: int) -> None:
    for i in range(start, start + n):
        investor = make_org(f"投资方{i}", "500000")
        services.project_create(
            actor=None,
            region=inv.liangjiang,
            title_zh=f"物流项目{i}",
            park=inv.park,
            cluster=inv.cluster,
            is_published=True,
        )
        deal = inv.deal(investor=investor, title_zh=f"签约{i}")
        services.milestone_record(
            actor=None,
            deal=deal,
            step="registered",
            date=datetime.date(2021, 6, 1),
            evidence=evidence(),
            evidence_kind="licence",
        )
        cluster = services.Cluster.objects.create(region=inv.yubei, name_zh=f"集群{i}")
        inv.park.clusters.add(cluster)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/investment/clusters/",
        "/api/v1/investment/projects/?q=物流",
        "/api/v1/investment/projects/?region=500157",
        "/api/v1/investment/deals/",
        "/api/v1/investment/deals/?region=500157&overdue=1",
        "/api/v1/investment/milestones/",
        "/api/v1/investment/kpis/?by=cluster",
    ],
)
def test_investment_api_list_query_count_is_constant(inv: InvestmentWorld, path: str) -> None:
    client = inv.world.client_for("yubei_officer")
    grow(inv, 1, 0)
    client.get(path)
    with_one = queries(client, path)

    grow(inv, 2, 1)
    with_three = queries(client, path)

    assert with_one == with_three


def test_deals_api_list_amounts_are_strings(inv: InvestmentWorld) -> None:
    inv.deal(amount=Decimal("123456789.5"))
    row = Client().get("/api/v1/investment/deals/").json()["results"][0]
    assert (row["amount"], row["counted_amount"], row["stage"]) == (
        "123456789.50",
        "123456789.50",
        "signed",
    )
