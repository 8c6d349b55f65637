"""The deal pages: the officer's list with overdue flags, recording a deal, the pipeline."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.investment.conftest import PDF, YI, InvestmentWorld, evidence
from xiqia.investment import services
from xiqia.investment.models import Deal, DealDocument, Milestone


def deal_rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-deal="(\d+)"', response.content.decode())]


def upload(name: str = "licence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def deal_form(inv: InvestmentWorld, **extra) -> dict:
    data = {
        "investor": inv.investor.pk,
        "host_region": inv.yubei.pk,
        "cluster": inv.cluster.pk,
        "park": inv.park.pk,
        "title_zh": "智能终端产业园",
        "amount": "20",
        "amount_unit": "yi",
        "kind": "contract",
        "signed_at": "2021-05-20",
        "event": inv.opening.pk,
        "document_kind": "agreement",
        "document": upload("agreement.pdf"),
    }
    data.update(extra)
    return data


# The list --------------------------------------------------------------------------------------


def test_deal_list_needs_sign_in(inv: InvestmentWorld) -> None:
    response = Client().get("/investment/deals/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_deal_list_shows_an_officer_only_their_region(inv: InvestmentWorld) -> None:
    # Signed outside a fair: not a fair's published result, which everyone may see.
    yubei = inv.deal(event=None)
    elsewhere = inv.deal(host_region=inv.jiulongpo, cluster=None, title_zh="九龙坡项目", event=None)

    assert deal_rows(inv.world.client_for("yubei_officer").get("/investment/deals/")) == [yubei.pk]
    assert deal_rows(inv.world.client_for("jiulongpo_officer").get("/investment/deals/")) == [
        elsewhere.pk
    ]
    assert sorted(deal_rows(inv.world.client_for("analyst").get("/investment/deals/"))) == sorted(
        [yubei.pk, elsewhere.pk]
    )


def test_deal_list_of_an_officer_starts_at_their_district_and_widens(
    inv: InvestmentWorld,
) -> None:
    own = inv.deal(event=None)
    # Signed at a published event: a published result every officer may see.
    elsewhere = inv.deal(host_region=inv.jiulongpo, cluster=None, title_zh="九龙坡项目")
    client = inv.world.client_for("yubei_officer")

    default = client.get("/investment/deals/")
    widened = client.get("/investment/deals/?scope=all")
    chosen = client.get(f"/investment/deals/?region={inv.jiulongpo.pk}")

    assert deal_rows(default) == [own.pk]
    assert "scope" in default.context["form"].fields
    assert sorted(deal_rows(widened)) == sorted([own.pk, elsewhere.pk])
    assert deal_rows(chosen) == [elsewhere.pk]


def test_deal_list_of_an_analyst_shows_every_deal_without_a_district_filter(
    inv: InvestmentWorld,
) -> None:
    own = inv.deal(event=None)
    elsewhere = inv.deal(host_region=inv.jiulongpo, cluster=None, title_zh="九龙坡项目")

    response = inv.world.client_for("analyst").get("/investment/deals/")

    assert sorted(deal_rows(response)) == sorted([own.pk, elsewhere.pk])
    assert "scope" not in response.context["form"].fields


def test_deal_list_flags_and_filters_overdue_deals(inv: InvestmentWorld) -> None:
    overdue = inv.deal()  # contract of 20 May 2021: construction due by 20 Nov 2021
    started = inv.deal(title_zh="已开工项目")
    services.milestone_record(
        actor=None,
        deal=started,
        step="registered",
        date=datetime.date(2021, 6, 1),
        evidence=evidence(),
        evidence_kind="licence",
    )
    services.milestone_record(
        actor=None,
        deal=started,
        step="construction_started",
        date=datetime.date(2021, 9, 1),
        evidence=evidence("photo.jpg"),
        evidence_kind="photo",
    )
    client = inv.world.client_for("yubei_officer")

    html = client.get("/investment/deals/").content.decode()
    only_overdue = client.get("/investment/deals/", {"overdue": "on"})
    started_stage = client.get("/investment/deals/", {"stage": "construction_started"})

    assert re.search(rf'<tr data-deal="{overdue.pk}" class="table-warning">', html)
    assert f'<tr data-deal="{started.pk}">' in html
    assert html.count("data-overdue") == 1
    assert deal_rows(only_overdue) == [overdue.pk]
    assert deal_rows(started_stage) == [started.pk]


def test_deal_list_filters_by_year_and_cluster(inv: InvestmentWorld) -> None:
    in_cluster = inv.deal()
    other = inv.deal(
        cluster=None, title_zh="无集群项目", event=None, signed_at=datetime.date(2022, 3, 1)
    )
    client = inv.world.client_for("analyst")

    assert deal_rows(client.get("/investment/deals/", {"cluster": inv.cluster.pk})) == [
        in_cluster.pk
    ]
    assert deal_rows(client.get("/investment/deals/", {"year": 2022})) == [other.pk]


# Recording a deal ------------------------------------------------------------------------------


def test_officer_records_a_deal_signed_at_a_fair_event(inv: InvestmentWorld) -> None:
    client = inv.world.client_for("yubei_officer")

    response = client.post("/investment/deals/new/", deal_form(inv))

    deal = Deal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/investment/deals/{deal.pk}/"
    assert (deal.amount, deal.credited_event, deal.officer) == (
        20 * YI,
        inv.opening,
        inv.world.users["yubei_officer"],
    )
    document = DealDocument.objects.get()
    assert (document.deal, document.kind, document.title) == (deal, "agreement", "agreement.pdf")
    page = client.get(f"/investment/deals/{deal.pk}/").content.decode()
    assert f"/investment/deals/{deal.pk}/documents/{document.pk}/" in page
    download = client.get(f"/investment/deals/{deal.pk}/documents/{document.pk}/")
    assert b"".join(download.streaming_content) == PDF


def test_deal_outside_the_fair_dates_saves_nothing(inv: InvestmentWorld) -> None:
    client = inv.world.client_for("yubei_officer")

    response = client.post("/investment/deals/new/", deal_form(inv, signed_at="2021-06-01"))

    assert response.status_code == 200
    assert 'data-error-for="signed_at"' in response.content.decode()
    assert Deal.objects.count() == 0
    assert DealDocument.objects.count() == 0


def test_deal_with_a_park_of_another_region_saves_nothing(inv: InvestmentWorld) -> None:
    client = inv.world.client_for("admin")

    response = client.post(
        "/investment/deals/new/", deal_form(inv, host_region=inv.jiulongpo.pk, cluster="")
    )

    assert response.status_code == 200
    assert "The park is not in this region." in response.content.decode()
    assert Deal.objects.count() == 0


def test_officer_cannot_record_a_deal_in_another_region(inv: InvestmentWorld) -> None:
    client = inv.world.client_for("jiulongpo_officer")

    response = client.post("/investment/deals/new/", deal_form(inv))

    assert response.status_code == 200
    assert 'data-error-for="host_region"' in response.content.decode()
    assert Deal.objects.count() == 0


def test_deal_page_is_forbidden_to_those_without_a_role(inv: InvestmentWorld) -> None:
    assert inv.world.client_for("participant").get("/investment/deals/new/").status_code == 403
    assert inv.world.client_for("analyst").get("/investment/deals/new/").status_code == 403


# The pipeline ----------------------------------------------------------------------------------


def milestone_form(**extra) -> dict:
    data = {
        "step": "registered",
        "date": "2021-06-15",
        "evidence_kind": "licence",
        "evidence": upload(),
        "note": "营业执照",
    }
    data.update(extra)
    return data


def test_officer_records_the_next_milestone_with_evidence(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    client = inv.world.client_for("liangjiang_officer")
    officer = inv.world.users["yubei_officer"]

    response = client.post(
        f"/investment/deals/{deal.pk}/milestones/", milestone_form(officer=officer.pk)
    )

    milestone = Milestone.objects.get()
    deal.refresh_from_db()
    assert response.status_code == 302
    assert (milestone.step, milestone.officer, deal.registered_on) == (
        "registered",
        officer,
        datetime.date(2021, 6, 15),
    )
    page = client.get(f"/investment/deals/{deal.pk}/").content.decode()
    assert 'data-stage="registered"' in page
    evidence_url = f"/investment/deals/{deal.pk}/milestones/{milestone.pk}/evidence/"
    assert evidence_url in page
    assert b"".join(client.get(evidence_url).streaming_content) == PDF


def test_milestone_out_of_order_changes_nothing(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    client = inv.world.client_for("yubei_officer")

    response = client.post(
        f"/investment/deals/{deal.pk}/milestones/",
        milestone_form(step="in_production"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    deal.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert "Steps are recorded in order." in html
    assert Milestone.objects.count() == 0
    assert deal.registered_on is None


def test_milestone_without_evidence_changes_nothing(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    client = inv.world.client_for("yubei_officer")
    data = milestone_form()
    del data["evidence"]

    response = client.post(f"/investment/deals/{deal.pk}/milestones/", data)

    assert response.status_code == 200
    assert 'data-error-for="evidence"' in response.content.decode()
    assert Milestone.objects.count() == 0


def test_milestone_of_another_region_is_forbidden(inv: InvestmentWorld) -> None:
    published_result = inv.deal()
    unpublished = inv.deal(event=None, title_zh="场外签约")
    client = inv.world.client_for("jiulongpo_officer")

    seen = client.post(f"/investment/deals/{published_result.pk}/milestones/", milestone_form())
    unseen = client.post(f"/investment/deals/{unpublished.pk}/milestones/", milestone_form())

    assert (seen.status_code, unseen.status_code) == (403, 404)
    assert Milestone.objects.count() == 0


def test_analyst_sees_the_pipeline_without_forms(inv: InvestmentWorld) -> None:
    deal = inv.deal()

    html = inv.world.client_for("analyst").get(f"/investment/deals/{deal.pk}/").content.decode()

    assert "data-pipeline" in html
    assert 'data-form="milestone"' not in html
    assert (
        inv.world.client_for("analyst")
        .post(f"/investment/deals/{deal.pk}/milestones/", milestone_form())
        .status_code
        == 403
    )


def test_officer_records_funds_in_place(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    client = inv.world.client_for("yubei_officer")

    response = client.post(
        f"/investment/deals/{deal.pk}/funds/",
        {"funds": "3000", "funds_unit": "wan", "as_of": "2021-12-31"},
    )

    deal.refresh_from_db()
    assert response.status_code == 302
    assert (deal.funds_in_place, deal.funds_as_of) == (
        Decimal(30_000_000),
        datetime.date(2021, 12, 31),
    )


def test_funds_in_the_future_change_nothing(inv: InvestmentWorld) -> None:
    deal = inv.deal()
    client = inv.world.client_for("yubei_officer")

    response = client.post(
        f"/investment/deals/{deal.pk}/funds/",
        {"funds": "3000", "funds_unit": "wan", "as_of": "2999-01-01"},
    )

    deal.refresh_from_db()
    assert response.status_code == 200
    assert 'data-error-for="as_of"' in response.content.decode()
    assert deal.funds_in_place == 0


def test_upgraded_signing_points_to_the_latest(inv: InvestmentWorld) -> None:
    first = inv.deal(kind="framework", amount=YI)
    latest = inv.deal(amount=3 * YI, event=inv.promotion, signed_at=datetime.date(2021, 5, 22))
    client = inv.world.client_for("yubei_officer")

    html = client.get(f"/investment/deals/{first.pk}/").content.decode()

    assert f'<a href="/investment/deals/{latest.pk}/" data-latest>' in html
    assert 'data-form="milestone"' not in html
    assert html.count("data-counted") == 2


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_deal_detail_renders_in_both_languages(inv: InvestmentWorld, lang: str) -> None:
    deal = inv.deal()

    response = inv.world.client_for("yubei_officer").get(
        f"/investment/deals/{deal.pk}/", HTTP_ACCEPT_LANGUAGE=lang
    )

    assert response.status_code == 200
    assert "data-overdue" in response.content.decode()


def test_date_inputs_carry_iso_dates_the_browser_accepts(inv: InvestmentWorld) -> None:
    deal = inv.deal()

    html = inv.world.client_for("yubei_officer").get(
        f"/investment/deals/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    today = timezone.localdate().isoformat()
    assert re.search(rf'type="date" name="date" value="{today}"', html.content.decode())
