"""Writes for the fair: registration under capacity, decisions, badges, check-in.

Capacity is enforced by the database: a seat is taken by one conditional UPDATE
(``seats_taken = seats_taken + 1 WHERE seats_taken < capacity``), which PostgreSQL and SQLite
each apply atomically, and a check constraint refuses ``seats_taken > capacity`` outright. No
count is read and then acted on, so concurrent registrations cannot overfill an event.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from xiqia.accounts import access
from xiqia.accounts.models import Role
from xiqia.core import personal
from xiqia.core.errors import Conflict, DomainError
from xiqia.core.origin import Origin
from xiqia.fair import badges
from xiqia.fair.models import (
    Badge,
    BadgeStatus,
    Category,
    CheckIn,
    Event,
    EventRegistration,
    Fair,
    FairKey,
    Gate,
    Registration,
    RegistrationStatus,
    Scan,
    ScanConflict,
    ScanOutcome,
    SeatStatus,
    conflict_message,
)


def _is_organiser(actor: Any) -> bool:
    principal = access.principal_for(actor)
    return principal.is_admin or principal.has(Role.FAIR_ORGANISER)


def _require_organiser(actor: Any) -> None:
    if actor is not None and not _is_organiser(actor):
        raise PermissionDenied


def require_organiser(*, actor: Any) -> None:
    """Refuse anyone but an organiser: the API asks before it reads the caller's ids."""
    _require_organiser(actor)


# Keys ------------------------------------------------------------------------------------------


def fair_key(fair: Fair) -> FairKey:
    """Return the fair's signing key, creating it on first use."""
    try:
        return fair.signing_key
    except FairKey.DoesNotExist:
        pass
    private, public = badges.new_keypair()
    key, _created = FairKey.objects.get_or_create(
        fair=fair,
        defaults={"public_key": public, "private_key_encrypted": personal.encrypt(private)},
    )
    fair.signing_key = key
    return key


def badge_token(badge: Badge) -> str:
    """Return the signed token that the badge's QR code shows."""
    registration = badge.registration
    key = fair_key(registration.fair)
    claims = badges.BadgeClaims(
        badge_id=badge.pk.hex,
        fair_id=registration.fair_id,
        name=registration.person.get_full_name(),
        category=registration.category,
    )
    return badges.make_token(personal.decrypt(key.private_key_encrypted), claims)


# Registration ----------------------------------------------------------------------------------

# What a person may choose for themself; VIP and staff badges are the organisers' to give.
SELF_SERVICE_CATEGORIES = {
    Category.GUEST,
    Category.INVESTOR,
    Category.EXHIBITOR,
    Category.GOVERNMENT,
    Category.MEDIA,
}


@transaction.atomic
def registration_create(
    *,
    fair: Fair,
    person: Any,
    category: str = "guest",
    organisation: Any = None,
    organisation_name: str = "",
    job_title: str = "",
    note: str = "",
    events: Iterable[Event] = (),
    actor: Any = None,
    origin: str = Origin.ENTERED,
    now: datetime.datetime | None = None,
) -> Registration:
    """Register a person for a fair and the chosen events; the same person only once.

    A fair without approval approves at once and issues the badge. A seat at each chosen
    event is confirmed while seats last; after that the person joins the event's waitlist.
    """
    organiser = actor is None or _is_organiser(actor)  # no actor: trusted system code
    if not organiser and actor != person:
        raise PermissionDenied
    if not organiser and not (fair.is_published and fair.registration_open(now)):
        raise DomainError(_("Registration for this fair is not open."), code="registration_closed")
    if not organiser and category not in SELF_SERVICE_CATEGORIES:
        raise ValidationError({"category": _("Only the organisers give this category.")})
    events = list(events)
    foreign = [e for e in events if e.fair_id != fair.pk or not (organiser or e.is_published)]
    if foreign:
        raise ValidationError({"events": _("Choose published events of this fair.")})
    existing = Registration.objects.select_for_update().filter(fair=fair, person=person).first()
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        raise Conflict(_("You are already registered for this fair."), code="already_registered")
    values = {
        "category": category,
        "organisation": organisation,
        "organisation_name": organisation_name,
        "job_title": job_title,
        "note": note,
        "status": RegistrationStatus.PENDING,
        "decided_by": None,
        "decided_at": None,
        "decision_reason": "",
        "origin": origin,
        "created_at": now or timezone.now(),
    }
    if existing is not None:
        for name, value in values.items():
            setattr(existing, name, value)
        registration = existing
    else:
        registration = Registration(fair=fair, person=person, **values)
    registration.full_clean(exclude=["person", "fair"])
    registration._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:  # a concurrent registration of the same person
        raise Conflict(
            _("You are already registered for this fair."), code="already_registered"
        ) from exc
    for event in events:
        seat_request(registration=registration, event=event, organiser=organiser, now=now)
    if not fair.requires_approval:
        _approve(registration, actor=None, now=now)
    return registration


