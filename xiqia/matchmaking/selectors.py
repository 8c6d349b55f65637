"""Reads for matchmaking: recommendations with reasons, requests, agendas, notices, figures.

Every list loads its relations up front, so it costs the same number of queries for 1 row as
for 100 (tests/matchmaking/test_queries.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from xiqia.accounts import access
from xiqia.core.models import Region
from xiqia.core.text import words
from xiqia.fair.models import Fair, RegistrationStatus
from xiqia.matchmaking import recommend
from xiqia.matchmaking.models import (
    Attendance,
    Hidden,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Need,
    Notification,
    Profile,
    RequestStatus,
    SchedulePlan,
    Slot,
    Table,
)

PROFILE_RELATED = (
    "registration__person",
    "registration__organisation__region",
    "registration__fair",
)


def profile_of(user: Any, fair: Fair) -> Profile | None:
    """Return the user's profile at a fair, or None."""
    if not user.is_authenticated:
        return None
    return (
        Profile.objects.select_related(*PROFILE_RELATED)
        .prefetch_related("industries", "regions", "windows")
        .filter(registration__fair=fair, registration__person=user)
        .first()
    )


# Recommendations --------------------------------------------------------------------------------


def _words(profile: Profile) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of a profile's free text, cached until the profile changes."""
    key = f"matchmaking:words:{profile.pk}:{profile.updated_at.timestamp()}"
    found = cache.get(key)
    if found is None:
        found = (tuple(words(profile.offers_text)), tuple(words(profile.seeks_text)))
        cache.set(key, found, 24 * 3600)
    return found


def as_person(profile: Profile) -> recommend.Person:
    offer_words, seek_words = _words(profile)
    organisation = profile.registration.organisation
    return recommend.Person(
        id=profile.pk,
        role=profile.role,
        industries=frozenset(i.pk for i in profile.industries.all()),
        offers=frozenset(profile.offers),
        seeks=frozenset(profile.seeks),
        regions=tuple(r.code for r in profile.regions.all()),
        home_region=organisation.region.code if organisation else "",
        languages=frozenset(profile.languages),
        offer_words=offer_words,
        seek_words=seek_words,
    )


@dataclass
class Suggestion:
    profile: Profile
    score: float
    reasons: list[str] = field(default_factory=list)


def _join(items: list[str]) -> str:
    return _(", ").join(items)


def reason_text(reason: recommend.Reason, regions: dict[str, str]) -> str:
    """Return one reason as a sentence in the reader's language."""
    needs = [str(Need(code).label) for code in reason.items if code in Need.values]
    if reason.kind == "industries":
        return _("Both in %(industries)s.") % {"industries": _join(list(reason.items))}
    if reason.kind == "they_offer":
        return _("You seek %(needs)s; they offer it.") % {"needs": _join(needs)}
    if reason.kind == "they_seek":
        return _("They seek %(needs)s, which you offer.") % {"needs": _join(needs)}
    if reason.kind == "region":
        return _("They are in %(region)s, a region you are interested in.") % {
            "region": regions.get(reason.items[0], reason.items[0])
        }
    if reason.kind == "region_back":
        return _("You are in %(region)s, a region they are interested in.") % {
            "region": regions.get(reason.items[0], reason.items[0])
        }
    if reason.kind == "text":
        return _("What they offer matches what you seek: %(words)s.") % {
            "words": _join(list(reason.items))
        }
    return _("Similar to people you chose to meet.")


def recommendations(profile: Profile, limit: int = 10) -> list[Suggestion]:
    """Return counterparts for ``profile``, best first, each with reasons in words.

    Left out: yourself, invisible profiles, anyone you hid or who hid you, anyone you already
    meet or have an open request with. Learning: people you sent requests to or accepted are
    "chosen"; people whose requests you declined are "declined".
    """
    pool = list(
        Profile.objects.filter(
            registration__fair_id=profile.registration.fair_id,
            registration__status=RegistrationStatus.APPROVED,
            is_visible=True,
        )
        .select_related(*PROFILE_RELATED)
        .prefetch_related("industries", "regions")
    )
    people = [as_person(p) for p in pool]
    me = next((p for p in people if p.id == profile.pk), None) or as_person(profile)
    hidden = Hidden.objects.filter(Q(profile=profile) | Q(hidden=profile)).values_list(
        "profile_id", "hidden_id"
    )
    exclude = {pid for pair in hidden for pid in pair}
    meetings = (
        Meeting.objects.filter(Q(a=profile) | Q(b=profile))
        .exclude(status=MeetingStatus.CANCELLED)
        .values_list("a_id", "b_id")
    )
    exclude |= {pid for pair in meetings for pid in pair}
    chosen, declined = set(), set()
    for sender, recipient, status in MeetingRequest.objects.filter(
        Q(sender=profile) | Q(recipient=profile)
    ).values_list("sender_id", "recipient_id", "status"):
        other = recipient if sender == profile.pk else sender
        if status == RequestStatus.PENDING:
            exclude.add(other)
        elif sender == profile.pk or status == RequestStatus.ACCEPTED:
            chosen.add(other)
        elif status == RequestStatus.DECLINED:
            declined.add(other)
    exclude.discard(profile.pk)
    ranked = recommend.recommend(
        me,
        people,
        exclude=exclude | chosen | declined,
        accepted=chosen,
        declined=declined,
        limit=limit,
    )
    by_id = {p.pk: p for p in pool}
    industry_names = {i.pk: i.name for p in pool for i in p.industries.all()}
    codes = {r.items[0] for rec in ranked for r in rec.reasons if r.kind.startswith("region")}
    regions = {r.code: r.name for r in Region.objects.filter(code__in=codes).order_by("valid_from")}
    out = []
    for rec in ranked:
        texts = []
        for reason in rec.reasons:
            if reason.kind == "industries":
                reason = recommend.Reason(
                    "industries", tuple(industry_names.get(i, str(i)) for i in reason.items)
                )
            texts.append(reason_text(reason, regions))
        out.append(Suggestion(profile=by_id[rec.person_id], score=rec.score, reasons=texts))
    return out


