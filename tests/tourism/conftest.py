"""Fixtures for culture and tourism: a campaign open now, a merchant with a cashier."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import make_org, make_user, region
from xiqia.accounts.models import Role
from xiqia.tourism import services
from xiqia.tourism.models import Merchant, VoucherCampaign

# Synthetic, checksum-valid ID numbers (see xiqia/tourism/synthetic.py): not real people.
ALICE_ID = "510213199001010011"  # born in Jiulongpo in 1990: the old Sichuan prefix
BOB_ID = "500107200001010010"
CAROL_ID = "510125199506060028"


def valid(number: str) -> str:
    """Return the number with its correct check digit (tests write the body only)."""
    from stdnum.cn import ric

    return number[:17] + ric.calc_check_digit(number[:17] + "0")


ALICE_ID, BOB_ID, CAROL_ID = valid(ALICE_ID), valid(BOB_ID), valid(CAROL_ID)


def make_merchant(name: str = "黄桷坪书店", code: str = "500107", **extra: Any) -> Merchant:
    return Merchant.objects.create(name_zh=name, name_en=name, region=region(code), **extra)


def make_campaign(
    *,
    slug: str = "new-year-2021",
    total: int = 10,
    merchants: tuple[Merchant, ...] = (),
    eligible: tuple[str, ...] = (),
    now: datetime.datetime | None = None,
    **extra: Any,
) -> VoucherCampaign:
    now = now or timezone.now()
    campaign = VoucherCampaign(
        slug=slug,
        name_zh="新春文旅消费券",
        name_en="New Year culture and tourism voucher",
        total_count=total,
        face_value=extra.pop("face_value", Decimal("20")),
        min_spend=extra.pop("min_spend", Decimal("50")),
        claim_opens_at=extra.pop("claim_opens_at", now - datetime.timedelta(hours=1)),
        claim_closes_at=extra.pop("claim_closes_at", now + datetime.timedelta(days=1)),
        valid_from=extra.pop("valid_from", now - datetime.timedelta(hours=1)),
        valid_until=extra.pop("valid_until", now + datetime.timedelta(days=30)),
        is_published=extra.pop("is_published", True),
        **extra,
    )
    services.campaign_save(campaign=campaign, actor=None)
    campaign.issuing_regions.set([region("500107"), region("510114")])
    if eligible:
        campaign.eligible_regions.set([region(code) for code in eligible])
    campaign.merchants.set(merchants)
    return campaign


@dataclass
class TourismWorld:
    campaign: VoucherCampaign
    merchant: Merchant
    other_merchant: Merchant
    cashier: Any
    other_cashier: Any
    resident: Any
    officer: Any


@pytest.fixture
def tw(db: Any) -> TourismWorld:
    merchant = make_merchant()
    other = make_merchant("新都火锅", "510114")
    cashier = make_user("cashier")
    other_cashier = make_user("cashier2")
    merchant.cashiers.set([cashier, other_cashier])
    campaign = make_campaign(merchants=(merchant,))
    org = make_org("新都文旅集团", "510114")
    other.organisation = org
    other.save()
    return TourismWorld(
        campaign=campaign,
        merchant=merchant,
        other_merchant=other,
        cashier=cashier,
        other_cashier=other_cashier,
        resident=make_user("resident"),
        officer=make_user("jlp_officer", Role.DISTRICT_OFFICER, region=region("500107")),
    )


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    """Rate limits live in the cache: each test starts with none used."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Service messages are asserted in their English source form."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def gate_on(settings: Any, worker_id: str) -> Any:
    """Turn the Redis gate (xiqia/tourism/gate.py) on, over a Redis database of this test
    worker's own, emptied before and after; skip where no Redis runs on this machine."""
    import redis

    from xiqia.tourism import selectors

    index = 0 if worker_id == "master" else int(worker_id.removeprefix("gw")) + 1
    url = f"redis://127.0.0.1:6379/{min(15, 8 + index)}"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("the voucher gate needs Redis on 127.0.0.1:6379")
    client.flushdb()
    settings.VOUCHER_GATE_URL = url
    selectors._claim_campaigns.clear()
    yield client
    selectors._claim_campaigns.clear()
    client.flushdb()
    client.close()