def _take_seat(event: Event) -> bool:
    """Take one seat if one is left: a single conditional UPDATE, atomic in the database."""
    if event.capacity is None:
        Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") + 1)
        return True
    return bool(
        Event.objects.filter(pk=event.pk, seats_taken__lt=F("capacity")).update(
            seats_taken=F("seats_taken") + 1
        )
    )


def _event_open(event: Event, now: datetime.datetime) -> bool:
    if event.registration_opens_at and now < event.registration_opens_at:
        return False
    return not (event.registration_closes_at and now > event.registration_closes_at)


@transaction.atomic
def seat_request(
    *,
    registration: Registration,
    event: Event,
    organiser: bool = False,
    now: datetime.datetime | None = None,
) -> EventRegistration:
    """Confirm a seat at the event if one is left, otherwise put the person on its waitlist."""
    if not registration.is_active:
        raise DomainError(_("This registration is no longer active."), code="registration_inactive")
    if not organiser and not _event_open(event, now or timezone.now()):
        raise DomainError(
            _("Registration for %(event)s is not open.") % {"event": event.title},
            code="event_registration_closed",
        )
    if (
        EventRegistration.objects.filter(registration=registration, event=event)
        .exclude(status=SeatStatus.CANCELLED)
        .exists()
    ):
        raise Conflict(_("You already have a place at this event."), code="already_seated")
    confirmed = _take_seat(event)
    now = now or timezone.now()
    seat = EventRegistration(
        registration=registration,
        event=event,
        status=SeatStatus.CONFIRMED if confirmed else SeatStatus.WAITLISTED,
        created_at=now,
        confirmed_at=now if confirmed else None,
    )
    try:
        with transaction.atomic():
            seat.save()
    except IntegrityError as exc:
        raise Conflict(_("You already have a place at this event."), code="already_seated") from exc
    return seat


def _release_seat(seat: EventRegistration) -> None:
    """Give up a seat (or a waitlist place); a freed seat goes to the first on the waitlist."""
    was_confirmed = seat.status == SeatStatus.CONFIRMED
    seat.status = SeatStatus.CANCELLED
    seat.save(update_fields=["status"])
    if not was_confirmed:
        return
    Event.objects.filter(pk=seat.event_id).update(seats_taken=F("seats_taken") - 1)
    _promote_waitlist(seat.event)


def _promote_waitlist(event: Event) -> None:
    while True:
        first = (
            EventRegistration.objects.select_for_update(skip_locked=True)
            .filter(event=event, status=SeatStatus.WAITLISTED, registration__status__in=_ACTIVE)
            .order_by("created_at", "pk")
            .first()
        )
        if first is None or not _take_seat(event):
            return
        first.status = SeatStatus.CONFIRMED
        first.confirmed_at = timezone.now()
        first.save(update_fields=["status", "confirmed_at"])


_ACTIVE = [RegistrationStatus.PENDING, RegistrationStatus.APPROVED]


@transaction.atomic
def seat_cancel(*, seat: EventRegistration, actor: Any) -> EventRegistration:
    """Give up one event place (the person themself or an organiser)."""
    seat = (
        EventRegistration.objects.select_for_update().select_related("registration").get(pk=seat.pk)
    )
    if actor is not None and actor != seat.registration.person:
        _require_organiser(actor)
    if seat.status != SeatStatus.CANCELLED:
        _release_seat(seat)
    return seat