# Requests, agenda, notices ----------------------------------------------------------------------


def _request_rows() -> QuerySet[MeetingRequest]:
    return MeetingRequest.objects.select_related(
        "sender__registration__person",
        "sender__registration__organisation",
        "recipient__registration__person",
        "recipient__registration__organisation",
    )


def requests_incoming(profile: Profile) -> QuerySet[MeetingRequest]:
    return _request_rows().filter(recipient=profile)


def proposals(fair: Fair) -> QuerySet[MeetingRequest]:
    """Return the organisers' proposals at a fair, newest first."""
    return _request_rows().filter(sender__registration__fair=fair, proposed_by_organiser=True)


def requests_outgoing(profile: Profile) -> QuerySet[MeetingRequest]:
    return _request_rows().filter(sender=profile)


def _meeting_rows() -> QuerySet[Meeting]:
    return Meeting.objects.select_related(
        "request",
        "slot",
        "table__room__venue",
        "fair",
        "a__registration__person",
        "a__registration__organisation",
        "b__registration__person",
        "b__registration__organisation",
    )


def meeting_list(who: Any) -> QuerySet[Meeting]:
    return access.scope(who, _meeting_rows())


def meetings_without_attendance(fair: Fair, now: Any) -> QuerySet[Meeting]:
    """Return a fair's scheduled meetings whose slot has ended and whose attendance is open.

    These are the organiser's no-show candidates: neither held (both sides checked in) nor
    marked as a no-show yet.
    """
    return (
        _meeting_rows()
        .filter(
            fair=fair,
            status=MeetingStatus.PUBLISHED,
            slot__ends_at__lte=now,
            attendance=Attendance.EXPECTED,
        )
        .order_by("slot__starts_at", "table__code", "pk")
    )


def agenda(profile: Profile) -> QuerySet[Meeting]:
    """Return a person's meetings: scheduled ones by time, then those not yet placed."""
    return (
        _meeting_rows()
        .filter(Q(a=profile) | Q(b=profile))
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("slot__starts_at", "pk")
    )


def notifications(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("meeting")


# Organiser figures ------------------------------------------------------------------------------


@dataclass
class Figures:
    requests_sent: int
    requests_accepted: int
    requests_declined: int
    requests_pending: int
    meetings: int
    meetings_placed: int
    meetings_held: int
    no_shows: int
    no_show_rate: float
    busiest: list[tuple[Slot, int]]
    plan: SchedulePlan | None
    preview: SchedulePlan | None


def figures(fair: Fair) -> Figures:
    """Return the organiser dashboard's figures for a fair."""
    statuses = Counter(
        dict(
            MeetingRequest.objects.filter(sender__registration__fair=fair)
            .values_list("status")
            .annotate(n=Count("pk"))
        )
    )
    meetings = Meeting.objects.filter(fair=fair).exclude(status=MeetingStatus.CANCELLED)
    placed = meetings.filter(status=MeetingStatus.PUBLISHED)
    held = placed.filter(attendance=Attendance.HELD).count()
    no_shows = placed.filter(attendance=Attendance.NO_SHOW).count()
    busiest = list(
        Slot.objects.filter(fair=fair)
        .annotate(n=Count("meetings", filter=Q(meetings__status=MeetingStatus.PUBLISHED)))
        .order_by("starts_at")
    )
    plans = SchedulePlan.objects.filter(fair=fair)
    return Figures(
        requests_sent=sum(statuses.values()),
        requests_accepted=statuses[RequestStatus.ACCEPTED],
        requests_declined=statuses[RequestStatus.DECLINED],
        requests_pending=statuses[RequestStatus.PENDING],
        meetings=meetings.count(),
        meetings_placed=placed.count(),
        meetings_held=held,
        no_shows=no_shows,
        no_show_rate=(no_shows / (held + no_shows)) if held + no_shows else 0.0,
        busiest=[(slot, slot.n) for slot in busiest],
        plan=plans.filter(status="published").first(),
        preview=plans.filter(status="preview").first(),
    )


def slots_and_tables(fair: Fair) -> tuple[QuerySet[Slot], QuerySet[Table]]:
    return (
        Slot.objects.filter(fair=fair).annotate(
            n=Count("meetings", filter=Q(meetings__status=MeetingStatus.PUBLISHED))
        ),
        Table.objects.filter(fair=fair).select_related("room__venue"),
    )
