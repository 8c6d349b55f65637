"""Writes for government services: the catalogue, cases through the transition table, ratings.

Every move of a case goes through :func:`_transition`, which locks the case row
(``SELECT … FOR UPDATE``), looks the (state, action) pair up in ``transitions.TABLE``, checks
that the actor works on the side of the case the table names, applies the action's own rule,
saves the new state and writes the append-only log row, all in one transaction. Two officers
pressing the same button at once: the second waits for the first's lock, then finds the case
in the new state, where the pair no longer exists, and is refused.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiqia.accounts import access
from xiqia.accounts.models import Role
from xiqia.core import personal
from xiqia.core.errors import DomainError
from xiqia.core.origin import Origin
from xiqia.core.personal import PersonalKind
from xiqia.govservice import deadlines
from xiqia.govservice.models import (
    Case,
    CaseExtension,
    CasePause,
    CaseState,
    CaseTransition,
    Decision,
    FollowUp,
    Grade,
    Matter,
    MatterVersion,
    PauseKind,
    Rating,
    RequiredMaterial,
    StaffKind,
    Window,
    WindowStaff,
)
from xiqia.govservice.transitions import ACTION_LABELS, Action, Side, move_for

MAX_EXTENSION_DAYS = 10


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


# The catalogue ---------------------------------------------------------------------------------


@transaction.atomic
def matter_version_publish(
    *,
    matter: Matter,
    materials: Sequence[dict[str, Any]] = (),
    actor: Any = None,
    **content: Any,
) -> MatterVersion:
    """Publish a new version of a matter; the previous one stays for the cases under it.

    ``content`` holds the version's fields (names, type, department, conditions, handling
    mode, time limits, fee, result type); ``materials`` the required materials as dicts of
    ``name_zh``, ``name_en``, ``form`` and ``copies``.
    """
    if actor is not None and not access.principal_for(actor).is_admin:
        raise PermissionDenied
    Matter.objects.select_for_update().get(pk=matter.pk)
    previous = matter.versions.filter(is_current=True).first()
    statutory, committed = content.get("statutory_days"), content.get("committed_days")
    if statutory is not None and committed is not None and committed > statutory:
        raise DomainError(
            _("The committed time limit cannot be longer than the statutory one."),
            fields={"committed_days": [_("At most the statutory time limit.")]},
        )
    matter.versions.filter(is_current=True).update(is_current=False)
    version = MatterVersion(
        matter=matter, number=(previous.number + 1) if previous else 1, is_current=True, **content
    )
    try:
        version.full_clean(exclude=["matter"])
    except ValidationError as exc:
        raise DomainError(_("The version is incomplete."), fields=exc.message_dict) from exc
    version.save()
    for sequence, material in enumerate(materials):
        RequiredMaterial.objects.create(version=version, sequence=sequence, **material)
    return version


@transaction.atomic
def window_staff_add(*, user: Any, window: Window, kind: str, actor: Any = None) -> WindowStaff:
    """Post a district officer of the window's district to it as clerk, reviewer or supervisor."""
    if actor is not None and not access.principal_for(actor).is_admin:
        raise PermissionDenied
    principal = access.principal_for(user)
    if not (
        principal.has(Role.DISTRICT_OFFICER) and principal.covers_region_code(window.region.code)
    ):
        raise DomainError(_("Only an officer of the window's district can work at the window."))
    post, _created = WindowStaff.objects.get_or_create(user=user, window=window, kind=kind)
    return post


# Verification codes ----------------------------------------------------------------------------


def _code_hash(number: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"govservice:{number}:{code}".encode(), hashlib.sha256).hexdigest()


def verification_code_matches(case: Case, code: str) -> bool:
    """Return whether ``code`` is the case's verification code (compared in constant time)."""
    return hmac.compare_digest(case.verification_code_hash, _code_hash(case.number, code.strip()))


