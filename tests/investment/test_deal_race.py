"""The same deal is never counted twice, on PostgreSQL: 20 officers record one signing at once.

The same harness runs with the database's chain constraints dropped (the service unchanged):
then several chains are created and the signing is counted several times, which proves the
harness catches the race and that the constraints are what prevent it.
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


def rush() -> dict[str, object]:
    investor = make_org("并发投资方", "500000", kind="investor")
    yubei = region("500112")
    go = threading.Event()
    outcomes: list[str] = []

    def one(_: int) -> None:
        go.wait(timeout=30)
        try:
            services.deal_record(
                actor=None,
                investor=investor,
                host_region=yubei,
                amount=Decimal(200_000_000),
                kind="contract",
                signed_at=datetime.date(2021, 5, 20),
                title_zh="智能终端产业园",
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


def test_deal_race_counts_one_signing_once() -> None:
    result = rush()
    assert result == {"chains": 1, "counted": Decimal(200_000_000), "answered": WORKERS}


def test_deal_race_harness_catches_a_schema_without_the_constraints() -> None:
    constraints = [c for c in Deal._meta.constraints if c.name in CHAIN_CONSTRAINTS]
    with connection.schema_editor() as editor:
        for constraint in constraints:
            editor.remove_constraint(Deal, constraint)
    try:
        result = rush()
    finally:
        Deal.objects.all().delete()
        with connection.schema_editor() as editor:
            for constraint in constraints:
                editor.add_constraint(Deal, constraint)

    assert result["chains"] > 1
    assert result["counted"] > Decimal(200_000_000)
