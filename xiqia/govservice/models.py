"""Cross-province government services: the catalogue of matters, windows, cases and ratings.

A case moves through the states of :class:`CaseState` only by the transition table in
``xiqia.govservice.transitions`` (one table, applied by the services). Every move writes a
:class:`CaseTransition` row, which nothing ever updates or deletes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xiqia.core.freetext import ProtectedTextField
from xiqia.core.models import BilingualName, localized
from xiqia.core.money import AmountField
from xiqia.core.origin import OriginField
from xiqia.core.personal import PersonalDataField, PersonalDigestField, PersonalKind

# The catalogue ---------------------------------------------------------------------------------


class MatterType(models.TextChoices):
    LICENCE = "licence", _("administrative licence")
    CONFIRMATION = "confirmation", _("administrative confirmation")
    PAYMENT = "payment", _("administrative payment")
    PUBLIC_SERVICE = "public_service", _("public service")
    OTHER = "other", _("other administrative power")


class HandlingMode(models.TextChoices):
    ONLINE = "online", _("fully online")
    HERE_THERE = "here_there", _("received here, handled there")
    JOINT = "joint", _("handled jointly")


class ResultType(models.TextChoices):
    LICENCE = "licence", _("licence or certificate")
    APPROVAL = "approval", _("approval document")
    FILING = "filing", _("filing receipt")
    OTHER = "other", _("other result")


class Matter(models.Model):
    """A matter (事项) of the catalogue, identified by its code; its content is versioned."""

    code = models.CharField(_("matter code"), max_length=40, unique=True)
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("implementing region"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("A plausible example made for the demonstration, not an official entry."),
    )
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["code"]

    def __str__(self) -> str:
        current = self.current_version
        return f"{self.code} {current.name}" if current else self.code

    @property
    def current_version(self) -> MatterVersion | None:
        """Return the version in force (the one new cases are accepted under)."""
        versions = getattr(self, "_prefetched_objects_cache", {}).get("versions")
        if versions is not None:
            return next((v for v in versions if v.is_current), None)
        return self.versions.filter(is_current=True).first()


class MatterVersion(BilingualName):
    """One version of a matter's content; a case keeps the version it was accepted under."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    is_current = models.BooleanField(_("in force"), default=True)
    matter_type = models.CharField(_("type"), max_length=20, choices=MatterType.choices)
    department_zh = models.CharField(_("implementing department (Chinese)"), max_length=100)
    department_en = models.CharField(
        _("implementing department (English)"), max_length=200, blank=True
    )
    conditions = models.TextField(_("conditions"), blank=True)
    handling_mode = models.CharField(
        _("handling mode"), max_length=12, choices=HandlingMode.choices
    )
    statutory_days = models.PositiveSmallIntegerField(_("statutory time limit (working days)"))
    committed_days = models.PositiveSmallIntegerField(_("committed time limit (working days)"))
    fee = AmountField(_("fee (yuan)"), default=0)
    fee_note = models.CharField(_("fee basis"), max_length=200, blank=True)
    result_type = models.CharField(_("result type"), max_length=12, choices=ResultType.choices)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("matter version")
        verbose_name_plural = _("matter versions")
        ordering = ["matter_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "number"], name="matterversion_number"),
            models.UniqueConstraint(
                fields=["matter"], condition=Q(is_current=True), name="matterversion_one_current"
            ),
            models.CheckConstraint(
                condition=Q(committed_days__lte=F("statutory_days")),
                name="matterversion_committed_within_statutory",
            ),
            models.CheckConstraint(
                condition=Q(committed_days__gte=1), name="matterversion_committed_positive"
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="matterversion_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.number})"

    @property
    def department(self) -> str:
        return localized(self.department_zh, self.department_en)


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("original")
    COPY = "copy", _("copy")


class RequiredMaterial(BilingualName):
    """One material a version of a matter requires."""

    version = models.ForeignKey(
        MatterVersion,
        verbose_name=_("matter version"),
        on_delete=models.CASCADE,
        related_name="materials",
    )
    form = models.CharField(_("form"), max_length=10, choices=MaterialForm.choices)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    sequence = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("required material")
        verbose_name_plural = _("required materials")
        ordering = ["version_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(copies__gte=1), name="material_copies_positive"),
        ]


# Windows and their staff -----------------------------------------------------------------------


class Window(BilingualName):
    """A service window (窗口) of a district's government-service centre."""

    region = models.ForeignKey(
        "core.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    code = models.CharField(_("window code"), max_length=20, unique=True)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service window")
        verbose_name_plural = _("service windows")
        ordering = ["region__code", "code"]


class StaffKind(models.TextChoices):
    CLERK = "clerk", _("window clerk")
    REVIEWER = "reviewer", _("reviewer")
    SUPERVISOR = "supervisor", _("supervisor")


class WindowStaff(models.Model):
    """A district officer working at a window as clerk, reviewer or supervisor."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="window_posts",
    )
    window = models.ForeignKey(
        Window, verbose_name=_("window"), on_delete=models.CASCADE, related_name="staff"
    )
    kind = models.CharField(_("post"), max_length=12, choices=StaffKind.choices)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("window staff")
        verbose_name_plural = _("window staff")
        ordering = ["window_id", "kind", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "window", "kind"], name="windowstaff_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.window}"


# Cases -----------------------------------------------------------------------------------------


class CaseState(models.TextChoices):
    RECEIVED = "received", _("received at a window")
    PRECHECK = "precheck", _("pre-check")
    REJECTED = "rejected", _("rejected")
    SUPPLEMENT = "supplement", _("supplement needed")
    ACCEPTED = "accepted", _("accepted")
    IN_TRANSIT = "in_transit", _("materials in transit")
    DELIVERED = "delivered", _("delivered to the handling district")
    REVIEW_SCHEDULED = "review_scheduled", _("joint review scheduled")
    REVIEWED = "reviewed", _("joint review held")
    DECIDED = "decided", _("decided")
    RESULT_ISSUED = "result_issued", _("result issued")
    RECOGNISED = "recognised", _("result delivered or recognised")
    CLOSED = "closed", _("closed")
    RATED = "rated", _("rated")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Decision(models.TextChoices):
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class Case(models.Model):
    """One application for a matter, received at a window and possibly handled elsewhere."""

    number = models.CharField(_("case number"), max_length=24, unique=True)
    verification_code_hash = models.CharField(max_length=64, editable=False)
    matter_version = models.ForeignKey(
        MatterVersion,
        verbose_name=_("matter version"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applicant_name = models.CharField(_("applicant"), max_length=100)
    applicant_id_number = PersonalDataField(
        _("applicant's ID number"), kind=PersonalKind.ID_NUMBER, blank=True
    )
    applicant_id_number_digest = PersonalDigestField(source="applicant_id_number", db_index=True)
    applicant_phone = PersonalDataField(_("applicant's phone"), kind=PersonalKind.PHONE)
    applicant_phone_digest = PersonalDigestField(source="applicant_phone", db_index=True)
    receiving_window = models.ForeignKey(
        Window, verbose_name=_("receiving window"), on_delete=models.PROTECT, related_name="cases"
    )
    receiving_region = models.ForeignKey(
        "core.Region",
        verbose_name=_("receiving district"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handling_region = models.ForeignKey(
        "core.Region",
        verbose_name=_("handling district"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=CaseState.choices, default=CaseState.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"))
    missing_materials = models.TextField(_("missing materials"), blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on (day 0)"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    deadline_provisional = models.BooleanField(
        _("provisional deadline"),
        default=False,
        help_text=_("The calendar of a year the deadline reaches is not known yet."),
    )
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    courier = models.CharField(_("courier company"), max_length=60, blank=True)
    waybill = models.CharField(_("waybill number"), max_length=40, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivery_checklist = models.JSONField(_("delivery checklist"), default=list, blank=True)
    review_at = models.DateTimeField(_("joint review at"), null=True, blank=True)
    review_participants = models.TextField(_("review participants"), blank=True)
    review_minutes = ProtectedTextField(_("review minutes"), blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decision_document = models.CharField(_("decision document"), max_length=100, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    result_issued_at = models.DateTimeField(_("result issued at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    origin = OriginField()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=CaseState.values), name="case_state_known"
            ),
            models.CheckConstraint(
                condition=Q(extension_days__lte=10), name="case_extension_at_most_ten"
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(deadline__isnull=False),
                name="case_accepted_has_deadline",
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="case_state_deadline")]

    def __str__(self) -> str:
        return self.number

    @property
    def committed_days(self) -> int:
        return self.matter_version.committed_days


class CaseTransition(models.Model):
    """One move of a case (append-only: written by the services, never changed)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=CaseState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=20)
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    reason = ProtectedTextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("case transition")
        verbose_name_plural = _("case transitions")
        ordering = ["case_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_state} → {self.to_state}"


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("supplementary materials")
    EXPERT_REVIEW = "expert_review", _("expert review")
    HEARING = "hearing", _("hearing")
    TESTING = "testing", _("testing, inspection or quarantine")


class CasePause(models.Model):
    """A period in which the legal clock stops (the days from first to last, inclusive)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="pauses"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PauseKind.choices)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"), null=True, blank=True)
    reason = ProtectedTextField(_("reason"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["case_id", "first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__isnull=True) | Q(last_day__gte=F("first_day")),
                name="casepause_ordered",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(last_day__isnull=True), name="casepause_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.first_day} – {self.last_day or '…'}"


class CaseExtension(models.Model):
    """An approved extension of a case's time limit (all extensions together ≤ 10 days)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="extensions"
    )
    days = models.PositiveSmallIntegerField(_("working days"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = ProtectedTextField(_("reason"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["case_id", "at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gte=1, days__lte=10), name="caseextension_days_range"
            ),
        ]

    def __str__(self) -> str:
        return f"+{self.days}"


class Grade(models.IntegerChoices):
    """The national five-grade scale of the good-and-bad review system (好差评)."""

    VERY_SATISFIED = 5, _("very satisfied")
    SATISFIED = 4, _("satisfied")
    BASICALLY_SATISFIED = 3, _("basically satisfied")
    DISSATISFIED = 2, _("dissatisfied")
    VERY_DISSATISFIED = 1, _("very dissatisfied")


POOR_GRADES = (Grade.DISSATISFIED, Grade.VERY_DISSATISFIED)


class Rating(models.Model):
    """The applicant's one rating of a case. Window staff never see ratings row by row."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="rating"
    )
    grade = models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices)
    comment = ProtectedTextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=5), name="rating_grade"),
        ]

    def __str__(self) -> str:
        return str(self.get_grade_display())

    @property
    def is_poor(self) -> bool:
        return self.grade in POOR_GRADES


class FollowUp(models.Model):
    """The follow-up of a poor rating, closed only with a response (整改反馈).

    The rating is a case's (``rating``) or a green-channel request's (``request``, whose grade
    is kept on the request itself): exactly one of the two.
    """

    rating = models.OneToOneField(
        Rating,
        verbose_name=_("rating"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follow_up",
    )
    request = models.OneToOneField(
        "EnterpriseRequest",
        verbose_name=_("enterprise request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follow_up",
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("responsible district"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    response = ProtectedTextField(_("response"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["closed_at", "opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(response=""),
                name="followup_closed_with_response",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=False, request__isnull=True)
                | Q(rating__isnull=True, request__isnull=False),
                name="followup_rating_or_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.opened_at:%Y-%m-%d}"

    # What the follow-up pages show, alike for a case and a request (select the relations).

    @property
    def number(self) -> str:
        return self.request.number if self.request_id else self.rating.case.number

    @property
    def subject(self) -> str:
        if self.request_id:
            return self.request.subject
        return self.rating.case.matter_version.name

    @property
    def grade_display(self) -> str:
        rated = self.request if self.request_id else self.rating
        return str(rated.get_grade_display())

    @property
    def comment(self) -> str:
        return self.request.rating_comment if self.request_id else self.rating.comment


# The enterprise green channel (诉求处理) -------------------------------------------------------


class RequestKind(models.TextChoices):
    POLICY = "policy", _("policy consultation")
    COMPLAINT = "complaint", _("request or complaint")
    FINANCING = "financing", _("financing")
    TALENT = "talent", _("talent introduction")


class LimitClass(models.TextChoices):
    URGENT = "urgent", _("urgent")
    GENERAL = "general", _("general")
    COMPLEX = "complex", _("complex")


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "days", _("working days")
    WORKING_HOURS = "hours", _("working hours")


class TimeLimit(models.Model):
    """The configurable time limit of a class of enterprise requests, with its reminder.

    In working days, the day of receipt is day 0 and the request is due by the end of the
    last day; in working hours, only the hours of working days count (a request received on
    Friday at 16:00 with 24 hours is due on Monday at 16:00 when the weekend is off).
    """

    limit_class = models.CharField(
        _("time-limit class"), max_length=10, choices=LimitClass.choices, unique=True
    )
    unit = models.CharField(
        _("unit"), max_length=5, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    amount = models.PositiveSmallIntegerField(_("time limit"))
    remind_before = models.PositiveSmallIntegerField(
        _("remind before the limit"),
        default=1,
        help_text=_("In the same unit as the time limit."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("green-channel time limit")
        verbose_name_plural = _("green-channel time limits")
        ordering = ["unit", "amount"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=1) & Q(remind_before__lt=F("amount")),
                name="timelimit_positive_and_reminder_inside",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_limit_class_display()} · {self.amount} {self.get_unit_display()}"


class RequestState(models.TextChoices):
    RECEIVED = "received", _("received")
    DISPATCHED = "dispatched", _("dispatched")
    HANDLED = "handled", _("handled")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")
    RATED = "rated", _("rated")


OPEN_REQUEST_STATES = (RequestState.RECEIVED, RequestState.DISPATCHED, RequestState.HANDLED)


class EnterpriseRequest(models.Model):
    """An enterprise's request through the green channel, dispatched to a department."""

    number = models.CharField(_("request number"), max_length=24, unique=True)
    verification_code_hash = models.CharField(
        max_length=64,
        editable=False,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind.choices)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise_name = models.CharField(_("enterprise"), max_length=200)
    contact_name = models.CharField(_("contact"), max_length=100)
    contact_phone = PersonalDataField(_("contact phone"), kind=PersonalKind.PHONE)
    contact_phone_digest = PersonalDigestField(source="contact_phone")
    subject = models.CharField(_("subject"), max_length=200)
    body = ProtectedTextField(_("request"))
    limit_class = models.CharField(_("time-limit class"), max_length=10, choices=LimitClass.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=RequestState.choices, default=RequestState.RECEIVED
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("due by"), db_index=True)
    remind_at = models.DateTimeField(_("remind at"))
    due_provisional = models.BooleanField(
        _("provisional time limit"),
        default=False,
        help_text=_("The calendar of a year the time limit reaches is not known yet."),
    )
    handling_note = ProtectedTextField(_("handling note"), blank=True)
    answer = ProtectedTextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    grade = models.PositiveSmallIntegerField(
        _("grade"), choices=Grade.choices, null=True, blank=True
    )
    rating_comment = ProtectedTextField(_("comment"), blank=True)
    origin = OriginField()

    class Meta:
        verbose_name = _("enterprise request")
        verbose_name_plural = _("enterprise requests")
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=RequestState.values), name="enterpriserequest_state_known"
            ),
            models.CheckConstraint(
                condition=Q(remind_at__lte=F("due_at")), name="enterpriserequest_remind_first"
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=5),
                name="enterpriserequest_grade",
            ),
        ]
        indexes = [models.Index(fields=["state", "due_at"], name="request_state_due")]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REQUEST_STATES


