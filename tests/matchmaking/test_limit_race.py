"""The open-request limit under a rush, on PostgreSQL: one person sends 40 requests at once
with a limit of 5.

The same harness runs the real service and a deliberately naive count-then-insert version; the
naive one passes the limit, which proves the harness can catch the race the lock guards against.
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
from tests.fair.conftest import make_fair
from tests.matchmaking.conftest import MatchWorld
from xiqia.accounts.models import Role
from xiqia.core.errors import DomainError
from xiqia.matchmaking import services
from xiqia.matchmaking.models import Meeting, MeetingRequest, Profile

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency is proven on PostgreSQL (DATABASE_URL)",
    ),
]

RECIPIENTS, LIMIT, WORKERS = 40, 5, 20


def naive_request_send(*, sender: Profile, recipient: Profile, actor: Any) -> MeetingRequest:
    """Count, then insert, without locking the sender: what the real service must never do."""
    with transaction.atomic():
        if services._open_requests(sender) >= LIMIT:
            raise DomainError("limit")
        time.sleep(0.002)  # the time a real request spends between reading and writing
        return MeetingRequest.objects.create(sender=sender, recipient=recipient)


def rush(send: Callable[..., Any]) -> int:
    mw = MatchWorld(
        fair=make_fair(slug="rush"), organiser=make_user("organiser", Role.FAIR_ORGANISER)
    )
    services.settings_update(
        fair=mw.fair, actor=mw.organiser, max_open_requests=LIMIT, max_meetings=50
    )
    sender = mw.person("sender")
    recipients = [mw.person(f"r{i:02d}") for i in range(RECIPIENTS)]
    go = threading.Event()

    def one(recipient: Profile) -> None:
        go.wait(timeout=30)  # every worker starts at the same moment
        try:
            send(sender=sender, recipient=recipient, actor=None)
        except DomainError:
            pass
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(one, r) for r in recipients]
        go.set()
        for future in futures:
            future.result()
    return MeetingRequest.objects.filter(sender=sender).count()


def test_open_request_limit_holds_under_a_rush() -> None:
    assert rush(services.request_send) == LIMIT


def test_naive_version_passes_the_limit() -> None:
    assert rush(naive_request_send) > LIMIT


# The meeting limit: many people accept one person's requests at the same moment. -----------

MEETING_LIMIT = 4


def naive_request_accept(*, request: MeetingRequest, actor: Any) -> None:
    """Count the sender's meetings, then accept, without locking anyone."""
    with transaction.atomic():
        request = MeetingRequest.objects.select_related("sender", "recipient").get(pk=request.pk)
        if services._active_meetings(request.sender) >= MEETING_LIMIT:
            raise DomainError("limit")
        time.sleep(0.002)  # the time a real request spends between reading and writing
        request.status = "accepted"
        request.save(update_fields=["status"])
        Meeting.objects.create(
            request=request,
            fair_id=request.sender.registration.fair_id,
            a=request.sender,
            b=request.recipient,
        )


def accept_rush(accept: Callable[..., Any]) -> int:
    """One sought-after person has asked 30 people; all of them accept at once."""
    mw = MatchWorld(
        fair=make_fair(slug="accept-rush"), organiser=make_user("organiser", Role.FAIR_ORGANISER)
    )
    services.settings_update(
        fair=mw.fair, actor=mw.organiser, max_open_requests=50, max_meetings=MEETING_LIMIT
    )
    star = mw.person("star")
    requests = [
        services.request_send(sender=star, recipient=mw.person(f"r{i:02d}"), actor=None)
        for i in range(RECIPIENTS - 10)
    ]
    go = threading.Event()

    def one(request: MeetingRequest) -> None:
        go.wait(timeout=30)  # every worker starts at the same moment
        try:
            accept(request=request, actor=request.recipient.registration.person)
        except DomainError:
            pass
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(one, r) for r in requests]
        go.set()
        for future in futures:
            future.result()
    return Meeting.objects.filter(a=star).count()


def test_meeting_limit_holds_under_concurrent_accepts() -> None:
    assert accept_rush(services.request_accept) == MEETING_LIMIT


def test_naive_accept_passes_the_meeting_limit() -> None:
    assert accept_rush(naive_request_accept) > MEETING_LIMIT
