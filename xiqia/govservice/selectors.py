"""Reads for government services: work queues, what an officer may do, what an applicant sees."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, When
from django.utils import timezone

from xiqia.accounts import access
from xiqia.accounts.models import Role
from xiqia.core import freetext, personal
from xiqia.core.models import localized
from xiqia.govservice import deadlines
from xiqia.govservice.models import (
    OPEN_REQUEST_STATES,
    Case,
    CasePause,
    CaseState,
    CaseTransition,
    EnterpriseRequest,
    FollowUp,
    Grade,
    MatterVersion,
    RequestReminder,
    RequestState,
    RequestStep,
    WindowStaff,
)
from xiqia.govservice.services import SIDE_KINDS
from xiqia.govservice.transitions import TABLE, Action, Side, actions_from

FINISHED = (CaseState.REJECTED, CaseState.CLOSED, CaseState.RATED, CaseState.WITHDRAWN)
NEARLY_DUE_WORKING_DAYS = 2

# The states in which the legal clock runs: accepted and not yet decided.
CLOCK_RUNNING = (
    CaseState.ACCEPTED,
    CaseState.IN_TRANSIT,
    CaseState.DELIVERED,
    CaseState.REVIEW_SCHEDULED,
    CaseState.REVIEWED,
)


def clock_running_q() -> Q:
    """Cases whose clock runs: accepted, not decided, and not paused by a pause that began on
    or before the deadline (a pause that begins after the deadline moves nothing)."""
    paused = CasePause.objects.filter(
        case=OuterRef("pk"), last_day__isnull=True, first_day__lte=OuterRef("deadline")
    )
    return Q(state__in=CLOCK_RUNNING, deadline__isnull=False) & ~Exists(paused)


def overdue_q(today: datetime.date) -> Q:
    """Overdue cases: a running clock past its deadline. The one definition of the work queue
    and the supervision dashboard (a case decided before its deadline is never overdue)."""
    return clock_running_q() & Q(deadline__lt=today)


def states_of(side: Side) -> list[str]:
    """Return the states in which the next step is taken by ``side`` (pauses aside)."""
    quiet = {Action.PAUSE, Action.RESUME, Action.EXTEND, Action.WITHDRAW}
    return sorted(
        {
            state
            for (state, action), move in TABLE.items()
            if move.side == side and action not in quiet
        }
    )


def posts_of(user: Any) -> list[tuple[str, int]]:
    """Return the (kind, region id) of every window post the user holds."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(WindowStaff.objects.filter(user=user).values_list("kind", "window__region_id"))


def sides_for(user: Any, case: Case, posts: list[tuple[str, int]] | None = None) -> set[Side]:
    """Return the sides of ``case`` on which ``user`` may act."""
    if access.principal_for(user).is_admin:
        return {Side.RECEIVING, Side.HANDLING}
    posts = posts_of(user) if posts is None else posts
    sides = set()
    for side, region_id in (
        (Side.RECEIVING, case.receiving_region_id),
        (Side.HANDLING, case.handling_region_id),
    ):
        if any(kind in SIDE_KINDS[side] and region == region_id for kind, region in posts):
            sides.add(side)
    return sides


def sees_applicant(user: Any, case: Case, posts: list[tuple[str, int]] | None = None) -> bool:
    """Return whether ``user`` may read the applicant's name in full.

    Only staff posted at a window of one of the case's two districts handle the applicant;
    everyone else (analysts, administrators outside the back office, other districts) reads
    the name masked.
    """
    posts = posts_of(user) if posts is None else posts
    regions = {case.receiving_region_id, case.handling_region_id}
    return any(region in regions for _kind, region in posts)


def applicant_name_for(user: Any, case: Case, posts: list[tuple[str, int]] | None = None) -> str:
    """Return the applicant's name as ``user`` may read it: in full or masked."""
    if sees_applicant(user, case, posts):
        return case.applicant_name
    return personal.mask_name(case.applicant_name)


def allowed_actions(user: Any, case: Case) -> list[Action]:
    """Return the actions of the table that ``user`` may take on ``case`` now."""
    sides = sides_for(user, case)
    actions = [
        action
        for action in actions_from(case.state)
        if TABLE[(CaseState(case.state), action)].side in sides
    ]
    if Action.PAUSE in actions or Action.RESUME in actions:
        paused = case.pauses.filter(last_day__isnull=True).exists()
        actions.remove(Action.PAUSE if paused else Action.RESUME)
    return actions


def nearly_due_until(today: datetime.date) -> datetime.date:
    """Return the last day that counts as nearly due (a few working days from today)."""
    return deadlines.case_deadline(today, NEARLY_DUE_WORKING_DAYS)[0]


