"""The tourism demo: the source's campaign and totals, synthetic holders, idempotent."""

from __future__ import annotations

import random
from decimal import Decimal

from stdnum.cn import ric

from tests.conftest import region
from xiqia.core.origin import Origin
from xiqia.tourism import demo, selectors
from xiqia.tourism.models import Voucher, VoucherCampaign


def test_demo_campaign_shows_the_source_totals(db: object) -> None:
    region("500107")  # the region table
    demo.load_facts()
    first = demo.load_generated(random.Random(20210520))  # noqa: S311 (a seeded demo)
    again = demo.load_generated(random.Random(20210520))  # noqa: S311 (a seeded demo)

    campaign = VoucherCampaign.objects.get(slug=demo.SLUG)
    (row,) = [
        r
        for r in selectors.reconciliation(campaigns=VoucherCampaign.objects.all())["per_campaign"]
        if r["slug"] == demo.SLUG
    ]
    assert campaign.origin == Origin.FACT
    assert (row["total"], row["issued"], row["remaining"]) == (30_000, 30_000, 0)
    assert (row["total_value"], row["issued_value"]) == (Decimal("600000.00"), Decimal("600000.00"))
    assert row["redeemed"] + row["expired"] == 30_000  # validity ended in 2021
    assert first["vouchers"] == 30_000 and again["vouchers"] == 0


def test_demo_holders_are_synthetic_born_in_1900(db: object) -> None:
    numbers = [demo.synthetic_holder_id(i) for i in (0, 999, 1000, 29_999)]

    assert all(ric.is_valid(n) and n[6:10] == "1900" and n[:6] == "510100" for n in numbers)
    assert len(set(demo.synthetic_holder_id(i) for i in range(30_000))) == 30_000
    assert Voucher.objects.count() == 0