class RequestStep(models.Model):
    """One move of an enterprise request (append-only: written by the services, never changed)."""

    request = models.ForeignKey(
        EnterpriseRequest,
        verbose_name=_("enterprise request"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(
        _("from"), max_length=12, choices=RequestState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=12, choices=RequestState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    note = ProtectedTextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("request step")
        verbose_name_plural = _("request steps")
        ordering = ["request_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.from_state} → {self.to_state}"


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "before_due", _("time limit near")
    OVERDUE = "overdue", _("time limit passed")


class RequestReminder(models.Model):
    """A reminder on an open request, shown to its district's officers (at most one per kind)."""

    request = models.ForeignKey(
        EnterpriseRequest,
        verbose_name=_("enterprise request"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReminderKind.choices)
    at = models.DateTimeField(_("at"))
    due_at = models.DateTimeField(_("due by"))
    department = models.CharField(_("department"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("request reminder")
        verbose_name_plural = _("request reminders")
        ordering = ["-at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="requestreminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_kind_display()}"


# The pairing agreement ----------------------------------------------------------------------


class PairingAgreement(models.Model):
    """An agreement between two districts to handle each other's matters (跨省通办结对)."""

    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    first_party = models.ForeignKey(
        "core.Region", verbose_name=_("first party"), on_delete=models.PROTECT, related_name="+"
    )
    second_party = models.ForeignKey(
        "core.Region", verbose_name=_("second party"), on_delete=models.PROTECT, related_name="+"
    )
    signatories_zh = models.CharField(
        _("signatories"),
        max_length=300,
        help_text=_("Who signed for each party, as the source names them."),
    )
    signatories_en = models.CharField(_("signatories (English)"), max_length=400, blank=True)
    signed_on = models.DateField(
        _("signed on"),
        null=True,
        blank=True,
        help_text=_("Empty when the source does not give the date."),
    )
    scope_zh = models.TextField(_("scope of matters"))
    scope_en = models.TextField(_("scope of matters (English)"), blank=True)
    source_reference_zh = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("Where the facts come from, as a reader cites it: publication and passage."),
    )
    source_reference_en = models.CharField(_("source (English)"), max_length=400, blank=True)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pairing agreement")
        verbose_name_plural = _("pairing agreements")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_party=F("second_party")), name="pairing_two_parties"
            ),
            models.UniqueConstraint(
                fields=["first_party", "second_party"], name="pairing_once_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_zh, self.title_en)

    @property
    def signatories(self) -> str:
        return localized(self.signatories_zh, self.signatories_en)

    @property
    def scope(self) -> str:
        return localized(self.scope_zh, self.scope_en)

    @property
    def source_reference(self) -> str:
        return localized(self.source_reference_zh, self.source_reference_en)
