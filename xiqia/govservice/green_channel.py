"""Writes for the enterprise green channel (诉求处理): requests received, moved, reminded, rated.

A request moves by ``TABLE`` only: received → dispatched to a department → handled → answered →
closed → rated; every move writes a :class:`RequestStep`. Its time limit is that of its class
(urgent, general, complex; configured by an administrator in ``TimeLimit``, in working days or
working hours) from the moment of receipt; the reminder falls the class's ``remind_before``
earlier. Officers of the request's district act on it; the enterprise submits, follows and
rates it with its number and verification code, without an account.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiqia.accounts import access
from xiqia.accounts.models import Role
from xiqia.core import freetext, personal
from xiqia.core.errors import DomainError
from xiqia.core.origin import Origin
from xiqia.core.personal import PersonalKind
from xiqia.govservice import deadlines
from xiqia.govservice.models import (
    OPEN_REQUEST_STATES,
    POOR_GRADES,
    EnterpriseRequest,
    FollowUp,
    Grade,
    LimitClass,
    LimitUnit,
    ReminderKind,
    RequestKind,
    RequestReminder,
    RequestState,
    RequestStep,
    TimeLimit,
)

S = RequestState

# (state, action) → target: the whole machine of a request.
TABLE: dict[tuple[str, str], str] = {
    (S.RECEIVED, "dispatch"): S.DISPATCHED,
    (S.DISPATCHED, "handle"): S.HANDLED,
    (S.HANDLED, "answer"): S.ANSWERED,
    (S.ANSWERED, "close"): S.CLOSED,
    (S.CLOSED, "rate"): S.RATED,
}
ACTION_LABELS = {
    "dispatch": gettext_lazy("Dispatch to a department"),
    "handle": gettext_lazy("Record the handling"),
    "answer": gettext_lazy("Answer the enterprise"),
    "close": gettext_lazy("Close"),
    "rate": gettext_lazy("Record the rating"),
}
OFFICER_ACTIONS = ("dispatch", "handle", "answer", "close")


def may_act(actor: Any, region: Any) -> bool:
    """Return whether ``actor`` (``None``: the enterprise or a job) may move a request there."""
    if actor is None:
        return True
    principal = access.principal_for(actor)
    return principal.is_admin or (
        principal.has(Role.DISTRICT_OFFICER) and principal.covers_region_code(region.code)
    )


def time_limit_of(
    limit: TimeLimit, received_at: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime, bool]:
    """Return (due by, remind at, provisional) of a request received at ``received_at``."""
    if limit.unit == LimitUnit.WORKING_HOURS:
        due, provisional = deadlines.working_hours_deadline(received_at, limit.amount)
        remind, _p = deadlines.working_hours_deadline(
            received_at, limit.amount - limit.remind_before
        )
        return due, remind, provisional
    received_on = timezone.localdate(received_at)
    due_on, provisional = deadlines.case_deadline(received_on, limit.amount)
    remind_on, _p = deadlines.case_deadline(received_on, limit.amount - limit.remind_before)
    return deadlines.end_of_day(due_on), deadlines.start_of_day(remind_on), provisional


# Verification codes (as for cases: only a keyed hash is stored) --------------------------------


def _code_hash(number: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    message = f"govservice-request:{number}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def request_by_number_and_code(number: str, code: str) -> EnterpriseRequest | None:
    """Return the request with this number if the code is right, else ``None`` (no hint which)."""
    found = EnterpriseRequest.objects.filter(number=(number or "").strip()).first()
    expected = _code_hash((number or "").strip(), (code or "").strip())
    if found is None:
        hmac.compare_digest(expected, expected)  # spend the same time as a real comparison
        return None
    return found if hmac.compare_digest(found.verification_code_hash, expected) else None


@dataclass(frozen=True)
class RequestReceipt:
    request: EnterpriseRequest
    verification_code: str


def _step(
    request: EnterpriseRequest,
    *,
    action: str,
    from_state: str,
    actor: Any,
    at: datetime.datetime,
    note: str = "",
) -> None:
    RequestStep.objects.create(
        request=request,
        action=action,
        from_state=from_state,
        to_state=request.state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=at,
        note=note,
    )


@transaction.atomic
def request_receive(
    *,
    region: Any,
    kind: str,
    enterprise_name: str,
    contact_name: str,
    contact_phone: str,
    subject: str,
    body: str,
    limit_class: str = LimitClass.GENERAL,
    organisation: Any = None,
    actor: Any,
    now: datetime.datetime | None = None,
    origin: str = Origin.ENTERED,
    number: str | None = None,
    verification_code: str | None = None,
) -> RequestReceipt:
    """Receive an enterprise's request; its time limit follows from its class.

    ``actor`` is ``None`` when the enterprise submits it itself. The verification code is
    returned once, in the receipt; only its keyed hash is kept.
    """
    if not may_act(actor, region):
        raise PermissionDenied
    errors: dict[str, list[Any]] = {}
    if kind not in RequestKind.values:
        errors["kind"] = [_("Choose the kind of request.")]
    for field, value in (
        ("enterprise_name", enterprise_name),
        ("contact_name", contact_name),
        ("subject", subject),
        ("body", body),
    ):
        if not (value or "").strip():
            errors[field] = [_("This field is required.")]
    try:
        phone = personal.validate(PersonalKind.PHONE, contact_phone)
    except ValidationError as exc:
        errors["contact_phone"] = list(exc.messages)
    limit = TimeLimit.objects.filter(limit_class=limit_class).first()
    if limit is None:
        errors["limit_class"] = [_("This time-limit class is not configured.")]
    if errors:
        raise DomainError(_("Please correct the request."), fields=errors)
    now = now or timezone.now()
    due_at, remind_at, provisional = time_limit_of(limit, now)
    code = verification_code or f"{secrets.randbelow(10**6):06d}"
    local = timezone.localdate(now)
    for _attempt in range(5):
        candidate = number or f"GC{region.code}{local:%Y%m%d}{secrets.randbelow(10**6):06d}"
        try:
            with transaction.atomic():
                created = EnterpriseRequest.objects.create(
                    number=candidate,
                    verification_code_hash=_code_hash(candidate, code),
                    kind=kind,
                    region=region,
                    organisation=organisation,
                    enterprise_name=enterprise_name.strip(),
                    contact_name=contact_name.strip(),
                    contact_phone=phone,
                    # The subject is short and listed everywhere: a number in it is kept
                    # masked only (the body keeps it, encrypted: core.freetext).
                    subject=freetext.mask_text(subject.strip()),
                    body=body.strip(),
                    limit_class=limit_class,
                    received_at=now,
                    due_at=due_at,
                    remind_at=remind_at,
                    due_provisional=provisional,
                    origin=origin,
                )
            break
        except IntegrityError:
            if number:
                raise
    else:  # pragma: no cover - a million numbers a district a day
        raise DomainError(_("Please try again."))
    _step(created, action="receive", from_state="", actor=actor, at=now)
    # Personal values read back masked.
    return RequestReceipt(EnterpriseRequest.objects.get(pk=created.pk), code)


@transaction.atomic
def request_act(
    *,
    request: EnterpriseRequest,
    action: str,
    actor: Any,
    text: str = "",
    grade: int | None = None,
    limit_class: str = "",
    now: datetime.datetime | None = None,
) -> EnterpriseRequest:
    """Move a request by one action of ``TABLE`` (locked, so concurrent presses move it once).

    ``dispatch`` takes the department as ``text`` and may re-class the request (its time limit
    is then counted again from receipt); ``handle`` the note, ``answer`` the answer; ``rate``
    (by the enterprise: ``actor`` is ``None``) a grade of the five-grade scale and a comment;
    a poor grade opens a :class:`FollowUp` for the district's supervisors, as for a case.
    """
    locked = (
        EnterpriseRequest.objects.select_for_update().select_related("region").get(pk=request.pk)
    )
    target = TABLE.get((locked.state, action))
    if target is None:
        raise DomainError(
            _("“%(action)s” is not possible while the request is “%(state)s”.")
            % {"action": ACTION_LABELS.get(action, action), "state": locked.get_state_display()},
            code="transition_not_allowed",
        )
    if action in OFFICER_ACTIONS and actor is None:
        raise PermissionDenied
    if not may_act(actor, locked.region):
        raise PermissionDenied
    now = now or timezone.now()
    text = (text or "").strip()
    if action in {"dispatch", "handle", "answer"} and not text:
        raise DomainError(_("This field is required."), fields={"text": [_("Required.")]})
    if action == "dispatch":
        locked.department = text
        if limit_class and limit_class != locked.limit_class:
            limit = TimeLimit.objects.filter(limit_class=limit_class).first()
            if limit is None:
                raise DomainError(
                    _("This time-limit class is not configured."),
                    fields={"limit_class": [_("This time-limit class is not configured.")]},
                )
            locked.limit_class = limit_class
            locked.due_at, locked.remind_at, locked.due_provisional = time_limit_of(
                limit, locked.received_at
            )
    elif action == "handle":
        locked.handling_note = text
    elif action == "answer":
        locked.answer, locked.answered_at = text, now
    elif action == "close":
        locked.closed_at = now
    elif action == "rate":
        if grade not in Grade.values:
            raise DomainError(_("Choose a grade."), fields={"grade": [_("Choose a grade.")]})
        locked.grade, locked.rating_comment = grade, text
    from_state = locked.state
    locked.state = target
    locked.save()
    note = "" if action == "rate" else text  # the rating's comment is not shown to the staff
    _step(locked, action=action, from_state=from_state, actor=actor, at=now, note=note)
    if action == "rate" and locked.grade in POOR_GRADES:
        # As for a case: the district's supervisors follow a poor rating up.
        FollowUp.objects.create(request=locked, region=locked.region, opened_at=now)
    return locked


@transaction.atomic
def requests_remind(*, now: datetime.datetime | None = None) -> list[RequestReminder]:
    """Record the reminders that have come due; return the new ones (each written once).

    An open request gets a "time limit near" reminder from its reminder moment on, and a
    "time limit passed" one once it is overdue. Run as often as wanted: a reminder already
    recorded is never written again (one row per request and kind, a unique constraint).
    """
    now = now or timezone.now()
    created: list[RequestReminder] = []
    for kind, moment in (
        (ReminderKind.BEFORE_DUE, "remind_at__lte"),
        (ReminderKind.OVERDUE, "due_at__lt"),
    ):
        due = (
            EnterpriseRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(**{moment: now}, state__in=OPEN_REQUEST_STATES)
            .exclude(reminders__kind=kind)
            .order_by("due_at", "id")
        )
        for request in due:
            try:
                with transaction.atomic():
                    created.append(
                        RequestReminder.objects.create(
                            request=request,
                            kind=kind,
                            at=now,
                            due_at=request.due_at,
                            department=request.department,
                        )
                    )
            except IntegrityError:  # another run wrote it meanwhile
                continue
    return created