def case_by_number_and_code(number: str, code: str) -> Case | None:
    """Return the case with this number if the code is right, else ``None`` (no hint which)."""
    case = Case.objects.filter(number=number.strip()).first()
    if case is None:
        _code_hash("0", code)  # spend the same time as a real comparison
        return None
    return case if verification_code_matches(case, code) else None


# Who acts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """How an actor appears in the log: role and district."""

    user: Any
    role: str
    region: Any


SIDE_KINDS = {
    Side.RECEIVING: (StaffKind.CLERK, StaffKind.SUPERVISOR),
    Side.HANDLING: (StaffKind.REVIEWER, StaffKind.SUPERVISOR),
}


def _authorise(actor: Any, case: Case, side: Side) -> Actor:
    """Return who acts, or refuse when the actor does not work on that side of the case."""
    if side == Side.APPLICANT:
        if actor is not None:
            raise PermissionDenied  # staff never rate on the applicant's behalf
        return Actor(None, "applicant", None)
    region = case.receiving_region if side == Side.RECEIVING else case.handling_region
    if actor is None:
        return Actor(None, "system", region)
    principal = access.principal_for(actor)
    if principal.is_admin:
        return Actor(actor, "admin", region)
    post = (
        WindowStaff.objects.filter(user=actor, window__region=region, kind__in=SIDE_KINDS[side])
        .order_by("kind")
        .first()
    )
    if post is None or not principal.covers_region_code(region.code):
        raise PermissionDenied
    return Actor(actor, post.kind, region)


def refusal(case: Case, action: Action) -> DomainError:
    return DomainError(
        _("“%(action)s” is not possible while the case is “%(state)s”.")
        % {"action": ACTION_LABELS[action], "state": case.get_state_display()},
        code="transition_not_allowed",
    )


def _transition(
    *,
    case: Case,
    action: Action,
    actor: Any,
    now: datetime.datetime | None,
    reason: str = "",
    apply: Callable[[Case, datetime.datetime], None] | None = None,
) -> Case:
    """Lock the case, check the table and the actor, apply, save and log (one transaction)."""
    now = _now(now)
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update()
            .select_related("receiving_region", "handling_region", "matter_version")
            .get(pk=case.pk)
        )
        move = move_for(locked.state, action)
        if move is None:
            raise refusal(locked, action)
        who = _authorise(actor, locked, move.side)
        source = locked.state
        if apply is not None:
            apply(locked, now)
        locked.state = move.target
        locked.save()
        CaseTransition.objects.create(
            case=locked,
            action=action,
            from_state=source,
            to_state=move.target,
            actor=who.user,
            role=who.role,
            region=who.region,
            at=now,
            reason=reason,
        )
    case.refresh_from_db()
    return case