def _approve(
    registration: Registration, actor: Any, now: datetime.datetime | None = None
) -> Registration:
    fair_key(registration.fair)  # the badge's token is signed with it; make it before first view
    now = now or timezone.now()
    registration.status = RegistrationStatus.APPROVED
    registration.decided_by = actor
    registration.decided_at = now
    registration._history_user = actor  # type: ignore[attr-defined]
    registration.save()
    badge, created = Badge.objects.get_or_create(
        registration=registration, defaults={"issued_at": now}
    )
    if not created and badge.status != BadgeStatus.ACTIVE:
        badge.status, badge.revoked_at, badge.revoked_reason = BadgeStatus.ACTIVE, None, ""
        badge.save()
    return registration


def _locked(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update()
        .select_related("fair", "person")
        .get(pk=registration.pk)
    )


@transaction.atomic
def registration_approve(
    *, registration: Registration, actor: Any, now: datetime.datetime | None = None
) -> Registration:
    """Approve a pending registration and issue its badge (``now``: when, if not now)."""
    _require_organiser(actor)
    registration = _locked(registration)
    if registration.status != RegistrationStatus.PENDING:
        raise Conflict(
            _("Only a pending registration can be approved (this one is %(status)s).")
            % {"status": registration.get_status_display()},
            code="not_pending",
        )
    return _approve(registration, actor, now=now)


def registrations_approve(*, registrations: Iterable[Registration], actor: Any) -> int:
    """Approve every pending registration among these; return how many were approved."""
    _require_organiser(actor)
    approved = 0
    for registration in registrations:
        with transaction.atomic():
            locked = _locked(registration)
            if locked.status == RegistrationStatus.PENDING:
                _approve(locked, actor)
                approved += 1
    return approved


def _close(registration: Registration, status: str, actor: Any, reason: str) -> Registration:
    registration.status = status
    registration.decided_by = actor
    registration.decided_at = timezone.now()
    registration.decision_reason = reason
    registration._history_user = actor  # type: ignore[attr-defined]
    registration.save()
    for seat in registration.seats.select_for_update().exclude(status=SeatStatus.CANCELLED):
        _release_seat(seat)
    Badge.objects.filter(registration=registration, status=BadgeStatus.ACTIVE).update(
        status=BadgeStatus.REVOKED, revoked_at=timezone.now(), revoked_reason=reason or status
    )
    return registration


@transaction.atomic
def registration_reject(
    *, registration: Registration, actor: Any, reason: str = ""
) -> Registration:
    """Reject a registration: its seats go to the waitlists and any badge is revoked."""
    _require_organiser(actor)
    registration = _locked(registration)
    if registration.status not in _ACTIVE:
        raise Conflict(_("This registration is already closed."), code="closed")
    return _close(registration, RegistrationStatus.REJECTED, actor, reason)


@transaction.atomic
def registration_cancel(
    *, registration: Registration, actor: Any, reason: str = ""
) -> Registration:
    """Cancel a registration (the person or an organiser); seats go to the first waiting."""
    registration = _locked(registration)
    if actor is not None and actor != registration.person:
        _require_organiser(actor)
    if registration.status not in _ACTIVE:
        raise Conflict(_("This registration is already closed."), code="closed")
    return _close(registration, RegistrationStatus.CANCELLED, actor, reason)


@transaction.atomic
def badge_revoke(*, badge: Badge, actor: Any, reason: str) -> Badge:
    """Revoke a badge (lost, misused): gates refuse it from now on."""
    _require_organiser(actor)
    badge = Badge.objects.select_for_update().get(pk=badge.pk)
    if badge.status == BadgeStatus.REVOKED:
        raise Conflict(_("This badge is already revoked."), code="already_revoked")
    badge.status, badge.revoked_at, badge.revoked_reason = (
        BadgeStatus.REVOKED,
        timezone.now(),
        reason,
    )
    badge._history_user = actor  # type: ignore[attr-defined]
    badge.save()
    return badge


