"""The fair: editions, their programme, registration under capacity, badges and check-in."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xiqia.core.models import BilingualName, localized
from xiqia.core.origin import OriginField


class Fair(BilingualName):
    """One edition of a fair, e.g. the 3rd Western China International Fair (May 2021)."""

    slug = models.SlugField(_("short address"), max_length=60, unique=True)
    short_name_zh = models.CharField(_("short name (Chinese)"), max_length=40, blank=True)
    short_name_en = models.CharField(_("short name (English)"), max_length=60, blank=True)
    slogan_zh = models.CharField(_("slogan (Chinese)"), max_length=200, blank=True)
    slogan_en = models.CharField(_("slogan (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("host region"), on_delete=models.PROTECT, related_name="+"
    )
    organisers = models.ManyToManyField(
        "directory.Organisation", verbose_name=_("organisers"), blank=True, related_name="fairs"
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    requires_approval = models.BooleanField(
        _("registrations need approval"),
        default=True,
        help_text=_("Otherwise every registration is approved at once."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fair")
        verbose_name_plural = _("fairs")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="fair_dates_ordered"
            ),
        ]

    @property
    def short_name(self) -> str:
        return localized(self.short_name_zh, self.short_name_en) or self.name

    @property
    def slogan(self) -> str:
        return localized(self.slogan_zh, self.slogan_en)

    @property
    def description(self) -> str:
        return localized(self.description_zh, self.description_en)

    def registration_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now > self.registration_closes_at)


class Venue(BilingualName):
    """A place where events happen, e.g. the Chongqing International Expo Center."""

    region = models.ForeignKey(
        "core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    address_zh = models.CharField(_("address (Chinese)"), max_length=200, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=200, blank=True)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name_zh"]

    @property
    def address(self) -> str:
        return localized(self.address_zh, self.address_en)


class Room(BilingualName):
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="rooms"
    )
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["venue", "name_zh"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name_zh"], name="room_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.venue.name} · {self.name}"


class Speaker(BilingualName):
    title_zh = models.CharField(_("position (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("position (English)"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="speakers",
    )
    bio_zh = models.TextField(_("biography (Chinese)"), blank=True)
    bio_en = models.TextField(_("biography (English)"), blank=True)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["name_zh"]

    @property
    def title(self) -> str:
        return localized(self.title_zh, self.title_en)

    @property
    def bio(self) -> str:
        return localized(self.bio_zh, self.bio_en)


class EventKind(models.TextChoices):
    CEREMONY = "ceremony", _("ceremony")
    FORUM = "forum", _("forum")
    SUMMIT = "summit", _("summit")
    PROMOTION = "promotion", _("promotion meeting")
    CONFERENCE = "conference", _("conference")
    ANNUAL_MEETING = "annual_meeting", _("annual meeting")
    COMPETITION = "competition", _("competition")


class Event(models.Model):
    """One item of a fair's programme. ``seats_taken`` is kept by the registration service and
    the database refuses to let it pass ``capacity`` (the check constraint below)."""

    fair = models.ForeignKey(
        Fair, verbose_name=_("fair"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    times_illustrative = models.BooleanField(
        _("times are illustrative"),
        default=False,
        help_text=_("The source gives no times; these only spread the programme over the days."),
    )
    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    organisers = models.ManyToManyField(
        "directory.Organisation",
        verbose_name=_("organisers"),
        blank=True,
        related_name="organised_events",
    )
    speakers = models.ManyToManyField(
        Speaker,
        verbose_name=_("speakers"),
        through="EventSpeaker",
        blank=True,
        related_name="events",
    )
    sequence = models.PositiveSmallIntegerField(_("order in the programme"), default=0)
    is_published = models.BooleanField(_("published"), default=True)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "sequence"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_times_ordered"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="event_seats_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_zh, self.title_en)

    @property
    def description(self) -> str:
        return localized(self.description_zh, self.description_en)

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)


class EventSpeaker(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="event_speakers")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="event_speakers")
    role_zh = models.CharField(_("role (Chinese)"), max_length=60, blank=True)
    role_en = models.CharField(_("role (English)"), max_length=60, blank=True)
    sequence = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("event speaker")
        verbose_name_plural = _("event speakers")
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(fields=["event", "speaker"], name="event_speaker_unique")
        ]

    def __str__(self) -> str:
        return f"{self.speaker} · {self.event}"

    @property
    def role(self) -> str:
        return localized(self.role_zh, self.role_en)


class Category(models.TextChoices):
    GUEST = "guest", _("guest")
    INVESTOR = "investor", _("investor")
    EXHIBITOR = "exhibitor", _("exhibitor")
    GOVERNMENT = "government", _("government delegate")
    MEDIA = "media", _("media")
    STAFF = "staff", _("staff")
    VIP = "vip", _("VIP")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


class Registration(models.Model):
    """A person's registration for a fair. Seats at events hang off it (EventRegistration)."""

    fair = models.ForeignKey(
        Fair, verbose_name=_("fair"), on_delete=models.CASCADE, related_name="registrations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    organisation_name = models.CharField(
        _("organisation as written"),
        max_length=200,
        blank=True,
        help_text=_("What the person wrote, when the organisation is not in the directory."),
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    category = models.CharField(
        _("category"), max_length=12, choices=Category.choices, default=Category.GUEST
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
    )
    note = models.TextField(_("note from the participant"), blank=True)
    decision_reason = models.CharField(_("reason for the decision"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["fair", "person"], name="registration_once_per_fair"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.fair.short_name}"

    @property
    def organisation_label(self) -> str:
        return self.organisation.name if self.organisation_id else self.organisation_name

    @property
    def is_active(self) -> bool:
        return self.status in {RegistrationStatus.PENDING, RegistrationStatus.APPROVED}


class SeatStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("seat confirmed")
    WAITLISTED = "waitlisted", _("waitlisted")
    CANCELLED = "cancelled", _("cancelled")


class EventRegistration(models.Model):
    """A registered person's place at one event: a confirmed seat, or a place on the waitlist."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="seats"
    )
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="seats"
    )
    status = models.CharField(_("status"), max_length=12, choices=SeatStatus.choices)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "event"],
                condition=~Q(status="cancelled"),
                name="event_registration_once",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "created_at"], name="seat_waitlist_order")
        ]

    def __str__(self) -> str:
        return f"{self.registration.person} · {self.event}"


class BadgeStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    REVOKED = "revoked", _("revoked")


class Badge(models.Model):
    """The e-badge of an approved registration; its QR code carries a token signed with the
    fair's key, so a gate can check it without the server."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="badge"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BadgeStatus.choices, default=BadgeStatus.ACTIVE
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["issued_at"]

    def __str__(self) -> str:
        return str(self.registration)


class FairKey(models.Model):
    """The fair's Ed25519 key pair. The private half is encrypted at rest; gates get the public."""

    fair = models.OneToOneField(Fair, on_delete=models.CASCADE, related_name="signing_key")
    public_key = models.CharField(_("public key"), max_length=64)
    private_key_encrypted = models.TextField(_("private key (encrypted)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("fair signing key")
        verbose_name_plural = _("fair signing keys")

    def __str__(self) -> str:
        return f"{self.fair.short_name} · {self.public_key[:12]}…"


class Gate(models.Model):
    fair = models.ForeignKey(
        Fair, verbose_name=_("fair"), on_delete=models.CASCADE, related_name="gates"
    )
    code = models.CharField(_("code"), max_length=10, help_text=_("Shown to staff, e.g. B."))
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="gates",
        help_text=_("Empty: a gate into the fair itself."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("gate")
        verbose_name_plural = _("gates")
        ordering = ["fair", "code"]
        constraints = [models.UniqueConstraint(fields=["fair", "code"], name="gate_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)


class CheckIn(models.Model):
    """The one arrival that counts for a badge at a fair (event empty) or at one event."""

    badge = models.ForeignKey(
        Badge, verbose_name=_("badge"), on_delete=models.CASCADE, related_name="checkins"
    )
    fair = models.ForeignKey(
        Fair, verbose_name=_("fair"), on_delete=models.CASCADE, related_name="checkins"
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checkins",
    )
    gate = models.ForeignKey(
        Gate, verbose_name=_("gate"), on_delete=models.PROTECT, related_name="checkins"
    )
    scanned_at = models.DateTimeField(_("scanned at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    offline = models.BooleanField(_("scanned offline"), default=False)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-scanned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["badge", "event"],
                name="checkin_once_per_event",
                condition=Q(event__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["badge"], name="checkin_once_per_fair", condition=Q(event__isnull=True)
            ),
        ]
        indexes = [models.Index(fields=["fair", "event", "gate"], name="checkin_counts")]

    def __str__(self) -> str:
        return f"{self.badge} · {self.gate.code} · {self.scanned_at:%Y-%m-%d %H:%M}"


class ScanOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("checked in")
    ALREADY = "already", _("already checked in")
    REVOKED = "revoked", _("badge revoked")
    UNKNOWN = "unknown", _("unknown badge")
    INVALID = "invalid", _("not a valid badge")
    WRONG_FAIR = "wrong_fair", _("badge for another fair")
    NO_SEAT = "no_seat", _("no seat at this event")


class ScanConflict(models.TextChoices):
    EARLIER_OFFLINE = "earlier_offline", _("scanned offline before the check-in on record")
    OTHER_GATE = "other_gate", _("also scanned at another gate")


class Scan(models.Model):
    """Every scan a gate reports, accepted or not; offline uploads are de-duplicated by
    (device, client scan id), so uploading the same batch twice changes nothing."""

    gate = models.ForeignKey(
        Gate, verbose_name=_("gate"), on_delete=models.PROTECT, related_name="scans"
    )
    device_id = models.CharField(_("device"), max_length=64)
    client_scan_id = models.CharField(_("scan id on the device"), max_length=64)
    badge = models.ForeignKey(
        Badge,
        verbose_name=_("badge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scans",
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=ScanOutcome.choices)
    checkin = models.ForeignKey(
        CheckIn,
        verbose_name=_("check-in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scans",
    )
    scanned_at = models.DateTimeField(_("scanned at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    offline = models.BooleanField(_("scanned offline"), default=False)
    conflict = models.CharField(
        _("conflict"), max_length=20, choices=ScanConflict.choices, blank=True
    )

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-scanned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["device_id", "client_scan_id"], name="scan_once_per_device"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gate.code} · {self.get_outcome_display()} · {self.scanned_at:%H:%M:%S}"

    @property
    def conflict_message(self) -> str:
        """Explain the conflict in the reader's language (the row stores only its kind)."""
        return conflict_message(self.conflict, self.scanned_at, self.gate.code)


def conflict_message(kind: str, scanned_at: datetime.datetime, gate_code: str) -> str:
    from django.utils.formats import date_format

    if kind == ScanConflict.EARLIER_OFFLINE:
        return _(
            "Scanned offline at %(time)s at gate %(gate)s, before the check-in on record; "
            "the earlier time is kept."
        ) % {"time": date_format(timezone.localtime(scanned_at), "H:i"), "gate": gate_code}
    if kind == ScanConflict.OTHER_GATE:
        return _("Also scanned at gate %(gate)s.") % {"gate": gate_code}
    return ""