def _required(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(
            _("This field is required."), fields={field: [_("This field is required.")]}
        )
    return value


# Intake ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """A case just received, and its verification code (shown once, on the receipt)."""

    case: Case
    verification_code: str


@transaction.atomic
def case_receive(
    *,
    window: Window,
    matter: Matter,
    applicant_name: str,
    applicant_phone: str,
    applicant_id_number: str = "",
    actor: Any,
    now: datetime.datetime | None = None,
    origin: str = Origin.ENTERED,
    number: str | None = None,
    verification_code: str | None = None,
) -> Receipt:
    """Receive an application at a window for a matter of this or the partner district.

    ``number`` and ``verification_code`` are drawn at random unless given (the demo loader
    gives them, so that every run generates the same cases).
    """
    now = _now(now)
    version = matter.versions.filter(is_current=True).first()
    if version is None:
        raise DomainError(_("This matter has no version in force."))
    errors: dict[str, list[Any]] = {}
    values = {}
    for field, kind, raw in (
        ("applicant_phone", PersonalKind.PHONE, applicant_phone),
        ("applicant_id_number", PersonalKind.ID_NUMBER, applicant_id_number),
    ):
        if not raw and field == "applicant_id_number":
            values[field] = ""
            continue
        try:
            values[field] = personal.validate(kind, raw)
        except ValidationError as exc:
            errors[field] = list(exc.messages)
    name = (applicant_name or "").strip()
    if not name:
        errors["applicant_name"] = [_("This field is required.")]
    if errors:
        raise DomainError(_("Please correct the applicant's details."), fields=errors)
    draft = Case(receiving_region=window.region, handling_region=matter.region)
    who = _authorise(actor, draft, Side.RECEIVING)
    if (
        actor is not None
        and who.role != "admin"
        and not WindowStaff.objects.filter(user=actor, window=window).exists()
    ):
        raise PermissionDenied
    code = verification_code or f"{secrets.randbelow(10**6):06d}"
    local = timezone.localtime(now)
    given = number
    for _attempt in range(1 if given else 5):
        candidate = given or f"{window.region.code}{local:%Y%m%d}{secrets.randbelow(10**6):06d}"
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    number=candidate,
                    verification_code_hash=_code_hash(candidate, code),
                    matter_version=version,
                    applicant_name=name,
                    applicant_phone=values["applicant_phone"],
                    applicant_id_number=values["applicant_id_number"],
                    receiving_window=window,
                    receiving_region=window.region,
                    handling_region=matter.region,
                    state=CaseState.RECEIVED,
                    received_at=now,
                    origin=origin,
                )
            break
        except IntegrityError:
            continue
    else:
        raise DomainError(_("No case number is free; try again."), code="number_taken")
    CaseTransition.objects.create(
        case=case,
        action="receive",
        from_state="",
        to_state=CaseState.RECEIVED,
        actor=who.user,
        role=who.role,
        region=window.region,
        at=now,
    )
    # Read back, so the personal values are the masked kind, as everywhere else.
    return Receipt(case=Case.objects.get(pk=case.pk), verification_code=code)


def case_precheck(*, case: Case, actor: Any, now: datetime.datetime | None = None) -> Case:
    """Start checking the materials against the matter's list."""
    return _transition(case=case, action=Action.PRECHECK, actor=actor, now=now)


def case_reject(
    *, case: Case, actor: Any, reason: str, now: datetime.datetime | None = None
) -> Case:
    """Refuse to accept the application, with the reason the applicant is told."""
    reason = _required(reason, "reason")
    return _transition(case=case, action=Action.REJECT, actor=actor, now=now, reason=reason)


def _open_pause(case: Case) -> CasePause | None:
    return case.pauses.filter(last_day__isnull=True).first()


def case_request_supplement(
    *,
    case: Case,
    actor: Any,
    missing: Sequence[str],
    now: datetime.datetime | None = None,
) -> Case:
    """Tell the applicant everything that is missing, at once; the clock waits meanwhile."""
    items = [item.strip() for item in missing if item and item.strip()]
    if not items:
        raise DomainError(
            _("List every missing material."),
            fields={"missing": [_("List every missing material.")]},
        )
    text = "\n".join(items)

    def apply(locked: Case, at: datetime.datetime) -> None:
        locked.missing_materials = text
        CasePause.objects.create(
            case=locked,
            kind=PauseKind.SUPPLEMENT,
            first_day=timezone.localdate(at),
            reason=text,
        )

    return _transition(
        case=case, action=Action.REQUEST_SUPPLEMENT, actor=actor, now=now, reason=text, apply=apply
    )


def case_resubmit(*, case: Case, actor: Any, now: datetime.datetime | None = None) -> Case:
    """Record that the applicant brought the missing materials; the pre-check starts again."""

    def apply(locked: Case, at: datetime.datetime) -> None:
        pause = _open_pause(locked)
        if pause is not None:
            pause.last_day = max(pause.first_day, timezone.localdate(at))
            pause.save(update_fields=["last_day"])
        locked.missing_materials = ""

    return _transition(case=case, action=Action.RESUBMIT, actor=actor, now=now, apply=apply)