# Check-in --------------------------------------------------------------------------------------


@dataclass
class ScanResult:
    outcome: str
    message: str
    name: str = ""
    category: str = ""
    checked_in_at: datetime.datetime | None = None
    gate: str = ""
    conflict: str = ""
    conflict_kind: str = ""
    duplicate_upload: bool = False

    @property
    def accepted(self) -> bool:
        return self.outcome == ScanOutcome.ACCEPTED

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "accepted": self.accepted,
            "message": self.message,
            "name": self.name,
            "category": self.category,
            "checked_in_at": self.checked_in_at.isoformat() if self.checked_in_at else None,
            "gate": self.gate,
            "conflict": self.conflict,
            "duplicate_upload": self.duplicate_upload,
        }


def _local_time(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "H:i")


def _refuse(outcome: str, message: str, **extra: Any) -> ScanResult:
    return ScanResult(outcome=outcome, message=message, **extra)


@dataclass(frozen=True)
class _Admitted:
    """A badge that passed every check at a gate, with what the signed token says of it."""

    badge_id: uuid.UUID
    name: str
    category: str


def _public_key(gate: Gate) -> str:
    try:
        return gate.fair.signing_key.public_key
    except FairKey.DoesNotExist:
        return fair_key(gate.fair).public_key


def _category_label(code: str) -> str:
    return Category(code).label if code in Category.values else code


def _badge_row(badge_id: uuid.UUID) -> tuple[str, str, int] | None:
    """Return a badge's status, revocation reason and registration id (one narrow read)."""
    qn = connection.ops.quote_name
    meta = Badge._meta
    columns = ", ".join(
        qn(meta.get_field(name).column) for name in ("status", "revoked_reason", "registration")
    )
    sql = f"SELECT {columns} FROM {qn(meta.db_table)} WHERE {qn(meta.pk.column)} = %s"  # noqa: S608 (names from the model)
    with connection.cursor() as cursor:
        cursor.execute(sql, [meta.pk.get_db_prep_value(badge_id, connection)])
        return cursor.fetchone()


def _evaluate(gate: Gate, token: str) -> tuple[uuid.UUID | None, _Admitted | ScanResult]:
    """Check a token's signature and badge; return the badge id and the admission or refusal.

    The name and category come from the signed token itself, so admitting a badge reads one
    narrow row (its status), not the person.
    """
    claims = badges.peek_token(token)
    if claims is None:
        return None, _refuse(ScanOutcome.INVALID, _("This is not a badge of this platform."))
    if claims["f"] != gate.fair_id:
        return None, _refuse(ScanOutcome.WRONG_FAIR, _("This badge is for another fair."))
    try:
        verified = badges.read_token(_public_key(gate), token)
        badge_id = uuid.UUID(hex=verified.badge_id)
    except (badges.InvalidToken, ValueError):
        return None, _refuse(
            ScanOutcome.INVALID, _("The badge's signature does not hold: it is forged or damaged.")
        )
    row = _badge_row(badge_id)
    if row is None:
        return None, _refuse(ScanOutcome.UNKNOWN, _("Unknown badge."))
    status, revoked_reason, registration_id = row
    if status == BadgeStatus.REVOKED:
        return badge_id, _refuse(
            ScanOutcome.REVOKED,
            _("Badge revoked: %(reason)s") % {"reason": revoked_reason or _("no reason given")},
            name=verified.name,
        )
    if (
        gate.event_id
        and not EventRegistration.objects.filter(
            registration_id=registration_id, event_id=gate.event_id, status=SeatStatus.CONFIRMED
        ).exists()
    ):
        return badge_id, _refuse(
            ScanOutcome.NO_SEAT, _("No confirmed seat at this event."), name=verified.name
        )
    return badge_id, _Admitted(badge_id, verified.name, _category_label(verified.category))


