"""Reconciliation: figures per campaign, merchant, district and day; the settlement workbook."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import make_user
from tests.tourism.conftest import ALICE_ID, BOB_ID, CAROL_ID, TourismWorld, make_campaign, valid
from xiqia.accounts.models import Role
from xiqia.tourism import selectors, services
from xiqia.tourism.models import VoucherCampaign


def claim(campaign: VoucherCampaign, number: str) -> Any:
    return services.voucher_claim(campaign=campaign, holder_name="张三", id_number=number)


def redeem(tw: TourismWorld, code: str, spend: str) -> Any:
    return services.voucher_redeem(
        code=code, merchant=tw.merchant, spend=Decimal(spend), actor=tw.cashier
    )


def test_reconciliation_counts_issued_redeemed_expired_and_value(tw: TourismWorld) -> None:
    a, b, c = (claim(tw.campaign, n) for n in (ALICE_ID, BOB_ID, CAROL_ID))
    redeem(tw, a.code, "80")
    redeem(tw, b.code, "120.50")

    figures = selectors.reconciliation(
        campaigns=VoucherCampaign.objects.all(), now=tw.campaign.valid_until
    )

    (row,) = figures["per_campaign"]
    assert {k: row[k] for k in ("total", "issued", "remaining", "redeemed", "expired")} == {
        "total": 10,
        "issued": 3,
        "remaining": 7,
        "redeemed": 2,
        "expired": 1,
    }
    assert (row["issued_value"], row["redeemed_value"], row["spend"]) == (
        Decimal("60.00"),
        Decimal("40.00"),
        Decimal("200.50"),
    )
    assert [(m["name"], m["redeemed"], m["value"]) for m in figures["per_merchant"]] == [
        ("黄桷坪书店", 2, Decimal("40.00"))
    ]
    assert [(d["code"], d["redeemed"]) for d in figures["per_district"]] == [("500107", 2)]
    assert sum(d["claimed"] for d in figures["per_day"]) == 3
    assert sum(d["redeemed"] for d in figures["per_day"]) == 2
    del c


@pytest.mark.parametrize("count", [1, 3])
def test_reconciliation_query_count_is_constant(
    tw: TourismWorld, count: int, django_assert_num_queries: Any
) -> None:
    redeem(tw, claim(tw.campaign, ALICE_ID).code, "90")
    for n in range(count - 1):
        campaign = make_campaign(slug=f"c{n}", merchants=(tw.merchant,))
        redeem(tw, claim(campaign, ALICE_ID).code, "90")

    with django_assert_num_queries(5):
        figures = selectors.reconciliation(campaigns=VoucherCampaign.objects.all())

    assert len(figures["per_campaign"]) == count


def test_dashboard_page_shows_tables_and_charts(tw: TourismWorld) -> None:
    redeem(tw, claim(tw.campaign, ALICE_ID).code, "80")
    client = Client()
    client.force_login(tw.officer)

    html = client.get("/tourism/dashboard/").content.decode()

    assert 'data-total="issued">1<' in html
    assert 'data-chart="campaign-chart"' in html
    assert 'id="campaign-chart"' in html
    assert 'data-table="merchants"' in html


def test_dashboard_page_analyst_sees_all_participant_is_refused(tw: TourismWorld) -> None:
    analyst, participant = Client(), Client()
    analyst.force_login(make_user("an", Role.ANALYST))
    participant.force_login(tw.resident)

    assert analyst.get("/tourism/dashboard/").status_code == 200
    assert participant.get("/tourism/dashboard/").status_code == 403


def test_settlement_workbook_per_merchant_has_no_personal_data(tw: TourismWorld) -> None:
    with time_machine.travel(tw.campaign.valid_from):
        voucher = claim(tw.campaign, ALICE_ID)
    redeem(tw, voucher.code, "80")
    client = Client()
    client.force_login(tw.officer)

    response = client.get(
        f"/tourism/campaigns/{tw.campaign.slug}/settlement.xlsx?merchant={tw.merchant.pk}"
    )

    workbook = load_workbook(io.BytesIO(response.content))
    summary = [[c.value for c in row] for row in workbook.worksheets[0].iter_rows()]
    detail = [[c.value for c in row] for row in workbook.worksheets[1].iter_rows()]
    assert summary[1][:3] == ["黄桷坪书店", "九龙坡区", 1]
    assert summary[1][3] == 20
    assert detail[1][1] == voucher.code
    flat = repr(summary + detail)
    assert ALICE_ID not in flat and "张三" not in flat
    assert valid(ALICE_ID) == ALICE_ID