def _recompute_deadline(case: Case) -> None:
    if case.accepted_on is None:
        return
    periods = [
        (pause.first_day, pause.last_day)
        for pause in case.pauses.filter(last_day__isnull=False, last_day__gt=case.accepted_on)
    ]
    limit = case.matter_version.committed_days + case.extension_days
    case.deadline, case.deadline_provisional = deadlines.case_deadline(
        case.accepted_on, limit, periods
    )


def case_accept(*, case: Case, actor: Any, now: datetime.datetime | None = None) -> Case:
    """Accept the application: the legal clock starts; today is day 0."""

    def apply(locked: Case, at: datetime.datetime) -> None:
        current = MatterVersion.objects.filter(
            matter_id=locked.matter_version.matter_id, is_current=True
        ).first()
        if current is not None:
            locked.matter_version = current  # the version the case is accepted under
        locked.accepted_at = at
        locked.accepted_on = timezone.localdate(at)
        _recompute_deadline(locked)

    return _transition(case=case, action=Action.ACCEPT, actor=actor, now=now, apply=apply)


def case_dispatch(
    *,
    case: Case,
    actor: Any,
    courier: str,
    waybill: str,
    now: datetime.datetime | None = None,
) -> Case:
    """Send the paper materials to the handling district by courier."""
    courier, waybill = _required(courier, "courier"), _required(waybill, "waybill")

    def apply(locked: Case, at: datetime.datetime) -> None:
        locked.courier, locked.waybill, locked.dispatched_at = courier, waybill, at

    return _transition(
        case=case,
        action=Action.DISPATCH,
        actor=actor,
        now=now,
        reason=f"{courier} {waybill}",
        apply=apply,
    )


def case_deliver(
    *,
    case: Case,
    actor: Any,
    received_material_ids: Sequence[int],
    now: datetime.datetime | None = None,
) -> Case:
    """Confirm the delivery against the checklist of the required materials: all must be there."""

    def apply(locked: Case, at: datetime.datetime) -> None:
        materials = list(locked.matter_version.materials.all())
        received = {int(pk) for pk in received_material_ids}
        missing = [m.name for m in materials if m.pk not in received]
        if missing:
            raise DomainError(
                _("The delivery lacks: %(materials)s.") % {"materials": "、".join(missing)},
                fields={"received_material_ids": [_("Tick every material received.")]},
            )
        locked.delivery_checklist = [m.pk for m in materials]
        locked.delivered_at = at

    return _transition(case=case, action=Action.DELIVER, actor=actor, now=now, apply=apply)


