"""The same deal is never counted twice, on PostgreSQL: 20 officers record one signing at once.

Three rushes: the signing under one code; the signing in 2025, the year Yubei (500112) merged
into Liangjiang (500157), filed by half the officers under each code; and the re-signing under
Liangjiang of a chain begun under Yubei in 2021. The same harness runs with the database's chain
constraints dropped (the service unchanged): then several chains are created and the signing is
counted several times, which proves the harness catches the race and that the constraints are
what prevent it.
"""

from __future__ import annotations

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from tests.conftest import make_org, region
from xiqia.core.errors import Conflict
from xiqia.investment import services
from xiqia.investment.models import Deal

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency is proven on PostgreSQL (DATABASE_URL)",
    ),
]

WORKERS = 20
CHAIN_CONSTRAINTS = ("deal_one_chain_per_subject", "deal_one_current_per_subject")
TITLE = "智能终端产业园"
AMOUNT = Decimal(200_000_000)
RUSHES = ("one_code", "both_codes_in_the_merger_year", "resigned_under_the_successor")


def rush(kind: str) -> dict[str, object]:
    investor = make_org("并发投资方", "500000", kind="investor")
    yubei, liangjiang = region("500112"), region("500157", 2026)
    codes, signed_at = [yubei], datetime.date(2021, 5, 20)
    if kind == "both_codes_in_the_merger_year":
        codes, signed_at = [region("500112", 2025), liangjiang], datetime.date(2025, 5, 20)
    elif kind == "resigned_under_the_successor":
        # A 1亿 contract under Yubei in 2021, re-signed for 2亿 under Liangjiang in 2026.
        services.deal_record(
            actor=None,
            investor=investor,
            host_region=yubei,
            amount=AMOUNT / 2,
            kind="contract",
            signed_at=datetime.date(2021, 5, 20),
            title_zh=TITLE,
        )
        codes, signed_at = [liangjiang], datetime.date(2026, 3, 10)
    go = threading.Event()
    outcomes: list[str] = []

    def one(i: int) -> None:
        go.wait(timeout=30)
        try:
            services.deal_record(
                actor=None,
                investor=investor,
                host_region=codes[i % len(codes)],
                amount=AMOUNT,
                kind="contract",
                signed_at=signed_at,
                title_zh=TITLE,
            )
            outcomes.append("recorded")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(one, i) for i in range(WORKERS)]
        go.set()
        for future in futures:
            future.result()
    deals = Deal.objects.filter(investor=investor)
    return {
        "chains": deals.filter(counts_as_deal=True).count(),
        "counted": sum(d.counted_amount for d in deals),
        "answered": len(outcomes),
    }


@pytest.mark.parametrize("kind", RUSHES)
def test_deal_race_counts_one_signing_once(kind: str) -> None:
    result = rush(kind)
    assert result == {"chains": 1, "counted": AMOUNT, "answered": WORKERS}


@pytest.mark.parametrize("kind", RUSHES)
def test_deal_race_harness_catches_a_schema_without_the_constraints(kind: str) -> None:
    constraints = [c for c in Deal._meta.constraints if c.name in CHAIN_CONSTRAINTS]
    with connection.schema_editor() as editor:
        for constraint in constraints:
            editor.remove_constraint(Deal, constraint)
    try:
        result = rush(kind)
    finally:
        for deal in Deal.objects.order_by("-signed_at", "-pk"):
            deal.delete()
        with connection.schema_editor() as editor:
            for constraint in constraints:
                editor.add_constraint(Deal, constraint)

    assert result["chains"] > 1
    assert result["counted"] > AMOUNT
