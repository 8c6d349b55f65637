"""Capacity under a rush, on PostgreSQL: 200 people register at once for 50 seats.

The same harness runs the real service and a deliberately naive read-then-write version; the
naive one overfills the event, which proves the harness can catch the race it guards against.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections, transaction

from tests.conftest import make_user
from tests.fair.conftest import make_event, make_fair
from xiqia.fair import services
from xiqia.fair.models import Event, EventRegistration, Registration, SeatStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency is proven on PostgreSQL (DATABASE_URL)",
    ),
]

PEOPLE, CAPACITY, WORKERS = 200, 50, 40


def naive_seat_request(*, registration: Registration, event: Event) -> EventRegistration:
    """Read the count, then write: what the real service must never do."""
    with transaction.atomic():
        taken = EventRegistration.objects.filter(event=event, status=SeatStatus.CONFIRMED).count()
        time.sleep(0.002)  # the time a real request spends between reading and writing
        status = SeatStatus.CONFIRMED if taken < (event.capacity or 0) else SeatStatus.WAITLISTED
        return EventRegistration.objects.create(
            registration=registration, event=event, status=status
        )


def rush(seat_request: Callable[..., Any]) -> dict[str, int]:
    fair = make_fair(slug="rush", requires_approval=False)
    event = make_event(fair, "金卡纳技巧绕桩赛", capacity=CAPACITY)
    registrations = [
        Registration.objects.create(fair=fair, person=make_user(f"p{i:03d}"), status="approved")
        for i in range(PEOPLE)
    ]
    go = threading.Event()

    def one(registration: Registration) -> None:
        go.wait(timeout=30)  # every worker starts at the same moment
        try:
            seat_request(registration=registration, event=event)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(one, r) for r in registrations]
        go.set()
        for future in futures:
            future.result()
    seats = EventRegistration.objects.filter(event=event)
    event.refresh_from_db()
    return {
        "confirmed": seats.filter(status=SeatStatus.CONFIRMED).count(),
        "waitlisted": seats.filter(status=SeatStatus.WAITLISTED).count(),
        "seats_taken": event.seats_taken,
    }


def test_capacity_race_confirms_exactly_capacity() -> None:
    result = rush(services.seat_request)

    assert result == {
        "confirmed": CAPACITY,
        "waitlisted": PEOPLE - CAPACITY,
        "seats_taken": CAPACITY,
    }


def test_capacity_race_harness_catches_naive_version() -> None:
    result = rush(naive_seat_request)

    assert result["confirmed"] > CAPACITY
    assert result["confirmed"] + result["waitlisted"] == PEOPLE
