"""Writes for the enterprise green channel (诉求处理): requests dispatched, answered, reminded.

A request moves by ``TABLE`` only: received → dispatched to a department → handled → answered →
closed → rated. Its due day is the time limit of its class (urgent, general, complex; configured
in ``TimeLimit``) in working days from the day of receipt (day 0); the reminder falls the
class's number of working days before it. Officers of the request's district act on it.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiqia.accounts import access
from xiqia.accounts.models import Role
from xiqia.core import personal
from xiqia.core.errors import DomainError
from xiqia.core.origin import Origin
from xiqia.core.personal import PersonalKind
from xiqia.govservice import deadlines
from xiqia.govservice.models import (
    EnterpriseRequest,
    Grade,
    LimitClass,
    RequestKind,
    RequestState,
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


def _may_act(actor: Any, region: Any) -> bool:
    if actor is None:
        return True
    principal = access.principal_for(actor)
    return principal.is_admin or (
        principal.has(Role.DISTRICT_OFFICER) and principal.covers_region_code(region.code)
    )


def _due(received_on: datetime.date, limit: TimeLimit) -> tuple[datetime.date, datetime.date]:
    due, _provisional = deadlines.case_deadline(received_on, limit.working_days)
    remind, _provisional = deadlines.case_deadline(
        received_on, limit.working_days - limit.remind_days_before
    )
    return due, remind


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
) -> EnterpriseRequest:
    """Receive an enterprise's request; its due day follows from its time-limit class."""
    if not _may_act(actor, region):
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
    received_on = timezone.localdate(now)
    due_on, remind_on = _due(received_on, limit)
    created = EnterpriseRequest.objects.create(
        number=f"GC{region.code}{received_on:%Y%m%d}{secrets.randbelow(10**6):06d}",
        kind=kind,
        region=region,
        organisation=organisation,
        enterprise_name=enterprise_name.strip(),
        contact_name=contact_name.strip(),
        contact_phone=phone,
        subject=subject.strip(),
        body=body.strip(),
        limit_class=limit_class,
        received_at=now,
        due_on=due_on,
        remind_on=remind_on,
        origin=origin,
    )
    return EnterpriseRequest.objects.get(pk=created.pk)  # personal values read back masked


@transaction.atomic
def request_act(
    *,
    request: EnterpriseRequest,
    action: str,
    actor: Any,
    text: str = "",
    grade: int | None = None,
    now: datetime.datetime | None = None,
) -> EnterpriseRequest:
    """Move a request by one action of ``TABLE`` (locked, so concurrent presses move it once).

    ``dispatch`` takes the department as ``text``, ``handle`` the note, ``answer`` the answer;
    ``rate`` a grade of the five-grade scale.
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
    if not _may_act(actor, locked.region):
        raise PermissionDenied
    text = (text or "").strip()
    if action in {"dispatch", "handle", "answer"} and not text:
        raise DomainError(_("This field is required."), fields={"text": [_("Required.")]})
    if action == "dispatch":
        locked.department = text
    elif action == "handle":
        locked.handling_note = text
    elif action == "answer":
        locked.answer, locked.answered_at = text, now or timezone.now()
    elif action == "rate":
        if grade not in Grade.values:
            raise DomainError(_("Choose a grade."), fields={"grade": [_("Choose a grade.")]})
        locked.grade = grade
    locked.state = target
    locked.save()
    return locked


@transaction.atomic
def requests_remind(*, today: datetime.date | None = None) -> list[EnterpriseRequest]:
    """Mark the open requests whose reminder day has come; return them (each reminded once)."""
    today = today or timezone.localdate()
    due = list(
        EnterpriseRequest.objects.select_for_update(skip_locked=True)
        .filter(
            remind_on__lte=today,
            reminded_at__isnull=True,
            state__in=[S.RECEIVED, S.DISPATCHED, S.HANDLED],
        )
        .order_by("due_on", "id")
    )
    now = timezone.now()
    EnterpriseRequest.objects.filter(pk__in=[r.pk for r in due]).update(reminded_at=now)
    return due