def work_queue(*, who: Any, today: datetime.date | None = None) -> list[Case]:
    """Return the cases waiting for the user's next step, soonest deadline first.

    Clerks see the cases of their district waiting at the receiving side; reviewers those
    waiting at the handling side. Each case carries ``overdue`` (:func:`overdue_q`) and
    ``nearly_due`` (a running clock whose deadline is within a few working days).
    """
    today = today or timezone.localdate()
    posts = posts_of(who.user if hasattr(who, "user") else who)
    q = Q(pk__in=[])
    for side in (Side.RECEIVING, Side.HANDLING):
        regions = {region for kind, region in posts if kind in SIDE_KINDS[side]}
        if regions:
            q |= Q(**{f"{side.value}_region__in": regions}, state__in=states_of(side))
    cases = list(
        access.scope(who, Case.objects.all())
        .filter(q)
        .select_related("matter_version", "receiving_region", "handling_region")
        .annotate(
            clock_running=DbCase(When(clock_running_q(), then=True), default=False),
            is_overdue=DbCase(When(overdue_q(today), then=True), default=False),
        )
        .order_by(F("deadline").asc(nulls_last=True), "received_at")
    )
    soon = nearly_due_until(today) if cases else today
    for case in cases:
        case.overdue = case.is_overdue
        case.nearly_due = case.clock_running and not case.overdue and case.deadline <= soon
    return cases


def calendar_warning_year(today: datetime.date | None = None) -> int | None:
    """Return next year when its official calendar is still unknown from 1 November on.

    The State Council publishes next year's holidays each November; until an administrator
    enters them, deadlines reaching next year are provisional.
    """
    from xiqia.core.workdays import calendar_for

    today = today or timezone.localdate()
    next_year = today.year + 1
    first = datetime.date(next_year, 1, 1)
    # One query whatever the month, so that a page's query count does not depend on the date.
    known = calendar_for(first, first).covers_year(next_year)
    return None if known or today.month < 11 else next_year


def case_steps(case: Case) -> QuerySet[CaseTransition]:
    """Return the steps of a case, oldest first (what the applicant is shown: no names)."""
    return case.transitions.order_by("at", "id")


def follow_ups(*, who: Any) -> QuerySet[FollowUp]:
    """Return the follow-ups of poor case and request ratings the user supervises, open first."""
    return (
        access.scope(who, FollowUp.objects.all())
        .select_related("rating__case__matter_version", "request", "region", "closed_by")
        .order_by("closed_at", "opened_at")
    )


# The supervision dashboard ---------------------------------------------------------------------


@dataclass(frozen=True)
class Supervision:
    """The figures of the supervision dashboard, over the cases in the user's reach."""

    per_matter_district: list[dict[str, Any]]
    decided: int
    decided_within_limit: int
    overdue: list[Case]
    median_minutes_to_acceptance: float | None
    grades: list[dict[str, Any]]

    @property
    def share_within_limit(self) -> float | None:
        """The share of decided cases decided by their deadline (0–1), None when none."""
        return self.decided_within_limit / self.decided if self.decided else None


def supervision(*, who: Any, today: datetime.date | None = None) -> Supervision:
    """Return the dashboard's figures (each a few aggregate queries)."""
    today = today or timezone.localdate()
    cases = access.scope(who, Case.objects.all())
    per = list(
        cases.values(
            "matter_version__matter__code",
            "receiving_region__code",
            "receiving_region__name_zh",
            "receiving_region__name_en",
        )
        .annotate(count=Count("id"))
        .order_by("-count", "matter_version__matter__code", "receiving_region__code")
    )
    names = {
        code: localized(zh, en)
        for code, zh, en in MatterVersion.objects.filter(
            is_current=True, matter__code__in={row["matter_version__matter__code"] for row in per}
        ).values_list("matter__code", "name_zh", "name_en")
    }
    per_matter_district = [
        {
            "matter": row["matter_version__matter__code"],
            "matter_name": names.get(row["matter_version__matter__code"], ""),
            "district": row["receiving_region__code"],
            "district_name": localized(
                row["receiving_region__name_zh"], row["receiving_region__name_en"]
            ),
            "count": row["count"],
        }
        for row in per
    ]
    decided = cases.filter(decided_on__isnull=False, deadline__isnull=False)
    figures = decided.aggregate(
        decided=Count("id"), within=Count("id", filter=Q(decided_on__lte=F("deadline")))
    )
    overdue = list(
        cases.filter(overdue_q(today))
        .select_related("matter_version", "receiving_region", "handling_region")
        .order_by("deadline", "id")
    )
    minutes = [
        (accepted - received).total_seconds() / 60
        for received, accepted in cases.filter(accepted_at__isnull=False).values_list(
            "received_at", "accepted_at"
        )
    ]
    counts = dict(
        cases.filter(rating__isnull=False)
        .values("rating__grade")
        .annotate(count=Count("id"))
        .values_list("rating__grade", "count")
    )
    grades = [
        {"grade": grade.value, "label": str(grade.label), "count": counts.get(grade.value, 0)}
        for grade in sorted(Grade, key=lambda g: -g.value)
    ]
    return Supervision(
        per_matter_district=per_matter_district,
        decided=figures["decided"],
        decided_within_limit=figures["within"],
        overdue=overdue,
        median_minutes_to_acceptance=statistics.median(minutes) if minutes else None,
        grades=grades,
    )


