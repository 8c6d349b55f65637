"""Writes for matchmaking: profiles, requests, the schedule, check-in and outcomes.

Per-person limits (open requests, meetings) are checked with the person's profile row locked
(``select_for_update``), so two requests racing for the last place are serialised.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from xiqia.accounts import access
from xiqia.accounts.models import Role
from xiqia.core.errors import Conflict, DomainError
from xiqia.core.origin import Origin
from xiqia.fair.models import Fair, Registration, RegistrationStatus
from xiqia.matchmaking import planning, scheduling
from xiqia.matchmaking.models import (
    Attendance,
    AvailabilityWindow,
    Hidden,
    MatchmakingSettings,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    NoticeKind,
    Notification,
    Outcome,
    PlanKind,
    PlanStatus,
    Profile,
    ProposalPolicy,
    RequestStatus,
    SchedulePlan,
    Slot,
    Table,
)

# How early before its slot a meeting may be checked in.
CHECK_IN_EARLY = datetime.timedelta(minutes=30)
ORGANISER_PRIORITY = 2.0


def _runs_fairs(actor: Any) -> bool:
    principal = access.principal_for(actor)
    return principal.is_admin or principal.has(Role.FAIR_ORGANISER)


def _require_organiser(actor: Any) -> None:
    if actor is not None and not _runs_fairs(actor):
        raise PermissionDenied


def _is_person(actor: Any, profile: Profile) -> bool:
    return actor is not None and actor.pk == profile.registration.person_id


def settings_for(fair: Fair) -> MatchmakingSettings:
    """Return the fair's matchmaking settings (the defaults until an organiser changes them)."""
    found, _created = MatchmakingSettings.objects.get_or_create(fair=fair)
    return found


@transaction.atomic
def settings_update(
    *,
    fair: Fair,
    actor: Any,
    max_open_requests: int,
    max_meetings: int,
    organiser_proposals: str | None = None,
) -> MatchmakingSettings:
    """Change the fair's per-person limits and proposal policy (organisers)."""
    _require_organiser(actor)
    found = MatchmakingSettings.objects.select_for_update().get(pk=settings_for(fair).pk)
    found.max_open_requests = max_open_requests
    found.max_meetings = max_meetings
    if organiser_proposals is not None:
        found.organiser_proposals = organiser_proposals
    found.full_clean()
    found._history_user = actor  # type: ignore[attr-defined]
    found.save()
    return found


# Profiles --------------------------------------------------------------------------------------


