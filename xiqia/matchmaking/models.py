"""Matchmaking: participant profiles, meeting requests, slots and tables, and the schedule.

A ``Profile`` belongs to one fair registration. Participants send ``MeetingRequest``s; an
accepted request becomes a ``Meeting``. Organisers define ``Slot``s and ``Table``s; the
scheduler (``scheduling.py``) places accepted meetings, a ``SchedulePlan`` records each run
(preview or published), and ``Notification``s tell people what changed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xiqia.core.origin import OriginField


class ParticipantRole(models.TextChoices):
    INVESTOR = "investor", _("investor")
    ENTERPRISE = "enterprise", _("enterprise")
    PROMOTION_OFFICE = "promotion_office", _("investment-promotion office")
    PARK = "park", _("park or zone")
    SERVICE = "service", _("service provider")
    ASSOCIATION = "association", _("association")


class Need(models.TextChoices):
    """The controlled vocabulary of what participants offer and seek."""

    CAPITAL = "capital", _("capital")
    PROJECTS = "projects", _("investment projects")
    COMPONENTS = "components", _("component supply")
    MANUFACTURING = "manufacturing", _("manufacturing capacity")
    TECHNOLOGY = "technology", _("technology and R&D")
    LAND = "land", _("land and premises")
    POLICY = "policy", _("policy support")
    MARKET = "market", _("market access and distribution")
    LOGISTICS = "logistics", _("logistics")
    RAW_MATERIALS = "raw_materials", _("raw materials")
    TALENT = "talent", _("talent")
    PARTNERSHIP = "partnership", _("joint venture partners")


class InvestmentSize(models.TextChoices):
    UNDER_10M = "under_10m", _("under 10 million yuan")
    UP_TO_100M = "10m_100m", _("10 to 100 million yuan")
    UP_TO_1B = "100m_1b", _("100 million to 1 billion yuan")
    OVER_1B = "over_1b", _("over 1 billion yuan")


class Language(models.TextChoices):
    CHINESE = "zh", _("Chinese")
    ENGLISH = "en", _("English")
    JAPANESE = "ja", _("Japanese")
    KOREAN = "ko", _("Korean")
    GERMAN = "de", _("German")
    FRENCH = "fr", _("French")
    RUSSIAN = "ru", _("Russian")


def _check_codes(value: list, choices: type[models.TextChoices], field: str) -> None:
    if not isinstance(value, list) or any(code not in choices.values for code in value):
        raise ValidationError({field: _("Choose from the list.")})


class ProposalPolicy(models.TextChoices):
    """What an organiser's proposal becomes (b2match's "Meeting is accepted" switch)."""

    ASK_BOTH = "ask_both", _("both participants accept or decline")
    ACCEPTED = "accepted", _("an accepted meeting at once")


class MatchmakingSettings(models.Model):
    """A fair's matchmaking rules: per-person limits, and what organiser proposals become."""

    fair = models.OneToOneField(
        "fair.Fair",
        verbose_name=_("fair"),
        on_delete=models.CASCADE,
        related_name="matchmaking_settings",
    )
    max_open_requests = models.PositiveSmallIntegerField(
        _("open requests per person"),
        default=20,
        help_text=_("How many pending requests one person may have sent at a time."),
    )
    max_meetings = models.PositiveSmallIntegerField(
        _("meetings per person"),
        default=12,
        help_text=_("How many accepted meetings one person may have."),
    )
    organiser_proposals = models.CharField(
        _("organiser proposals"),
        max_length=10,
        choices=ProposalPolicy.choices,
        default=ProposalPolicy.ASK_BOTH,
        help_text=_(
            "Whether a meeting the organiser proposes waits for both participants to accept, "
            "or goes straight into their agendas."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("matchmaking settings")
        verbose_name_plural = _("matchmaking settings")

    def __str__(self) -> str:
        return str(self.fair)


class Profile(models.Model):
    """What a registered participant offers and seeks, and when they can meet."""

    registration = models.OneToOneField(
        "fair.Registration",
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="matchmaking_profile",
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=ParticipantRole.choices,
        default=ParticipantRole.ENTERPRISE,
    )
    industries = models.ManyToManyField(
        "directory.Industry", verbose_name=_("industries"), blank=True, related_name="+"
    )
    offers = models.JSONField(_("offers"), default=list, blank=True)
    seeks = models.JSONField(_("seeks"), default=list, blank=True)
    offers_text = models.TextField(
        _("what we offer, in your words"), blank=True, help_text=_("Chinese or English.")
    )
    seeks_text = models.TextField(
        _("what we seek, in your words"), blank=True, help_text=_("Chinese or English.")
    )
    investment_size = models.CharField(
        _("investment size"), max_length=12, choices=InvestmentSize.choices, blank=True
    )
    regions = models.ManyToManyField(
        "core.Region", verbose_name=_("regions of interest"), blank=True, related_name="+"
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    is_visible = models.BooleanField(
        _("shown to other participants"),
        default=True,
        help_text=_("Hidden profiles are not recommended and cannot be sent requests."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    origin = OriginField()
    history = HistoricalRecords(m2m_fields=[industries, regions])

    class Meta:
        verbose_name = _("matchmaking profile")
        verbose_name_plural = _("matchmaking profiles")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.display_name} · {self.organisation_label}"

    def clean(self) -> None:
        _check_codes(self.offers, Need, "offers")
        _check_codes(self.seeks, Need, "seeks")
        _check_codes(self.languages, Language, "languages")

    @property
    def person(self) -> object:
        return self.registration.person

    @property
    def fair_id(self) -> int:
        return self.registration.fair_id

    @property
    def display_name(self) -> str:
        person = self.registration.person
        return person.get_full_name() or person.username

    @property
    def organisation_label(self) -> str:
        return self.registration.organisation_label

    def offer_labels(self) -> list[str]:
        return [str(Need(code).label) for code in self.offers if code in Need.values]

    def seek_labels(self) -> list[str]:
        return [str(Need(code).label) for code in self.seeks if code in Need.values]

    def language_labels(self) -> list[str]:
        return [str(Language(code).label) for code in self.languages if code in Language.values]


class AvailabilityWindow(models.Model):
    """A time during the fair when a participant can meet. No windows: available throughout."""

    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="windows"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))

    class Meta:
        verbose_name = _("availability window")
        verbose_name_plural = _("availability windows")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="availability_times_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%H:%M}"

    def covers(self, slot: Slot) -> bool:
        return self.starts_at <= slot.starts_at and slot.ends_at <= self.ends_at


class Slot(models.Model):
    """A time in which 1:1 meetings happen at the fair's tables."""

    fair = models.ForeignKey(
        "fair.Fair", verbose_name=_("fair"), on_delete=models.CASCADE, related_name="meeting_slots"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting slot")
        verbose_name_plural = _("meeting slots")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_times_ordered"
            ),
            models.UniqueConstraint(fields=["fair", "starts_at"], name="slot_unique_start"),
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        return f"{start:%m-%d %H:%M}–{end:%H:%M}"


class Table(models.Model):
    """A meeting table (or small room); it holds one meeting per slot."""

    fair = models.ForeignKey(
        "fair.Fair", verbose_name=_("fair"), on_delete=models.CASCADE, related_name="meeting_tables"
    )
    code = models.CharField(_("table number"), max_length=20)
    room = models.ForeignKey(
        "fair.Room",
        verbose_name=_("room"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seats = models.PositiveSmallIntegerField(
        _("seats"), default=4, help_text=_("How many people fit at the table.")
    )
    is_active = models.BooleanField(_("in use"), default=True)
    check_in_key = models.UUIDField(
        _("check-in key"), default=uuid.uuid4, unique=True, editable=False
    )
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting table")
        verbose_name_plural = _("meeting tables")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["fair", "code"], name="table_unique_code"),
            models.CheckConstraint(condition=Q(seats__gte=2), name="table_seats_for_two"),
        ]

    def __str__(self) -> str:
        return self.code


class Hidden(models.Model):
    """A participant does not want to see or hear from another."""

    profile = models.ForeignKey(
        Profile, verbose_name=_("hidden by"), on_delete=models.CASCADE, related_name="hides"
    )
    hidden = models.ForeignKey(
        Profile, verbose_name=_("hidden"), on_delete=models.CASCADE, related_name="hidden_by"
    )
    created_at = models.DateTimeField(_("hidden at"), default=timezone.now)

    class Meta:
        verbose_name = _("hidden participant")
        verbose_name_plural = _("hidden participants")
        constraints = [
            models.UniqueConstraint(fields=["profile", "hidden"], name="hidden_once"),
            models.CheckConstraint(condition=~Q(profile=F("hidden")), name="hidden_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} ⊘ {self.hidden}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


class MeetingRequest(models.Model):
    """One participant asks another for a 1:1 meeting (or an organiser proposes one)."""

    sender = models.ForeignKey(
        Profile, verbose_name=_("from"), on_delete=models.CASCADE, related_name="sent_requests"
    )
    recipient = models.ForeignKey(
        Profile, verbose_name=_("to"), on_delete=models.CASCADE, related_name="received_requests"
    )
    message = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    proposed_by_organiser = models.BooleanField(_("proposed by the organiser"), default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # An organiser's proposal needs both sides to accept; each side's answer is kept here.
    sender_agreed_at = models.DateTimeField(
        _("first participant accepted at"), null=True, blank=True
    )
    recipient_agreed_at = models.DateTimeField(
        _("second participant accepted at"), null=True, blank=True
    )
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(sender=F("recipient")), name="request_not_self"),
            models.UniqueConstraint(
                fields=["sender", "recipient"],
                condition=Q(status="pending"),
                name="request_one_open",
            ),
        ]
        indexes = [models.Index(fields=["sender", "status"], name="request_sender_status")]

    def __str__(self) -> str:
        return f"{self.sender.display_name} → {self.recipient.display_name}"

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.PENDING

    def agreed(self, profile: Profile) -> bool:
        """Whether ``profile`` has accepted this organiser's proposal already."""
        if profile.pk == self.sender_id:
            return self.sender_agreed_at is not None
        return self.recipient_agreed_at is not None


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("not yet scheduled")
    PUBLISHED = "published", _("scheduled")
    CANCELLED = "cancelled", _("cancelled")


class Attendance(models.TextChoices):
    EXPECTED = "expected", _("expected")
    HELD = "held", _("held")
    NO_SHOW = "no_show", _("no-show")


class Outcome(models.TextChoices):
    NONE = "", _("not recorded")
    FOLLOW_UP = "follow_up", _("follow-up wanted")
    NEGOTIATING = "negotiating", _("deal in negotiation")
    NO_INTEREST = "no_interest", _("no further interest")


class Meeting(models.Model):
    """An accepted request: two participants to be placed in a slot at a table."""

    request = models.OneToOneField(
        MeetingRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="meeting"
    )
    fair = models.ForeignKey(
        "fair.Fair", verbose_name=_("fair"), on_delete=models.CASCADE, related_name="meetings"
    )
    a = models.ForeignKey(
        Profile, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    b = models.ForeignKey(
        Profile, verbose_name=_("accepted by"), on_delete=models.CASCADE, related_name="+"
    )
    priority = models.FloatField(_("priority"), default=1.0)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    slot = models.ForeignKey(
        Slot,
        verbose_name=_("slot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    table = models.ForeignKey(
        Table,
        verbose_name=_("table"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    a_checked_in_at = models.DateTimeField(_("first side checked in"), null=True, blank=True)
    b_checked_in_at = models.DateTimeField(_("second side checked in"), null=True, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.EXPECTED
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.NONE, blank=True
    )
    outcome_note = models.TextField(_("outcome note"), blank=True, max_length=2000)
    outcome_recorded_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    deal = models.ForeignKey(
        "investment.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
        help_text=_("The signed deal this meeting led to, once there is one."),
    )
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["slot__starts_at", "table__code", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(a=F("b")), name="meeting_two_people"),
            # One meeting per table per slot, enforced by the database.
            models.UniqueConstraint(
                fields=["slot", "table"],
                condition=Q(status="published"),
                name="meeting_table_once_per_slot",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(slot__isnull=False, table__isnull=False),
                name="meeting_published_placed",
            ),
        ]
        indexes = [models.Index(fields=["fair", "status"], name="meeting_fair_status")]

    def __str__(self) -> str:
        return f"{self.a.display_name} · {self.b.display_name}"

    def counterpart(self, profile: Profile) -> Profile:
        return self.b if profile.pk == self.a_id else self.a

    def side(self, profile: Profile) -> str:
        """Return "a" or "b": which side of the meeting ``profile`` is on."""
        if profile.pk == self.a_id:
            return "a"
        if profile.pk == self.b_id:
            return "b"
        raise ValueError("not a party to this meeting")

    @property
    def is_placed(self) -> bool:
        return self.status == MeetingStatus.PUBLISHED and self.slot_id is not None


class PlanStatus(models.TextChoices):
    PREVIEW = "preview", _("preview")
    PUBLISHED = "published", _("published")
    SUPERSEDED = "superseded", _("superseded")


class PlanKind(models.TextChoices):
    FULL = "full", _("full schedule")
    REPLAN = "replan", _("re-plan")


class SchedulePlan(models.Model):
    """One run of the scheduler: which meeting goes where, and how close to the bound it is."""

    fair = models.ForeignKey(
        "fair.Fair", verbose_name=_("fair"), on_delete=models.CASCADE, related_name="schedule_plans"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=PlanKind.choices, default="full")
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.PREVIEW
    )
    meetings_total = models.PositiveIntegerField(_("accepted meetings"), default=0)
    placed = models.PositiveIntegerField(_("placed"), default=0)
    upper_bound = models.PositiveIntegerField(_("at most"), default=0)
    fcfs_placed = models.PositiveIntegerField(_("first-come-first-served baseline"), default=0)
    moved = models.PositiveIntegerField(_("published meetings moved"), default=0)
    solver_status = models.CharField(_("solver status"), max_length=20, blank=True)
    solve_seconds = models.FloatField(_("solve time (s)"), default=0.0)
    # {meeting id: [slot id, table id]} as strings (JSON keys)
    assignments = models.JSONField(_("assignments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("schedule plan")
        verbose_name_plural = _("schedule plans")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(placed__lte=F("upper_bound")), name="plan_placed_within_bound"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fair} · {self.placed}/{self.upper_bound}"

    @property
    def share_of_bound(self) -> float:
        return self.placed / self.upper_bound if self.upper_bound else 1.0

    @property
    def fcfs_share_of_bound(self) -> float:
        return self.fcfs_placed / self.upper_bound if self.upper_bound else 1.0


class NoticeKind(models.TextChoices):
    REQUEST_RECEIVED = "request_received", _("request received")
    REQUEST_ACCEPTED = "request_accepted", _("request accepted")
    REQUEST_DECLINED = "request_declined", _("request declined")
    PROPOSED = "proposed", _("meeting proposed")
    ARRANGED = "arranged", _("meeting arranged by the organiser")
    PROPOSAL_AGREED = "proposal_agreed", _("proposal accepted by the other side")
    PLACED = "placed", _("meeting placed")
    MOVED = "moved", _("meeting moved")
    UNPLACED = "unplaced", _("meeting no longer placed")
    CANCELLED = "cancelled", _("meeting cancelled")


class Notification(models.Model):
    """An in-app notice to one person. The text is written when shown, in their language."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="matchmaking_notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    request = models.ForeignKey(
        MeetingRequest,
        verbose_name=_("request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    counterpart_name = models.CharField(_("counterpart"), max_length=200, blank=True)
    slot_label = models.CharField(_("time"), max_length=60, blank=True)
    table_label = models.CharField(_("table"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        values = {
            "name": self.counterpart_name,
            "time": self.slot_label,
            "table": self.table_label,
        }
        templates = {
            NoticeKind.REQUEST_RECEIVED: gettext("%(name)s asks to meet you."),
            NoticeKind.REQUEST_ACCEPTED: gettext("%(name)s accepted your meeting request."),
            NoticeKind.REQUEST_DECLINED: gettext("%(name)s declined your meeting request."),
            NoticeKind.PROPOSED: gettext("The organiser proposes that you meet %(name)s."),
            NoticeKind.ARRANGED: gettext(
                "The organiser arranged a meeting for you with %(name)s; it will be scheduled."
            ),
            NoticeKind.PROPOSAL_AGREED: gettext(
                "%(name)s accepted the organiser's proposal to meet you: your answer is awaited."
            ),
            NoticeKind.PLACED: gettext(
                "Your meeting with %(name)s is at %(time)s, table %(table)s."
            ),
            NoticeKind.MOVED: gettext(
                "Your meeting with %(name)s has moved to %(time)s, table %(table)s."
            ),
            NoticeKind.UNPLACED: gettext(
                "Your meeting with %(name)s could not be kept in the schedule; "
                "the organiser will try to place it again."
            ),
            NoticeKind.CANCELLED: gettext("Your meeting with %(name)s at %(time)s is cancelled."),
        }
        return templates[NoticeKind(self.kind)] % values