# The enterprise green channel ------------------------------------------------------------------


def request_queue(
    *, who: Any, now: datetime.datetime | None = None, finished: bool = False
) -> list[EnterpriseRequest]:
    """Return the requests in the user's reach, soonest time limit first.

    Open and answered requests by default (those that wait for an officer), the finished ones
    (closed, rated) with ``finished``. Each carries ``overdue`` (its limit has passed while it
    is still open), ``nearly_due`` (its reminder moment has come) and ``reminded`` (a reminder
    row exists).
    """
    now = now or timezone.now()
    waiting = [*OPEN_REQUEST_STATES, RequestState.ANSWERED]
    rows = (
        access.scope(who, EnterpriseRequest.objects.all())
        .select_related("region")
        .annotate(
            reminded=Exists(RequestReminder.objects.filter(request=OuterRef("pk"))),
        )
    )
    if finished:
        rows = rows.exclude(state__in=waiting).order_by("-received_at", "-id")
    else:
        rows = rows.filter(state__in=waiting).order_by("due_at", "id")
    requests = list(rows)
    for request in requests:
        request.overdue = request.is_open and request.due_at < now
        request.nearly_due = request.is_open and not request.overdue and request.remind_at <= now
    return requests


def sees_contact(user: Any, request: EnterpriseRequest) -> bool:
    """Return whether ``user`` reads the contact's name in full: officers of its district."""
    principal = access.principal_for(user)
    return principal.has(Role.DISTRICT_OFFICER) and principal.covers_region_code(
        request.region.code
    )


def free_text_for(user: Any, request: EnterpriseRequest, value: Any) -> str:
    """Return a free text of the request (body, note, answer) as ``user`` may read it: the ID
    and mobile numbers typed into it as typed for the district's officers (who see the contact
    in full), masked for everyone else (``core.freetext``)."""
    return freetext.text_for(value, sees_contact(user, request))


def contact_name_for(user: Any, request: EnterpriseRequest) -> str:
    """Return the contact's name as ``user`` may read it: in full or masked."""
    if sees_contact(user, request):
        return request.contact_name
    return personal.mask_name(request.contact_name)


def request_steps(request: EnterpriseRequest) -> QuerySet[RequestStep]:
    """Return a request's steps, oldest first."""
    return request.steps.order_by("at", "id")


def request_actions(user: Any, request: EnterpriseRequest) -> list[str]:
    """Return the officer actions ``user`` may take on ``request`` now."""
    from xiqia.govservice import green_channel

    if not getattr(user, "is_authenticated", False):
        return []
    if not green_channel.may_act(user, request.region):
        return []
    return [
        action
        for (state, action) in green_channel.TABLE
        if state == request.state and action in green_channel.OFFICER_ACTIONS
    ]


@dataclass(frozen=True)
class GreenChannelFigures:
    """The green channel's figures on the supervision dashboard, over the requests in reach."""

    per_kind: list[dict[str, Any]]
    answered: int
    answered_within_limit: int
    open_overdue: int

    @property
    def share_within_limit(self) -> float | None:
        """The share of answered requests answered by their limit (0–1), None when none."""
        return self.answered_within_limit / self.answered if self.answered else None


def green_channel_figures(*, who: Any, now: datetime.datetime | None = None) -> GreenChannelFigures:
    """Return requests per kind, the share answered within the limit and the open overdue."""
    from xiqia.govservice.models import RequestKind

    now = now or timezone.now()
    requests = access.scope(who, EnterpriseRequest.objects.all())
    counts = dict(requests.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    figures = requests.aggregate(
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        within=Count("id", filter=Q(answered_at__isnull=False, answered_at__lte=F("due_at"))),
        overdue=Count("id", filter=Q(state__in=OPEN_REQUEST_STATES, due_at__lt=now)),
    )
    return GreenChannelFigures(
        per_kind=[
            {"kind": kind.value, "label": str(kind.label), "count": counts.get(kind.value, 0)}
            for kind in RequestKind
        ],
        answered=figures["answered"],
        answered_within_limit=figures["within"],
        open_overdue=figures["overdue"],
    )
