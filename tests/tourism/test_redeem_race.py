"""Two cashiers scan the same voucher at the same moment, on PostgreSQL: one wins.

Both cashiers are held until each has read the voucher as unused, then both write. The real
service's conditional UPDATE lets one through and tells the other it was just used; a naive
read-then-save version redeems it twice, which proves the test can fail.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from tests.tourism.conftest import ALICE_ID, TourismWorld
from xiqia.core.errors import Conflict
from xiqia.tourism import services
from xiqia.tourism.models import Voucher, VoucherStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency is proven on PostgreSQL (DATABASE_URL)",
    ),
]


def naive_redeem(*, code: str, merchant: Any, spend: Decimal, actor: Any) -> Voucher:
    """Read the status, then save: what the real service must never do."""
    with transaction.atomic():
        voucher = Voucher.objects.get(code=code)
        if voucher.status == VoucherStatus.REDEEMED:
            raise Conflict("used", code="already_redeemed")
        services._bound_waits()  # the moment both cashiers have read
        voucher.status = VoucherStatus.REDEEMED
        voucher.redeemed_at = timezone.now()
        voucher.merchant, voucher.spend, voucher.redeemed_by = merchant, spend, actor
        voucher.save()
        return voucher


def two_cashiers(
    tw: TourismWorld, redeem: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    voucher = services.voucher_claim(
        campaign=tw.campaign, holder_name="张三", id_number=ALICE_ID, holder=None
    )
    both_read = threading.Barrier(2, timeout=10)
    original = services._bound_waits

    def after_both_read() -> None:
        both_read.wait()
        original()

    monkeypatch.setattr(services, "_bound_waits", after_both_read)
    results: list[str] = []

    def cashier(user: Any) -> None:
        try:
            redeem(code=voucher.code, merchant=tw.merchant, spend=Decimal("80"), actor=user)
            results.append("redeemed")
        except Conflict as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cashier, args=(u,)) for u in (tw.cashier, tw.other_cashier)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)


def test_voucher_redeem_two_cashiers_at_once_one_wins(
    tw: TourismWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert two_cashiers(tw, services.voucher_redeem, monkeypatch) == [
        "already_redeemed",
        "redeemed",
    ]


def test_voucher_redeem_race_harness_catches_naive_redeem(
    tw: TourismWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert two_cashiers(tw, naive_redeem, monkeypatch) == ["redeemed", "redeemed"]