def _already(checkin: CheckIn, name: str, category: str) -> ScanResult:
    return ScanResult(
        outcome=ScanOutcome.ALREADY,
        message=_("Already checked in at %(time)s, gate %(gate)s.")
        % {"time": _local_time(checkin.scanned_at), "gate": checkin.gate.code},
        name=name,
        category=category,
        checked_in_at=checkin.scanned_at,
        gate=checkin.gate.code,
    )


def check_in(
    *,
    gate: Gate,
    token: str,
    scanned_at: datetime.datetime | None = None,
    device_id: str = "server",
    client_scan_id: str = "",
    offline: bool = False,
) -> ScanResult:
    """Record one scan at a gate; the first accepted scan of a badge is the one that counts.

    Idempotent per (device, client scan id): the same scan sent again is answered from the
    first time and recorded once (the unique constraint decides, not a prior read).
    """
    received = timezone.now()
    # A device's clock is not trusted into the future: a scan cannot be later than its arrival.
    scanned_at = min(scanned_at, received) if scanned_at else received
    client_scan_id = client_scan_id or uuid.uuid4().hex
    try:
        with transaction.atomic():
            return _record_scan(
                gate, token, scanned_at, received, device_id, client_scan_id, offline
            )
    except (_ScanReceivedBefore, IntegrityError):
        # This device sent this scan before: everything above rolled back; answer as then.
        return _replay(gate, token, device_id, client_scan_id)


class _ScanReceivedBefore(Exception):
    """The (device, scan id) pair is on record: roll the scan's transaction back."""


def _insert_unless_on_record(model: type[models.Model], values: dict[str, Any]) -> int | None:
    """Insert a row unless a unique constraint says it is on record; return its id, or None.

    ``INSERT ... ON CONFLICT DO NOTHING RETURNING``: a repeat scan is common at a gate, and
    taking it as an IntegrityError would cost a savepoint and an error in PostgreSQL's log;
    the raw statement also skips the ORM's per-save work on the gate's hot path. Both
    PostgreSQL and SQLite (3.35+) understand it.
    """
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in values]
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    # Names come from the model's own metadata; values go as parameters.
    table, columns = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT DO NOTHING RETURNING id"  # noqa: S608, E501
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _record_scan(
    gate: Gate,
    token: str,
    scanned_at: datetime.datetime,
    received: datetime.datetime,
    device_id: str,
    client_scan_id: str,
    offline: bool,
) -> ScanResult:
    badge_id, verdict = _evaluate(gate, token)
    checkin_id = None
    conflict_kind = ""
    if isinstance(verdict, ScanResult):
        result = verdict
    else:
        checkin_id = _insert_unless_on_record(
            CheckIn,
            {
                "badge": badge_id,
                "fair": gate.fair_id,
                "event": gate.event_id,
                "gate": gate.pk,
                "scanned_at": scanned_at,
                "received_at": received,
                "offline": offline,
            },
        )
        if checkin_id is not None:
            result = ScanResult(
                outcome=ScanOutcome.ACCEPTED,
                message=_("Welcome, %(name)s.") % {"name": verdict.name},
                name=verdict.name,
                category=verdict.category,
                checked_in_at=scanned_at,
                gate=gate.code,
            )
        else:  # checked in before, here or at another gate
            first = CheckIn.objects.select_related("gate").get(
                badge_id=badge_id, event_id=gate.event_id
            )
            result = _already(first, verdict.name, verdict.category)
            if offline and scanned_at < first.scanned_at:
                conflict_kind = ScanConflict.EARLIER_OFFLINE
                CheckIn.objects.filter(pk=first.pk).update(
                    scanned_at=scanned_at, gate=gate, offline=True
                )
                checkin_id = first.pk
            elif first.gate_id != gate.pk:
                conflict_kind = ScanConflict.OTHER_GATE
            result.conflict_kind = conflict_kind
            result.conflict = conflict_message(conflict_kind, scanned_at, gate.code)
    scan_id = _insert_unless_on_record(
        Scan,
        {
            "gate": gate.pk,
            "device_id": device_id,
            "client_scan_id": client_scan_id,
            "badge": badge_id,
            "outcome": result.outcome,
            "checkin": checkin_id,
            "scanned_at": scanned_at,
            "received_at": received,
            "offline": offline,
            "conflict": conflict_kind,
        },
    )
    if scan_id is None:
        raise _ScanReceivedBefore
    return result