def _fair_bounds(fair: Fair) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(fair.starts_on, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        fair.ends_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return start, end


def _check_windows(
    fair: Fair, windows: Sequence[tuple[datetime.datetime, datetime.datetime]]
) -> None:
    start, end = _fair_bounds(fair)
    for begins, ends in windows:
        if ends <= begins:
            raise ValidationError({"windows": [_("A window must end after it begins.")]})
        if begins < start or ends > end:
            raise ValidationError(
                {"windows": [_("Availability must lie within the days of the fair.")]}
            )


@transaction.atomic
def profile_update(
    *,
    registration: Registration,
    actor: Any,
    role: str = "enterprise",
    industries: Iterable[Any] = (),
    offers: Sequence[str] = (),
    seeks: Sequence[str] = (),
    offers_text: str = "",
    seeks_text: str = "",
    investment_size: str = "",
    regions: Iterable[Any] = (),
    languages: Sequence[str] = (),
    is_visible: bool = True,
    windows: Sequence[tuple[datetime.datetime, datetime.datetime]] | None = None,
    origin: str = Origin.ENTERED,
) -> Profile:
    """Create or change the matchmaking profile of an approved registration.

    ``windows`` replaces the availability windows; ``None`` leaves them as they are.
    """
    registration = Registration.objects.select_related("fair").get(pk=registration.pk)
    if registration.status != RegistrationStatus.APPROVED:
        raise DomainError(
            _("Only approved participants of the fair take part in matchmaking."),
            code="not_participating",
        )
    profile = Profile.objects.select_for_update().filter(
        registration=registration
    ).first() or Profile(registration=registration, origin=origin)
    if actor is not None:
        if profile.pk is None:
            if not access.can_create(actor, Profile, profile):
                raise PermissionDenied
        else:
            access.require(actor, access.Action.CHANGE, profile)
    profile.registration = registration
    profile.role = role
    profile.offers = list(dict.fromkeys(offers))
    profile.seeks = list(dict.fromkeys(seeks))
    profile.offers_text = offers_text.strip()
    profile.seeks_text = seeks_text.strip()
    profile.investment_size = investment_size
    profile.languages = list(dict.fromkeys(languages))
    profile.is_visible = is_visible
    profile.updated_at = timezone.now()
    profile.full_clean(exclude=["registration"])
    if windows is not None:
        _check_windows(registration.fair, windows)
    profile._history_user = actor  # type: ignore[attr-defined]
    profile.save()
    profile.industries.set(list(industries))
    profile.regions.set(list(regions))
    if windows is not None:
        profile.windows.all().delete()
        AvailabilityWindow.objects.bulk_create(
            AvailabilityWindow(profile=profile, starts_at=begins, ends_at=ends)
            for begins, ends in sorted(windows)
        )
    return profile


@transaction.atomic
def hide(*, profile: Profile, hidden: Profile, actor: Any) -> Hidden:
    """Hide a participant from your recommendations; they can no longer send you requests."""
    if actor is not None and not _is_person(actor, profile):
        raise PermissionDenied
    if profile.pk == hidden.pk:
        raise DomainError(_("You cannot hide yourself."), code="self")
    found, _created = Hidden.objects.get_or_create(profile=profile, hidden=hidden)
    return found


@transaction.atomic
def unhide(*, profile: Profile, hidden: Profile, actor: Any) -> None:
    """Show a hidden participant again."""
    if actor is not None and not _is_person(actor, profile):
        raise PermissionDenied
    Hidden.objects.filter(profile=profile, hidden=hidden).delete()


# Requests --------------------------------------------------------------------------------------


def _locked_profiles(*profiles: Profile) -> dict[int, Profile]:
    """Lock the profiles in primary-key order (no deadlock between two accepts)."""
    rows = (
        Profile.objects.select_for_update()
        .select_related("registration__fair", "registration__person")
        .filter(pk__in=[p.pk for p in profiles])
        .order_by("pk")
    )
    return {p.pk: p for p in rows}


def _active_meetings(profile: Profile) -> int:
    return (
        Meeting.objects.filter(Q(a=profile) | Q(b=profile))
        .exclude(status=MeetingStatus.CANCELLED)
        .count()
    )


def _open_requests(profile: Profile) -> int:
    return MeetingRequest.objects.filter(
        sender=profile, status=RequestStatus.PENDING, proposed_by_organiser=False
    ).count()


def _check_pair(sender: Profile, recipient: Profile) -> None:
    """The rules every new request obeys, whoever makes it."""
    if sender.pk == recipient.pk:
        raise DomainError(_("You cannot ask to meet yourself."), code="self_request")
    if sender.registration.fair_id != recipient.registration.fair_id:
        raise DomainError(_("Both people must take part in the same fair."), code="other_fair")
    for side in (sender, recipient):
        if side.registration.status != RegistrationStatus.APPROVED:
            raise DomainError(
                _("Only approved participants of the fair take part in matchmaking."),
                code="not_participating",
            )
    if not recipient.is_visible:
        raise DomainError(_("This participant is not taking requests."), code="not_visible")
    if Hidden.objects.filter(
        Q(profile=recipient, hidden=sender) | Q(profile=sender, hidden=recipient)
    ).exists():
        raise DomainError(_("You cannot send this participant a request."), code="not_available")
    pending = MeetingRequest.objects.filter(status=RequestStatus.PENDING)
    if pending.filter(sender=sender, recipient=recipient).exists():
        raise Conflict(_("A request to this participant is already open."), code="duplicate")
    if pending.filter(sender=recipient, recipient=sender).exists():
        raise Conflict(
            _("They have already asked to meet you: accept their request instead."),
            code="reverse_pending",
        )
    if (
        Meeting.objects.filter(Q(a=sender, b=recipient) | Q(a=recipient, b=sender))
        .exclude(status=MeetingStatus.CANCELLED)
        .exists()
    ):
        raise Conflict(_("You already have a meeting with this participant."), code="already_met")


def _check_meeting_limit(profile: Profile, limits: MatchmakingSettings, *, own: bool) -> None:
    if _active_meetings(profile) >= limits.max_meetings:
        message = (
            _("You already have the most meetings allowed (%(n)d).")
            if own
            else _("%(name)s already has the most meetings allowed (%(n)d).")
        )
        raise DomainError(
            message % {"n": limits.max_meetings, "name": profile.display_name},
            code="meeting_limit",
        )


def _notify(
    profile: Profile,
    kind: str,
    *,
    counterpart: Profile,
    meeting: Meeting | None = None,
    request: MeetingRequest | None = None,
) -> Notification:
    return Notification(
        recipient_id=profile.registration.person_id,
        kind=kind,
        meeting=meeting,
        request=request,
        counterpart_name=counterpart.display_name,
        slot_label=str(meeting.slot) if meeting is not None and meeting.slot_id else "",
        table_label=str(meeting.table) if meeting is not None and meeting.table_id else "",
    )


@transaction.atomic
def request_send(
    *,
    sender: Profile,
    recipient: Profile,
    actor: Any,
    message: str = "",
    origin: str = Origin.ENTERED,
    now: datetime.datetime | None = None,
) -> MeetingRequest:
    """Ask another participant of the same fair for a 1:1 meeting."""
    if actor is not None and not _is_person(actor, sender):
        raise PermissionDenied
    locked = _locked_profiles(sender, recipient)
    sender, recipient = locked[sender.pk], locked.get(recipient.pk, sender)
    _check_pair(sender, recipient)
    limits = settings_for(sender.registration.fair)
    if _open_requests(sender) >= limits.max_open_requests:
        raise DomainError(
            _("You have %(n)d open requests, the most allowed: wait for answers or withdraw one.")
            % {"n": limits.max_open_requests},
            code="open_request_limit",
        )
    _check_meeting_limit(sender, limits, own=True)
    request = MeetingRequest(
        sender=sender,
        recipient=recipient,
        message=message.strip(),
        origin=origin,
        created_at=now or timezone.now(),
    )
    request.full_clean()
    request._history_user = actor  # type: ignore[attr-defined]
    request.save()
    _notify(recipient, NoticeKind.REQUEST_RECEIVED, counterpart=sender, request=request).save()
    return request


def _meeting_for(
    request: MeetingRequest,
    sender: Profile,
    recipient: Profile,
    actor: Any,
    now: datetime.datetime,
    origin: str,
) -> Meeting:
    """Close ``request`` as accepted and make the meeting to be scheduled."""
    _close(request, RequestStatus.ACCEPTED, actor, now)
    meeting = Meeting(
        request=request,
        fair_id=recipient.registration.fair_id,
        a=sender,
        b=recipient,
        priority=ORGANISER_PRIORITY if request.proposed_by_organiser else 1.0,
        accepted_at=now,
        origin=origin,
    )
    meeting._history_user = actor  # type: ignore[attr-defined]
    meeting.save()
    return meeting


@transaction.atomic
def organiser_propose(
    *,
    sender: Profile,
    recipient: Profile,
    actor: Any,
    message: str = "",
    origin: str = Origin.ENTERED,
    now: datetime.datetime | None = None,
) -> MeetingRequest:
    """Propose that two participants meet (organisers).

    Under the fair's default policy (``ProposalPolicy.ASK_BOTH``) the proposal goes to both
    people and becomes a meeting once both have accepted; either may decline. Under
    ``ProposalPolicy.ACCEPTED`` it is an accepted meeting at once, as when a b2match organiser
    switches "Meeting is accepted" on. Either way both people's meeting limits hold; a proposal
    does not count against anyone's open-request limit, and its meeting has a higher priority
    in the schedule.
    """
    _require_organiser(actor)
    now = now or timezone.now()
    locked = _locked_profiles(sender, recipient)
    sender, recipient = locked[sender.pk], locked.get(recipient.pk, sender)
    _check_pair(sender, recipient)
    limits = settings_for(sender.registration.fair)
    for side in (sender, recipient):
        _check_meeting_limit(side, limits, own=False)
    request = MeetingRequest(
        sender=sender,
        recipient=recipient,
        message=message.strip(),
        proposed_by_organiser=True,
        proposed_by=actor,
        created_at=now,
        origin=origin,
    )
    request.full_clean()
    request._history_user = actor  # type: ignore[attr-defined]
    request.save()
    if limits.organiser_proposals == ProposalPolicy.ACCEPTED:
        meeting = _meeting_for(request, sender, recipient, actor, now, origin)
        kind, about = NoticeKind.ARRANGED, {"meeting": meeting}
    else:
        kind, about = NoticeKind.PROPOSED, {"request": request}
    Notification.objects.bulk_create(
        [
            _notify(recipient, kind, counterpart=sender, **about),  # type: ignore[arg-type]
            _notify(sender, kind, counterpart=recipient, **about),  # type: ignore[arg-type]
        ]
    )
    return request


def _locked_request(request: MeetingRequest) -> MeetingRequest:
    request = (
        MeetingRequest.objects.select_for_update()
        .select_related("sender__registration", "recipient__registration")
        .get(pk=request.pk)
    )
    if request.status != RequestStatus.PENDING:
        raise Conflict(
            _("This request is already %(status)s.") % {"status": request.get_status_display()},
            code="not_pending",
        )
    return request


def _close(request: MeetingRequest, status: str, actor: Any, now: datetime.datetime) -> None:
    request.status = status
    request.decided_at = now
    request._history_user = actor  # type: ignore[attr-defined]
    request.save(update_fields=["status", "decided_at"])


def _proposal_agree(
    request: MeetingRequest, actor: Any, origin: str, now: datetime.datetime
) -> Meeting | None:
    """One side accepts an organiser's proposal; the second acceptance makes the meeting.

    Without an actor (commands, the demo) both sides accept at once.
    """
    locked = _locked_profiles(request.sender, request.recipient)
    sender, recipient = locked[request.sender_id], locked[request.recipient_id]
    limits = settings_for(recipient.registration.fair)
    if actor is None:
        sides = [sender, recipient]
    elif _is_person(actor, sender):
        sides = [sender]
    elif _is_person(actor, recipient):
        sides = [recipient]
    else:
        raise PermissionDenied
    for side in sides:
        if request.agreed(side):
            raise Conflict(
                _("You have already accepted: the other side has yet to answer."),
                code="already_agreed",
            )
        _check_meeting_limit(side, limits, own=actor is not None)
        field = "sender_agreed_at" if side.pk == sender.pk else "recipient_agreed_at"
        setattr(request, field, now)
    request._history_user = actor  # type: ignore[attr-defined]
    request.save(update_fields=["sender_agreed_at", "recipient_agreed_at"])
    if not (request.sender_agreed_at and request.recipient_agreed_at):
        other = recipient if sides[0].pk == sender.pk else sender
        _notify(other, NoticeKind.PROPOSAL_AGREED, counterpart=sides[0], request=request).save()
        return None
    for side in (sender, recipient):
        _check_meeting_limit(side, limits, own=side in sides and actor is not None)
    meeting = _meeting_for(request, sender, recipient, actor, now, origin)
    if actor is not None:
        other = recipient if sides[0].pk == sender.pk else sender
        _notify(other, NoticeKind.REQUEST_ACCEPTED, counterpart=sides[0], request=request).save()
    return meeting


@transaction.atomic
def request_accept(
    *,
    request: MeetingRequest,
    actor: Any,
    origin: str = Origin.ENTERED,
    now: datetime.datetime | None = None,
) -> Meeting | None:
    """Accept a request addressed to you: it becomes a meeting to be scheduled.

    An organiser's proposal needs both sides: the first acceptance returns ``None`` (waiting
    for the other), the second returns the meeting.
    """
    now = now or timezone.now()
    request = _locked_request(request)
    if request.proposed_by_organiser:
        return _proposal_agree(request, actor, origin, now)
    if actor is not None and not _is_person(actor, request.recipient):
        raise PermissionDenied
    locked = _locked_profiles(request.sender, request.recipient)
    sender, recipient = locked[request.sender_id], locked[request.recipient_id]
    limits = settings_for(recipient.registration.fair)
    _check_meeting_limit(recipient, limits, own=True)
    _check_meeting_limit(sender, limits, own=False)
    meeting = _meeting_for(request, sender, recipient, actor, now, origin)
    _notify(sender, NoticeKind.REQUEST_ACCEPTED, counterpart=recipient, request=request).save()
    return meeting


@transaction.atomic
def request_decline(
    *, request: MeetingRequest, actor: Any, now: datetime.datetime | None = None
) -> MeetingRequest:
    """Decline a request addressed to you (or, for an organiser's proposal, either side)."""
    request = _locked_request(request)
    allowed = _is_person(actor, request.recipient) or (
        request.proposed_by_organiser and _is_person(actor, request.sender)
    )
    if actor is not None and not allowed:
        raise PermissionDenied
    _close(request, RequestStatus.DECLINED, actor, now or timezone.now())
    other = request.sender
    if request.proposed_by_organiser and _is_person(actor, request.sender):
        other = request.recipient
    me = request.recipient if other.pk == request.sender_id else request.sender
    _notify(other, NoticeKind.REQUEST_DECLINED, counterpart=me, request=request).save()
    return request


@transaction.atomic
def request_withdraw(
    *, request: MeetingRequest, actor: Any, now: datetime.datetime | None = None
) -> MeetingRequest:
    """Withdraw a request you sent that is still open (an organiser's proposal: organisers)."""
    request = _locked_request(request)
    if request.proposed_by_organiser:
        _require_organiser(actor)
    elif actor is not None and not _is_person(actor, request.sender):
        raise PermissionDenied
    _close(request, RequestStatus.WITHDRAWN, actor, now or timezone.now())
    return request


# Slots and tables ------------------------------------------------------------------------------


@transaction.atomic
def slot_create(
    *,
    fair: Fair,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    actor: Any,
    origin: str = Origin.ENTERED,
) -> Slot:
    """Add a meeting slot to the fair (organisers); slots may not overlap."""
    _require_organiser(actor)
    slot = Slot(fair=fair, starts_at=starts_at, ends_at=ends_at, origin=origin)
    slot.full_clean()
    start, end = _fair_bounds(fair)
    if starts_at < start or ends_at > end:
        raise ValidationError({"starts_at": [_("A slot must lie within the days of the fair.")]})
    if Slot.objects.filter(fair=fair, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise DomainError(_("This slot overlaps another."), code="slot_overlap")
    slot._history_user = actor  # type: ignore[attr-defined]
    slot.save()
    return slot


@transaction.atomic
def slot_delete(*, slot: Slot, actor: Any) -> None:
    """Remove a slot that no scheduled meeting uses."""
    _require_organiser(actor)
    if slot.meetings.filter(status=MeetingStatus.PUBLISHED).exists():
        raise Conflict(_("Meetings are scheduled in this slot."), code="slot_in_use")
    slot.meetings.update(slot=None, table=None)
    slot.delete()


@transaction.atomic
def table_create(
    *,
    fair: Fair,
    code: str,
    actor: Any,
    seats: int = 4,
    room: Any = None,
    origin: str = Origin.ENTERED,
) -> Table:
    """Add a meeting table to the fair (organisers)."""
    _require_organiser(actor)
    table = Table(fair=fair, code=code.strip(), seats=seats, room=room, origin=origin)
    table.full_clean()
    table._history_user = actor  # type: ignore[attr-defined]
    table.save()
    return table


@transaction.atomic
def table_retire(*, table: Table, actor: Any) -> Table:
    """Take a table out of use: the next schedule run moves its meetings elsewhere."""
    _require_organiser(actor)
    table.is_active = False
    table._history_user = actor  # type: ignore[attr-defined]
    table.save(update_fields=["is_active"])
    return table


# The schedule ----------------------------------------------------------------------------------


def _lock_fair(fair: Fair) -> Fair:
    """Serialise schedule runs of one fair (previews, publishes and re-plans)."""
    settings_for(fair)
    MatchmakingSettings.objects.select_for_update().get(fair=fair)
    return fair


def _store_plan(
    fair: Fair,
    loaded: planning.Loaded,
    result: scheduling.Schedule,
    *,
    kind: str,
    status: str,
    fcfs: int,
    actor: Any,
    now: datetime.datetime,
) -> SchedulePlan:
    rows = loaded.to_rows(result.assignments)
    bound = result.upper_bound
    plan = SchedulePlan(
        fair=fair,
        kind=kind,
        status=status,
        meetings_total=len(loaded.problem.meetings),
        placed=result.placed,
        # the bound is a real number (an LP value); no schedule places more than its floor
        upper_bound=max(result.placed, math.floor(bound + 1e-6)),
        fcfs_placed=fcfs,
        moved=result.moved,
        solver_status=result.status,
        solve_seconds=round(result.solve_time_s, 3),
        assignments={str(mid): [slot, table] for mid, (slot, table) in sorted(rows.items())},
        created_at=now,
        created_by=actor,
        published_at=now if status == PlanStatus.PUBLISHED else None,
    )
    plan.save()
    return plan


@transaction.atomic
def schedule_preview(
    *,
    fair: Fair,
    actor: Any,
    time_limit_s: float = 4.0,
    now: datetime.datetime | None = None,
) -> SchedulePlan:
    """Run the scheduler and keep the result as a preview ("placed N of at most M").

    With a schedule already published, published meetings stay where they are wherever they
    still can (an incremental re-plan); otherwise the whole schedule is computed afresh.
    """
    _require_organiser(actor)
    now = now or timezone.now()
    _lock_fair(fair)
    loaded = planning.load(fair, now)
    if not loaded.problem.slots or not loaded.tables:
        raise DomainError(
            _("Add meeting slots and tables before scheduling."), code="no_slots_or_tables"
        )
    bound = scheduling.upper_bound(loaded.problem)
    if loaded.published:
        result = scheduling.replan(
            loaded.problem, loaded.published, time_limit_s=time_limit_s, bound=bound
        )
        kind = PlanKind.REPLAN
    else:
        result = scheduling.schedule(loaded.problem, time_limit_s=time_limit_s, bound=bound)
        kind = PlanKind.FULL
    fcfs = scheduling.greedy_fcfs(loaded.problem).placed
    SchedulePlan.objects.filter(fair=fair, status=PlanStatus.PREVIEW).update(
        status=PlanStatus.SUPERSEDED
    )
    return _store_plan(
        fair, loaded, result, kind=kind, status=PlanStatus.PREVIEW, fcfs=fcfs, actor=actor, now=now
    )


@dataclass
class Applied:
    """What writing a plan changed."""

    placed: int = 0
    moved: int = 0
    unplaced: int = 0
    notified: int = 0


def _apply(
    loaded: planning.Loaded, rows: dict[int, tuple[int, int]], actor: Any, now: datetime.datetime
) -> Applied:
    """Write a plan's placements to the meetings and tell each person what changed."""
    slots = {s.pk: s for s in loaded.slots}
    tables = {t.pk: t for t in loaded.tables}
    changed: list[tuple[Meeting, str]] = []
    for meeting in loaded.meetings.values():
        new = rows.get(meeting.pk)
        old = (meeting.slot_id, meeting.table_id) if meeting.is_placed else None
        if new == old:
            continue
        if new is None:
            kind = NoticeKind.UNPLACED
        elif old is None:
            kind = NoticeKind.PLACED
        else:
            kind = NoticeKind.MOVED
        changed.append((meeting, kind))
    if not changed:
        return Applied()
    # Two passes, so that a swap of tables never meets the one-meeting-per-table constraint.
    for meeting, _kind in changed:
        meeting.status, meeting.slot, meeting.table = MeetingStatus.DRAFT, None, None
    Meeting.objects.bulk_update([m for m, _k in changed], ["status", "slot", "table"])
    placed_now = []
    for meeting, _kind in changed:
        new = rows.get(meeting.pk)
        if new is not None:
            meeting.status = MeetingStatus.PUBLISHED
            meeting.slot, meeting.table = slots[new[0]], tables[new[1]]
            placed_now.append(meeting)
    bulk_update_with_history(
        [m for m, _k in changed],
        Meeting,
        ["status", "slot", "table"],
        default_user=actor,
        default_date=now,
    )
    notices = []
    for meeting, kind in changed:
        notices.append(_notify(meeting.a, kind, counterpart=meeting.b, meeting=meeting))
        notices.append(_notify(meeting.b, kind, counterpart=meeting.a, meeting=meeting))
    Notification.objects.bulk_create(notices)
    counts = Applied(notified=len(notices))
    for _m, kind in changed:
        if kind == NoticeKind.PLACED:
            counts.placed += 1
        elif kind == NoticeKind.MOVED:
            counts.moved += 1
        else:
            counts.unplaced += 1
    return counts


@transaction.atomic
def schedule_publish(
    *, plan: SchedulePlan, actor: Any, now: datetime.datetime | None = None
) -> Applied:
    """Publish a preview: meetings take their slots and tables, and everyone moved is told.

    A preview whose meetings or availability changed since it was made is refused.
    """
    _require_organiser(actor)
    now = now or timezone.now()
    fair = _lock_fair(plan.fair)
    plan = SchedulePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.PREVIEW:
        raise Conflict(_("Only the latest preview can be published."), code="not_preview")
    loaded = planning.load(fair, now)
    if scheduling.validate(loaded.problem, planning.as_schedule(loaded, plan.assignments)):
        raise Conflict(
            _("Meetings or availability changed since this preview: preview again."),
            code="plan_stale",
        )
    rows = {int(mid): (slot, table) for mid, (slot, table) in plan.assignments.items()}
    applied = _apply(loaded, rows, actor, now)
    SchedulePlan.objects.filter(fair=fair, status=PlanStatus.PUBLISHED).update(
        status=PlanStatus.SUPERSEDED
    )
    plan.status, plan.published_at = PlanStatus.PUBLISHED, now
    plan.save(update_fields=["status", "published_at"])
    return applied


def _published(fair: Fair) -> bool:
    return SchedulePlan.objects.filter(fair=fair, status=PlanStatus.PUBLISHED).exists()


@dataclass
class Replanned:
    plan: SchedulePlan | None
    applied: Applied


def _replan(fair: Fair, actor: Any, now: datetime.datetime) -> Replanned:
    """Re-plan the published schedule and publish the result at once (few meetings move)."""
    if not _published(fair):
        return Replanned(plan=None, applied=Applied())
    loaded = planning.load(fair, now)
    if not loaded.problem.slots or not loaded.tables:
        return Replanned(plan=None, applied=Applied())
    result = scheduling.replan(loaded.problem, loaded.published, time_limit_s=1.0)
    applied = _apply(loaded, loaded.to_rows(result.assignments), actor, now)
    SchedulePlan.objects.filter(
        fair=fair, status__in=[PlanStatus.PUBLISHED, PlanStatus.PREVIEW]
    ).update(status=PlanStatus.SUPERSEDED)
    plan = _store_plan(
        fair,
        loaded,
        result,
        kind=PlanKind.REPLAN,
        status=PlanStatus.PUBLISHED,
        fcfs=scheduling.greedy_fcfs(loaded.problem).placed,
        actor=actor,
        now=now,
    )
    return Replanned(plan=plan, applied=applied)


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("a__registration", "b__registration", "slot", "table", "fair")
        .get(pk=meeting.pk)
    )


def _party_or_organiser(actor: Any, meeting: Meeting) -> None:
    if actor is None or _runs_fairs(actor):
        return
    if not (_is_person(actor, meeting.a) or _is_person(actor, meeting.b)):
        raise PermissionDenied


@transaction.atomic
def meeting_cancel(
    *, meeting: Meeting, actor: Any, reason: str = "", now: datetime.datetime | None = None
) -> Replanned:
    """Cancel a meeting (either side or an organiser); a published schedule is re-planned."""
    now = now or timezone.now()
    _lock_fair(meeting.fair)
    meeting = _locked_meeting(meeting)
    _party_or_organiser(actor, meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting is already cancelled."), code="already_cancelled")
    if meeting.a_checked_in_at or meeting.b_checked_in_at:
        raise Conflict(_("This meeting has already begun."), code="already_held")
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = now
    meeting.cancel_reason = reason.strip()[:200]
    meeting._history_user = actor  # type: ignore[attr-defined]
    meeting.save()
    notices = []
    for side, other in ((meeting.a, meeting.b), (meeting.b, meeting.a)):
        if not _is_person(actor, side):
            notices.append(_notify(side, NoticeKind.CANCELLED, counterpart=other, meeting=meeting))
    Notification.objects.bulk_create(notices)
    return _replan(meeting.fair, actor, now)


@transaction.atomic
def participant_late_arrival(
    *,
    profile: Profile,
    arrives_at: datetime.datetime,
    actor: Any,
    now: datetime.datetime | None = None,
) -> Replanned:
    """Record that someone arrives late: no meetings before ``arrives_at``; re-plan."""
    now = now or timezone.now()
    profile = Profile.objects.select_related("registration__fair").get(pk=profile.pk)
    if actor is not None and not (_is_person(actor, profile) or _runs_fairs(actor)):
        raise PermissionDenied
    fair = _lock_fair(profile.registration.fair)
    start, end = _fair_bounds(fair)
    if not start <= arrives_at < end:
        raise ValidationError({"arrives_at": [_("Choose a time during the fair.")]})
    windows = [(w.starts_at, w.ends_at) for w in profile.windows.all()] or [(start, end)]
    kept = [(max(b, arrives_at), e) for b, e in windows if e > arrives_at]
    if not kept:
        raise DomainError(
            _("This arrival leaves no time to meet: cancel the meetings instead."),
            code="no_time_left",
        )
    profile.windows.all().delete()
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(profile=profile, starts_at=b, ends_at=e) for b, e in kept
    )
    return _replan(fair, actor, now)


# At the table ----------------------------------------------------------------------------------


@transaction.atomic
def meeting_check_in(
    *,
    meeting: Meeting,
    profile: Profile,
    actor: Any,
    now: datetime.datetime | None = None,
) -> Meeting:
    """Record that one side is at the table; when both are, the meeting is held."""
    now = now or timezone.now()
    meeting = _locked_meeting(meeting)
    if actor is not None and not (_is_person(actor, profile) or _runs_fairs(actor)):
        raise PermissionDenied
    side = meeting.side(profile)
    if not meeting.is_placed:
        raise DomainError(_("This meeting is not scheduled."), code="not_scheduled")
    if now < meeting.slot.starts_at - CHECK_IN_EARLY:
        raise DomainError(_("Check-in opens 30 minutes before the meeting."), code="too_early")
    field = f"{side}_checked_in_at"
    if getattr(meeting, field) is not None:
        raise Conflict(_("You are already checked in."), code="already_checked_in")
    setattr(meeting, field, now)
    if meeting.a_checked_in_at and meeting.b_checked_in_at:
        meeting.attendance = Attendance.HELD
    meeting._history_user = actor  # type: ignore[attr-defined]
    meeting.save()
    return meeting


@transaction.atomic
def table_check_in(*, table_key: Any, actor: Any, now: datetime.datetime | None = None) -> Meeting:
    """Check in by scanning the table's QR code: finds your meeting at this table now."""
    now = now or timezone.now()
    table = Table.objects.filter(check_in_key=table_key).first()
    if table is None:
        raise DomainError(_("This is not a meeting table's code."), code="unknown_table")
    meeting = (
        Meeting.objects.filter(
            Q(a__registration__person=actor) | Q(b__registration__person=actor),
            table=table,
            status=MeetingStatus.PUBLISHED,
            slot__starts_at__lte=now + CHECK_IN_EARLY,
            slot__ends_at__gte=now,
        )
        .select_related("a__registration", "b__registration")
        .first()
    )
    if meeting is None:
        raise DomainError(
            _("You have no meeting at table %(table)s now.") % {"table": table.code},
            code="no_meeting_here",
        )
    profile = meeting.a if _is_person(actor, meeting.a) else meeting.b
    return meeting_check_in(meeting=meeting, profile=profile, actor=actor, now=now)


@transaction.atomic
def meeting_no_show(
    *, meeting: Meeting, actor: Any, now: datetime.datetime | None = None
) -> Meeting:
    """Mark a meeting as a no-show after its slot has ended (organisers)."""
    _require_organiser(actor)
    now = now or timezone.now()
    meeting = _locked_meeting(meeting)
    if not meeting.is_placed:
        raise DomainError(_("This meeting is not scheduled."), code="not_scheduled")
    if now < meeting.slot.ends_at:
        raise DomainError(_("The meeting's time has not ended yet."), code="too_early")
    if meeting.attendance == Attendance.HELD:
        raise Conflict(_("Both sides checked in: the meeting was held."), code="already_held")
    meeting.attendance = Attendance.NO_SHOW
    meeting._history_user = actor  # type: ignore[attr-defined]
    meeting.save(update_fields=["attendance"])
    return meeting


@transaction.atomic
def meeting_outcome_record(
    *,
    meeting: Meeting,
    actor: Any,
    outcome: str,
    note: str = "",
    deal: Any = None,
    now: datetime.datetime | None = None,
) -> Meeting:
    """Record what came of a meeting (either side): follow-up wanted, deal in negotiation.

    ``deal`` links the meeting forward to the signed deal it led to (``investment.Deal``);
    the actor must be able to see that deal. ``None`` leaves an existing link as it is.
    """
    now = now or timezone.now()
    meeting = _locked_meeting(meeting)
    _party_or_organiser(actor, meeting)
    if outcome not in Outcome.values or outcome == Outcome.NONE:
        raise ValidationError({"outcome": [_("Choose an outcome.")]})
    if not meeting.is_placed or now < meeting.slot.starts_at:
        raise DomainError(
            _("An outcome can be recorded once the meeting has taken place."), code="not_yet"
        )
    if meeting.attendance == Attendance.NO_SHOW:
        raise DomainError(_("This meeting did not take place."), code="no_show")
    if deal is not None:
        if actor is not None and not access.allows(actor, access.Action.VIEW, deal):
            raise PermissionDenied
        meeting.deal = deal
    meeting.outcome = outcome
    meeting.outcome_note = note.strip()
    meeting.outcome_recorded_at = now
    meeting._history_user = actor  # type: ignore[attr-defined]
    meeting.save()
    return meeting


@transaction.atomic
def notifications_mark_read(
    *, user: Any, ids: Iterable[int] | None = None, now: datetime.datetime | None = None
) -> int:
    """Mark a person's notices as read (all of them, or those given)."""
    notices = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        notices = notices.filter(pk__in=list(ids))
    return notices.update(read_at=now or timezone.now())
