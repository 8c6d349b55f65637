"""Redeeming a voucher at a merchant's till: once, within validity, above the minimum spend."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from tests.tourism.conftest import ALICE_ID, TourismWorld
from xiqia.core.errors import Conflict, DomainError
from xiqia.tourism import services
from xiqia.tourism.models import Voucher, VoucherStatus


def claimed(tw: TourismWorld) -> Voucher:
    return services.voucher_claim(
        campaign=tw.campaign,
        holder_name="张三",
        id_number=ALICE_ID,
        holder=tw.resident,
        actor=tw.resident,
    )


def redeem(tw: TourismWorld, code: str, spend: str = "80", **extra: object) -> Voucher:
    return services.voucher_redeem(
        code=code,
        merchant=extra.pop("merchant", tw.merchant),
        spend=Decimal(spend),
        actor=extra.pop("actor", tw.cashier),
    )


def test_voucher_redeem_marks_redeemed_once(tw: TourismWorld) -> None:
    voucher = claimed(tw)

    redeemed = redeem(tw, voucher.code)

    assert redeemed.status == VoucherStatus.REDEEMED
    assert redeemed.merchant == tw.merchant
    assert redeemed.spend == Decimal("80.00")
    assert redeemed.redeemed_by == tw.cashier
    assert redeemed.redeemed_at is not None


def test_voucher_redeem_second_time_is_told_just_used(tw: TourismWorld) -> None:
    voucher = claimed(tw)
    redeem(tw, voucher.code)

    with pytest.raises(Conflict) as exc:
        redeem(tw, voucher.code, actor=tw.other_cashier)

    assert exc.value.code == "already_redeemed"
    assert str(exc.value.message).startswith("This voucher was just used (at ")
    voucher.refresh_from_db()
    assert voucher.redeemed_by == tw.cashier


def test_voucher_redeem_refuses_below_minimum_spend(tw: TourismWorld) -> None:
    voucher = claimed(tw)

    with pytest.raises(DomainError) as exc:
        redeem(tw, voucher.code, spend="49.99")

    assert exc.value.code == "below_min_spend"
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.CLAIMED


def test_voucher_redeem_refuses_after_validity(tw: TourismWorld) -> None:
    voucher = claimed(tw)

    with (
        time_machine.travel(tw.campaign.valid_until, tick=False),
        pytest.raises(DomainError) as exc,
    ):
        redeem(tw, voucher.code)

    assert exc.value.code == "expired"
    assert voucher.is_expired(tw.campaign.valid_until) is True


def test_voucher_redeem_refuses_before_validity(tw: TourismWorld) -> None:
    voucher = claimed(tw)
    before = tw.campaign.valid_from - datetime.timedelta(seconds=1)

    with time_machine.travel(before, tick=False), pytest.raises(DomainError) as exc:
        redeem(tw, voucher.code)

    assert exc.value.code == "not_yet_valid"


def test_voucher_redeem_refuses_unknown_code(tw: TourismWorld) -> None:
    with pytest.raises(DomainError) as exc:
        redeem(tw, "no-such-code")

    assert exc.value.code == "unknown_voucher"


def test_voucher_redeem_refuses_merchant_outside_campaign(tw: TourismWorld) -> None:
    voucher = claimed(tw)
    with pytest.raises(DomainError) as exc:
        redeem(tw, voucher.code, merchant=tw.other_merchant, actor=None)  # system: any till

    assert exc.value.code == "merchant_not_participating"


def test_voucher_redeem_refuses_someone_not_at_the_till(tw: TourismWorld) -> None:
    voucher = claimed(tw)

    with pytest.raises(PermissionDenied):
        redeem(tw, voucher.code, actor=tw.resident)
