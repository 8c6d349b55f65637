"""A flash crowd on PostgreSQL: 20,000 people each try twice for 3,000 vouchers, 64 at a time.

The same harness runs the real claim service and a deliberately naive read-then-write claim;
the naive one over-issues, which proves the harness catches the race it guards against. A third
run kills database connections in the middle of claims: no half-written claim survives and
``issued + remaining == stock`` still holds.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import DatabaseError, InterfaceError, connection, connections, transaction
from django.db.models import Count

from tests.tourism.conftest import make_campaign
from xiqia.core import personal
from xiqia.core.errors import DomainError
from xiqia.core.personal import PersonalKind, PersonalValue
from xiqia.tourism import services
from xiqia.tourism.models import Voucher, VoucherCampaign, VoucherStock
from xiqia.tourism.synthetic import synthetic_people

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency is proven on PostgreSQL (DATABASE_URL)",
    ),
]

PEOPLE, STOCK, WORKERS, TRIES = 20_000, 3_000, 64, 2


@pytest.fixture(scope="module")
def people() -> list[str]:
    rng = random.Random(2021)  # noqa: S311 (synthetic people, not secrets)
    return synthetic_people(rng, PEOPLE)


def naive_claim(*, campaign: VoucherCampaign, holder_name: str, id_number: str) -> Voucher:
    """Read the stock and the person's claims, then write: what the real service must never do."""
    with transaction.atomic():
        fresh = VoucherCampaign.objects.get(pk=campaign.pk)
        id_digest = personal.digest(PersonalKind.ID_NUMBER, id_number)
        if Voucher.objects.filter(campaign=fresh, id_number_digest=id_digest).exists():
            raise DomainError("already claimed", code="already_claimed")
        if fresh.remaining <= 0:
            raise DomainError("sold out", code="sold_out")
        time.sleep(0.001)  # the time a real request spends between reading and writing
        voucher = Voucher.objects.create(
            campaign=fresh,
            holder_name=holder_name,
            id_number=PersonalValue(PersonalKind.ID_NUMBER, id_number),
            # A naive per-person rule: a new slot each time, so the database cannot help.
            slot=Voucher.objects.filter(campaign=fresh).count() + 1,
        )
        # Take one from the first share with stock, as read a moment ago: a lost update.
        share = VoucherStock.objects.filter(campaign=fresh, remaining__gt=0).order_by("shard")
        share = share.first() or VoucherStock.objects.filter(campaign=fresh).first()
        share.remaining = max(share.remaining - 1, 0)
        share.save(update_fields=["remaining"])
        return voucher


def real_claim(*, campaign: VoucherCampaign, holder_name: str, id_number: str) -> Voucher:
    return services.voucher_claim(campaign=campaign, holder_name=holder_name, id_number=id_number)


def storm(
    claim: Callable[..., Any],
    people: list[str],
    *,
    seed: int,
    stock: int = STOCK,
    workers: int = WORKERS,
    during: Callable[[threading.Event], None] | None = None,
    campaign: VoucherCampaign | None = None,
) -> dict[str, Any]:
    """Run every attempt through ``claim`` from ``workers`` threads, each its own connection."""
    campaign = campaign or make_campaign(slug=f"storm-{seed}", total=stock)
    attempts = [number for number in people for _ in range(TRIES)]
    random.Random(seed).shuffle(attempts)  # noqa: S311 (a reproducible order)
    work: queue.SimpleQueue[str] = queue.SimpleQueue()
    for number in attempts:
        work.put(number)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    go, done = threading.Event(), threading.Event()

    def worker() -> None:
        go.wait(timeout=30)
        mine: Counter[str] = Counter()
        try:
            while True:
                try:
                    number = work.get_nowait()
                except queue.Empty:
                    break
                try:
                    # Each attempt loads the campaign, as a request would.
                    current = VoucherCampaign.objects.get(pk=campaign.pk)
                    claim(campaign=current, holder_name="游客", id_number=number)
                    mine["issued"] += 1
                except DomainError as exc:
                    mine[exc.code] += 1
                except (DatabaseError, InterfaceError):
                    mine["connection_lost"] += 1
                    connections["default"].close()
        finally:
            connections.close_all()
            with lock:
                outcomes.update(mine)

    watcher = threading.Thread(target=during, args=(done,)) if during else None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(worker) for _ in range(workers)]
        go.set()
        if watcher:
            watcher.start()
        for future in futures:
            future.result()
    done.set()
    if watcher:
        watcher.join()
    campaign.refresh_from_db()
    vouchers = Voucher.objects.filter(campaign=campaign)
    duplicates = vouchers.values("id_number_digest").annotate(n=Count("pk")).filter(n__gt=1).count()
    return {
        "issued": vouchers.count(),
        "remaining": campaign.remaining,
        "duplicates": duplicates,
        "outcomes": dict(outcomes),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_claim_storm_issues_exactly_stock_with_no_duplicates(people: list[str], seed: int) -> None:
    result = storm(real_claim, people, seed=seed)

    assert (result["issued"], result["remaining"], result["duplicates"]) == (STOCK, 0, 0)
    outcomes = result["outcomes"]
    assert outcomes["issued"] == STOCK
    assert sum(outcomes.values()) == PEOPLE * TRIES
    assert set(outcomes) <= {"issued", "sold_out", "already_claimed", "busy"}


def test_claim_storm_harness_catches_naive_claim(people: list[str]) -> None:
    result = storm(naive_claim, people[:2_000], seed=1, stock=200)

    over_issued = result["issued"] > 200 or result["duplicates"] > 0
    assert over_issued, result
    # The naive version's counter also drifts from the truth.
    assert result["issued"] + result["remaining"] != 200


def test_claim_storm_killed_connections_leave_no_half_claim(people: list[str]) -> None:
    kills: list[int] = []

    def killer(done: threading.Event) -> None:
        rng = random.Random(7)  # noqa: S311 (which connection to kill)
        with connections["default"].cursor() as cursor:
            while not done.is_set() and len(kills) < 40:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
                )
                pids = [row[0] for row in cursor.fetchall()]
                if pids:
                    pid = rng.choice(pids)
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                    if cursor.fetchone()[0]:
                        kills.append(pid)
                time.sleep(0.01)
        connections.close_all()

    result = storm(real_claim, people[:6_000], seed=4, stock=1_000, workers=32, during=killer)

    assert kills, "the killer never caught a claim in flight"
    assert result["outcomes"].get("connection_lost", 0) > 0
    assert result["issued"] + result["remaining"] == 1_000
    assert result["duplicates"] == 0
    assert not Voucher.objects.filter(id_number_digest=None).exists()