def _replay(gate: Gate, token: str, device_id: str, client_scan_id: str) -> ScanResult:
    """Answer a scan that was already received, without recording it again."""
    scan = Scan.objects.select_related("badge__registration__person").get(
        device_id=device_id, client_scan_id=client_scan_id
    )
    claims = badges.peek_token(token) or {}
    if scan.gate_id != gate.pk or (scan.badge_id and claims.get("b") != scan.badge_id.hex):
        # A device reused a scan id for another badge or gate: answer, record nothing.
        return _refuse(
            ScanOutcome.INVALID,
            _("This scan id was already used on this device for another badge or gate."),
        )
    registration = scan.badge.registration if scan.badge_id else None
    checkin = (
        CheckIn.objects.select_related("gate")
        .filter(badge_id=scan.badge_id, event_id=gate.event_id)
        .first()
        if scan.badge_id
        else None
    )
    return ScanResult(
        outcome=scan.outcome,
        message=scan.get_outcome_display(),
        name=registration.person.get_full_name() if registration else "",
        category=registration.get_category_display() if registration else "",
        checked_in_at=checkin.scanned_at if checkin else None,
        gate=checkin.gate.code if checkin else "",
        conflict=scan.conflict_message,
        duplicate_upload=True,
    )


@dataclass
class UploadReport:
    received: int = 0
    accepted: int = 0
    already: int = 0
    refused: int = 0
    duplicates: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)


def gate_upload(*, gate: Gate, device_id: str, scans: Sequence[dict[str, Any]]) -> UploadReport:
    """Merge the scans an offline gate kept: each counted once, conflicts reported.

    Each scan is ``{"id": client scan id, "token": ..., "scanned_at": datetime}``. The scans
    are merged in the order they were made; sending the same batch again changes nothing.
    """
    report = UploadReport()
    for scan in sorted(scans, key=lambda s: s["scanned_at"]):
        result = check_in(
            gate=gate,
            token=scan["token"],
            scanned_at=scan["scanned_at"],
            device_id=device_id,
            client_scan_id=str(scan["id"]),
            offline=True,
        )
        report.received += 1
        if result.duplicate_upload:
            report.duplicates += 1
        elif result.outcome == ScanOutcome.ACCEPTED:
            report.accepted += 1
        elif result.outcome == ScanOutcome.ALREADY:
            report.already += 1
        else:
            report.refused += 1
        if result.conflict or (
            result.outcome not in {ScanOutcome.ACCEPTED} and not result.duplicate_upload
        ):
            report.conflicts.append({"id": str(scan["id"]), **result.as_dict()})
        report.results.append({"id": str(scan["id"]), **result.as_dict()})
    return report


def gate_list(*, gate: Gate) -> dict[str, Any]:
    """Return the signed list a gate needs to keep scanning without a network."""
    key = fair_key(gate.fair)
    active = Badge.objects.filter(registration__fair_id=gate.fair_id)
    if gate.event_id:
        seated = EventRegistration.objects.filter(
            event_id=gate.event_id, status=SeatStatus.CONFIRMED
        )
        active = active.filter(registration__in=seated.values("registration"))
    body = {
        "fair": gate.fair_id,
        "gate": gate.code,
        "event": gate.event_id,
        "generated_at": timezone.now().isoformat(),
        "public_key": key.public_key,
        "valid": sorted(
            active.filter(status=BadgeStatus.ACTIVE).values_list("id", flat=True).iterator()
        ),
        "revoked": sorted(
            active.filter(status=BadgeStatus.REVOKED).values_list("id", flat=True).iterator()
        ),
    }
    body["valid"] = [b.hex for b in body["valid"]]
    body["revoked"] = [b.hex for b in body["revoked"]]
    signature = badges.sign(personal.decrypt(key.private_key_encrypted), badges.canonical(body))
    return {"list": body, "signature": signature}
