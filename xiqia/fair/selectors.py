"""Reads for the fair's pages, API and exports (constant query counts: see the tests)."""

from __future__ import annotations

import datetime
import threading
import time
from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from xiqia.accounts import access
from xiqia.fair.models import (
    CheckIn,
    Event,
    EventRegistration,
    EventSpeaker,
    Fair,
    Gate,
    Registration,
    SeatStatus,
)


def fair_list(*, who: Any) -> QuerySet[Fair]:
    return access.scope(who, Fair.objects.select_related("region"))


def fair_get(*, who: Any, slug: str) -> Fair:
    return access.get_object(who, Fair.objects.select_related("region"), slug=slug)


def agenda(
    *, who: Any, fair: Fair, kind: str = "", day: datetime.date | None = None
) -> QuerySet[Event]:
    """Return a fair's events in programme order, with rooms, speakers and organisers loaded."""
    events = access.scope(who, Event.objects.filter(fair=fair))
    if kind:
        events = events.filter(kind=kind)
    if day:
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        events = events.filter(
            starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1)
        )
    speakers = EventSpeaker.objects.select_related("speaker__organisation").order_by("sequence")
    return (
        events.select_related("room__venue", "fair")
        .prefetch_related(Prefetch("event_speakers", queryset=speakers), "organisers")
        .order_by("starts_at", "sequence")
    )


def agenda_by_day(events: QuerySet[Event]) -> list[tuple[datetime.date, list[Event]]]:
    """Group events by their local date, in order."""
    days: dict[datetime.date, list[Event]] = defaultdict(list)
    for event in events:
        days[timezone.localtime(event.starts_at).date()].append(event)
    return sorted(days.items())


def event_get(*, who: Any, fair: Fair, pk: int) -> Event:
    qs = Event.objects.filter(fair=fair).select_related("room__venue", "fair")
    speakers = EventSpeaker.objects.select_related("speaker__organisation").order_by("sequence")
    return access.get_object(
        who, qs.prefetch_related(Prefetch("event_speakers", queryset=speakers), "organisers"), pk=pk
    )


def registration_list(
    *, who: Any, fair: Fair, status: str = "", q: str = ""
) -> QuerySet[Registration]:
    """Return the registrations ``who`` may see for a fair, with person, organisation and seats."""
    qs = access.scope(who, Registration.objects.filter(fair=fair))
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(
            Q(person__full_name__icontains=q)
            | Q(person__username__icontains=q)
            | Q(organisation__name_zh__icontains=q)
            | Q(organisation_name__icontains=q)
        )
    seats = EventRegistration.objects.select_related("event").exclude(status=SeatStatus.CANCELLED)
    return (
        qs.select_related("person", "organisation", "badge")
        .prefetch_related(Prefetch("seats", queryset=seats))
        .order_by("created_at", "pk")
    )


def my_registration(*, person: Any, fair: Fair) -> Registration | None:
    seats = EventRegistration.objects.select_related("event").order_by("event__starts_at")
    return (
        Registration.objects.filter(fair=fair, person=person)
        .select_related("badge", "organisation")
        .prefetch_related(Prefetch("seats", queryset=seats))
        .first()
    )


def checkin_list(*, who: Any, fair: Fair) -> QuerySet[CheckIn]:
    qs = access.scope(who, CheckIn.objects.filter(fair=fair))
    return qs.select_related(
        "badge__registration__person", "badge__registration__organisation", "gate", "event"
    )


def arrivals(*, fair: Fair) -> dict[str, Any]:
    """Return live arrival counts per event and per gate (one grouped query each)."""
    by_gate = {
        row["gate"]: row["n"]
        for row in CheckIn.objects.filter(fair=fair).values("gate").annotate(n=Count("pk"))
    }
    by_event = {
        row["event"]: row["n"]
        for row in CheckIn.objects.filter(fair=fair).values("event").annotate(n=Count("pk"))
    }
    gates = list(Gate.objects.filter(fair=fair).select_related("event"))
    events = list(Event.objects.filter(fair=fair).order_by("starts_at", "sequence"))
    return {
        "fair_total": by_event.get(None, 0),
        "gates": [(gate, by_gate.get(gate.pk, 0)) for gate in gates],
        "events": [(event, by_event.get(event.pk, 0)) for event in events],
        "registered": Registration.objects.filter(fair=fair, status="approved").count(),
    }


# Public pages ---------------------------------------------------------------------------------


def fair_speakers(*, who: Any, fair: Fair) -> QuerySet[Any]:
    """Return the speakers of a fair's visible events, each with its appearances loaded.

    Each speaker carries ``appearances``: its ``EventSpeaker`` rows at this fair's visible
    events, with the event loaded, in programme order.
    """
    from xiqia.fair.models import Speaker

    events = access.scope(who, Event.objects.filter(fair=fair))
    appearances = (
        EventSpeaker.objects.filter(event__in=events)
        .select_related("event")
        .order_by("event__starts_at", "event__sequence", "sequence")
    )
    return (
        access.scope(who, Speaker.objects.filter(event_speakers__event__in=events))
        .distinct()
        .select_related("organisation")
        .prefetch_related(Prefetch("event_speakers", queryset=appearances, to_attr="appearances"))
        .order_by("name_zh", "pk")
    )


# Organiser pages ------------------------------------------------------------------------------


def fair_gates(*, who: Any, fair: Fair) -> QuerySet[Gate]:
    """Return the fair's gates ``who`` may see, with their events, in code order."""
    return (
        access.scope(who, Gate.objects.filter(fair=fair)).select_related("event").order_by("code")
    )


def registration_counts(*, who: Any, fair: Fair) -> dict[str, int]:
    """Return how many of the fair's registrations ``who`` sees, per status (one query)."""
    rows = access.scope(who, Registration.objects.filter(fair=fair)).values("status")
    return {row["status"]: row["n"] for row in rows.annotate(n=Count("pk")).order_by()}


def scan_list(*, who: Any, fair: Fair) -> QuerySet[Any]:
    """Return the scans reported at the fair's gates, newest first, with badge holder and gate."""
    from xiqia.fair.models import Scan

    return (
        access.scope(who, Scan.objects.filter(gate__fair=fair))
        .select_related("gate", "badge__registration__person")
        .order_by("-received_at", "-pk")
    )


def fair_public_key(*, fair: Fair) -> str:
    """Return the fair's public signing key, or "" before the first badge was issued."""
    from xiqia.fair.models import FairKey

    return FairKey.objects.filter(fair=fair).values_list("public_key", flat=True).first() or ""


# A gate and its fair's public key, per process, for a few seconds: a busy gate scans several
# badges a second and they do not change in between. Refreshed after GATE_CACHE_SECONDS, so an
# edited or deleted gate is seen within that time.
GATE_CACHE_SECONDS = 30.0
_gates: dict[int, tuple[float, Gate]] = {}
_gates_lock = threading.Lock()


def gate_for_scanning(*, pk: int) -> Gate | None:
    """Return a gate with its fair, signing key and event loaded, or None if there is none."""
    now = time.monotonic()
    cached = _gates.get(pk)
    if cached is not None and now - cached[0] < GATE_CACHE_SECONDS:
        return cached[1]
    gate = Gate.objects.select_related("fair__signing_key", "event").filter(pk=pk).first()
    with _gates_lock:
        if gate is None:
            _gates.pop(pk, None)
        else:
            _gates[pk] = (now, gate)
    return gate


def forget_gates() -> None:
    """Drop the cached gates (after a change of gates or keys, and between tests)."""
    with _gates_lock:
        _gates.clear()