def case_pause(
    *,
    case: Case,
    actor: Any,
    kind: str,
    reason: str,
    first_day: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    """Stop the legal clock (expert review, hearing, testing, supplement) from ``first_day``."""
    reason = _required(reason, "reason")
    if kind not in PauseKind.values:
        raise DomainError(_("Choose the kind of pause."), fields={"kind": [_("Unknown kind.")]})

    def apply(locked: Case, at: datetime.datetime) -> None:
        if _open_pause(locked) is not None:
            raise DomainError(_("The clock of this case is already paused."), code="paused")
        start = first_day or timezone.localdate(at)
        if locked.accepted_on is None or start <= locked.accepted_on:
            raise DomainError(_("A pause starts after the day of acceptance."))
        CasePause.objects.create(case=locked, kind=kind, first_day=start, reason=reason)

    return _transition(
        case=case, action=Action.PAUSE, actor=actor, now=now, reason=reason, apply=apply
    )


def case_resume(
    *,
    case: Case,
    actor: Any,
    last_day: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Case:
    """Restart the clock; the paused days, ``last_day`` included, do not count."""

    def apply(locked: Case, at: datetime.datetime) -> None:
        pause = _open_pause(locked)
        if pause is None:
            raise DomainError(_("The clock of this case is not paused."), code="not_paused")
        end = last_day or timezone.localdate(at)
        if end < pause.first_day:
            raise DomainError(_("A pause cannot end before it starts."))
        pause.last_day = end
        pause.save(update_fields=["last_day"])
        _recompute_deadline(locked)

    return _transition(case=case, action=Action.RESUME, actor=actor, now=now, apply=apply)


def case_extend(
    *,
    case: Case,
    actor: Any,
    days: int,
    reason: str,
    now: datetime.datetime | None = None,
) -> Case:
    """Extend the time limit, approved by ``actor``; all extensions together at most 10 days."""
    reason = _required(reason, "reason")

    def apply(locked: Case, at: datetime.datetime) -> None:
        if actor is None:
            raise DomainError(_("An extension needs an approver."))
        if days < 1 or locked.extension_days + days > MAX_EXTENSION_DAYS:
            raise DomainError(
                _("Extensions may add up to %(max)s working days; %(left)s are left.")
                % {"max": MAX_EXTENSION_DAYS, "left": MAX_EXTENSION_DAYS - locked.extension_days},
                fields={"days": [_("Too many days.")]},
            )
        CaseExtension.objects.create(
            case=locked, days=days, approved_by=actor, reason=reason, at=at
        )
        locked.extension_days += days
        _recompute_deadline(locked)

    return _transition(
        case=case, action=Action.EXTEND, actor=actor, now=now, reason=reason, apply=apply
    )


def case_schedule_review(
    *,
    case: Case,
    actor: Any,
    at: datetime.datetime,
    participants: str,
    now: datetime.datetime | None = None,
) -> Case:
    """Schedule the joint video review with participants from both districts."""
    participants = _required(participants, "review_participants")
    if at is None:
        raise DomainError(
            _("Choose the time of the review."), fields={"review_at": [_("Required.")]}
        )

    def apply(locked: Case, when: datetime.datetime) -> None:
        locked.review_at, locked.review_participants = at, participants

    return _transition(case=case, action=Action.SCHEDULE_REVIEW, actor=actor, now=now, apply=apply)


def case_record_review(
    *, case: Case, actor: Any, minutes: str, now: datetime.datetime | None = None
) -> Case:
    """Record the minutes of the joint review."""
    minutes = _required(minutes, "review_minutes")

    def apply(locked: Case, at: datetime.datetime) -> None:
        locked.review_minutes = minutes

    return _transition(case=case, action=Action.RECORD_REVIEW, actor=actor, now=now, apply=apply)


def case_decide(
    *,
    case: Case,
    actor: Any,
    decision: str,
    document: str,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Case:
    """Approve or refuse, with the number of the decision document."""
    if decision not in Decision.values:
        raise DomainError(_("Choose approve or refuse."), fields={"decision": [_("Required.")]})
    document = _required(document, "decision_document")
    if decision == Decision.REFUSED:
        reason = _required(reason, "reason")

    def apply(locked: Case, at: datetime.datetime) -> None:
        if _open_pause(locked) is not None:
            raise DomainError(_("Resume the clock before deciding."), code="paused")
        locked.decision, locked.decision_document = decision, document
        locked.decided_at, locked.decided_on = at, timezone.localdate(at)

    return _transition(
        case=case, action=Action.DECIDE, actor=actor, now=now, reason=reason, apply=apply
    )


def case_issue_result(*, case: Case, actor: Any, now: datetime.datetime | None = None) -> Case:
    """Issue the result (licence, approval, receipt) to be delivered or recognised."""

    def apply(locked: Case, at: datetime.datetime) -> None:
        locked.result_issued_at = at

    return _transition(case=case, action=Action.ISSUE_RESULT, actor=actor, now=now, apply=apply)


def case_recognise(*, case: Case, actor: Any, now: datetime.datetime | None = None) -> Case:
    """Deliver the result at the receiving window, or record its recognition there."""
    return _transition(case=case, action=Action.RECOGNISE, actor=actor, now=now)


def case_close(*, case: Case, actor: Any, now: datetime.datetime | None = None) -> Case:
    """Close the case (after the result, or after a rejection)."""

    def apply(locked: Case, at: datetime.datetime) -> None:
        locked.closed_at = at

    return _transition(case=case, action=Action.CLOSE, actor=actor, now=now, apply=apply)


def case_withdraw(
    *, case: Case, actor: Any, reason: str, now: datetime.datetime | None = None
) -> Case:
    """Withdraw the application at the applicant's request, before the decision."""
    reason = _required(reason, "reason")

    def apply(locked: Case, at: datetime.datetime) -> None:
        pause = _open_pause(locked)
        if pause is not None:
            pause.last_day = max(pause.first_day, timezone.localdate(at))
            pause.save(update_fields=["last_day"])
        locked.closed_at = at

    return _transition(
        case=case, action=Action.WITHDRAW, actor=actor, now=now, reason=reason, apply=apply
    )


# Ratings ---------------------------------------------------------------------------------------


def case_rate(
    *,
    case: Case,
    grade: int,
    comment: str = "",
    actor: Any = None,
    now: datetime.datetime | None = None,
) -> Case:
    """Record the applicant's one rating; a poor one opens a follow-up for the district."""
    if grade not in Grade.values:
        raise DomainError(_("Choose a grade."), fields={"grade": [_("Choose a grade.")]})

    def apply(locked: Case, at: datetime.datetime) -> None:
        rating = Rating.objects.create(case=locked, grade=grade, comment=comment.strip(), at=at)
        if rating.is_poor:
            FollowUp.objects.create(rating=rating, region=locked.receiving_region, opened_at=at)

    return _transition(case=case, action=Action.RATE, actor=actor, now=now, apply=apply)


@transaction.atomic
def follow_up_close(
    *, follow_up: FollowUp, actor: Any, response: str, now: datetime.datetime | None = None
) -> FollowUp:
    """Close a follow-up with the response given to the applicant."""
    response = _required(response, "response")
    locked = FollowUp.objects.select_for_update().select_related("region").get(pk=follow_up.pk)
    if locked.closed_at is not None:
        raise DomainError(_("This follow-up is already closed."), code="closed")
    principal = access.principal_for(actor)
    if (
        not principal.is_admin
        and not WindowStaff.objects.filter(
            user=actor, window__region=locked.region, kind=StaffKind.SUPERVISOR
        ).exists()
    ):
        raise PermissionDenied
    locked.response, locked.closed_by, locked.closed_at = response, actor, _now(now)
    locked.save()
    return locked


@transaction.atomic
def case_deadlines_recompute(*, year: int) -> int:
    """Recompute the stored deadlines whose count reaches ``year``; return how many changed.

    Called when the arrangement of ``year`` is published or unpublished
    (``core.services.calendar_year_changed``): a provisional deadline becomes exact (and may
    move to the notice's days), an exact one becomes provisional again. The days counted run
    from the day after acceptance to the deadline.
    """
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    changed = 0
    cases = (
        Case.objects.select_for_update()
        .select_related("matter_version")
        .filter(accepted_on__isnull=False, accepted_on__lt=last, deadline__gte=first)
        .order_by("pk")
    )
    for case in cases:
        before = (case.deadline, case.deadline_provisional)
        _recompute_deadline(case)
        if (case.deadline, case.deadline_provisional) != before:
            case.save(update_fields=["deadline", "deadline_provisional"])
            changed += 1
    return changed


def on_calendar_year_changed(sender: Any, year: int, **kwargs: Any) -> None:
    """Receive ``core.services.calendar_year_changed`` (connected in ``apps.py``)."""
    case_deadlines_recompute(year=year)
