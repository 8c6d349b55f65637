"""Investment: industry clusters and their targets, the project catalogue, signed deals and
their landing pipeline.

The counting rules (see ``docs/architecture.md`` and ``services.deal_record``) are stored on each
deal when it is recorded, so that every KPI is a plain aggregate in the database:

* a deal is one signing of one *subject* (a catalogue project, or a title when there is none)
  between one investor and one host region. The deals of a subject form a *chain*: the first
  (``previous`` empty) and its upgrades or added capital, each pointing to the one before.
  A chain is found through its region in force (``chain_region``, the host region's current
  successor), so a deal signed under Yubei (500112) in 2021 and re-signed under Liangjiang
  (500157), which succeeded it in 2025, is one chain.
* ``counts_as_deal`` is true only for the first deal of a chain: a chain counts once.
* ``counted_amount`` is the increment over the previous deal (the whole amount for the first),
  so the counted amounts of a chain add up to its latest amount. A revision down (a lower
  amount than the deal before) has a negative increment: the KPIs count it as an amount
  revised down, never as a negative signing (``is_revision_down``).
* ``credited_event`` is the first fair event in the chain where the subject was signed; every
  later increment is credited to it too.
* ``is_current`` marks the latest deal of a chain; the landing pipeline (step dates, deadlines,
  funds in place) lives on it and is carried over when the chain is upgraded.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xiqia.core.models import BilingualName, localized
from xiqia.core.money import AmountField
from xiqia.core.origin import OriginField
from xiqia.core.personal import PersonalDataField, PersonalKind
from xiqia.core.uploads import ORIGINAL_NAME_BYTES, stored_name

# Clusters, parks, anchors, indicators ------------------------------------------------------


class Cluster(BilingualName):
    """An industry cluster of a region with its target, e.g. Yubei's intelligent terminals."""

    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="investment_clusters",
    )
    target_amount = AmountField(
        _("target (yuan)"),
        null=True,
        blank=True,
        help_text=_("The output value the cluster aims at, in yuan."),
    )
    target_year = models.PositiveSmallIntegerField(
        _("target year"), null=True, blank=True, help_text=_("Empty: no year was set.")
    )
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("industry cluster")
        verbose_name_plural = _("industry clusters")
        ordering = ["region__code", "name_zh"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name_zh"], name="cluster_name_region"),
            models.CheckConstraint(
                condition=Q(target_amount__isnull=True) | Q(target_amount__gt=0),
                name="cluster_target_positive",
            ),
        ]

    @property
    def description(self) -> str:
        return localized(self.description_zh, self.description_en)


class Park(BilingualName):
    """A park or zone of a region that hosts investment, e.g. the Mu'er Aviation Logistics Park."""

    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="investment_parks",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("directory entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investment_parks",
        help_text=_("The park's entry in the directory, if it has one."),
    )
    clusters = models.ManyToManyField(
        Cluster, verbose_name=_("industry clusters"), blank=True, related_name="parks"
    )
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    origin = OriginField()
    history = HistoricalRecords(m2m_fields=[clusters])

    class Meta:
        verbose_name = _("park")
        verbose_name_plural = _("parks")
        ordering = ["region__code", "name_zh"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name_zh"], name="park_name_region"),
        ]

    @property
    def description(self) -> str:
        return localized(self.description_zh, self.description_en)


class AnchorRole(models.TextChoices):
    DEVICE_BRAND = "device_brand", _("complete-device brand")
    COMPONENT_MAKER = "component_maker", _("component maker")
    PLATFORM = "platform", _("platform or service enterprise")
    OTHER = "other", _("other anchor enterprise")


class AnchorEnterprise(models.Model):
    """An enterprise that anchors a cluster, e.g. OPPO as a complete-device brand."""

    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("industry cluster"),
        on_delete=models.CASCADE,
        related_name="anchors",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="anchored_clusters",
    )
    role = models.CharField(_("role"), max_length=20, choices=AnchorRole.choices)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("anchor enterprise")
        verbose_name_plural = _("anchor enterprises")
        ordering = ["cluster", "role", "organisation__name_zh"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "organisation"], name="anchor_once"),
            models.CheckConstraint(
                condition=Q(role__in=AnchorRole.values), name="anchor_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class ClusterIndicator(models.Model):
    """One year's figures of a cluster: output value, enterprises, investment."""

    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("industry cluster"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    output_value = AmountField(_("output value (yuan)"), null=True, blank=True)
    enterprises = models.PositiveIntegerField(_("enterprises"), null=True, blank=True)
    investment = AmountField(_("investment (yuan)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cluster indicator")
        verbose_name_plural = _("cluster indicators")
        ordering = ["cluster", "year"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "year"], name="cluster_indicator_year"),
            models.CheckConstraint(
                condition=Q(year__gte=1949, year__lte=2100), name="cluster_indicator_year_range"
            ),
            models.CheckConstraint(
                condition=(Q(output_value__isnull=True) | Q(output_value__gte=0))
                & (Q(investment__isnull=True) | Q(investment__gte=0)),
                name="cluster_indicator_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cluster} {self.year}"


class Indicator(models.Model):
    """A stated figure about a park or an enterprise, with its unit (150 brands; 94,800 m²).

    For figures that are not a cluster's yearly output: the source document's park and
    enterprise indicators, e.g. YTO's Chongqing HQ handling 1.6 million parcels a day.
    """

    region = models.ForeignKey(
        "core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    park = models.ForeignKey(
        Park,
        verbose_name=_("park"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="investment_indicators",
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    unit_zh = models.CharField(_("unit (Chinese)"), max_length=40)
    unit_en = models.CharField(_("unit (English)"), max_length=40, blank=True)
    is_approximate = models.BooleanField(_("approximate"), default=False)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["region__code", "name_zh"]
        constraints = [
            models.UniqueConstraint(
                fields=["park", "name_zh"],
                condition=Q(park__isnull=False),
                name="indicator_once_per_park",
            ),
            models.UniqueConstraint(
                fields=["organisation", "name_zh"],
                condition=Q(organisation__isnull=False),
                name="indicator_once_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["region", "name_zh"],
                condition=Q(park__isnull=True, organisation__isnull=True),
                name="indicator_once_per_region",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)

    @property
    def unit(self) -> str:
        return localized(self.unit_zh, self.unit_en)


# The project catalogue ---------------------------------------------------------------------


class ProjectStatus(models.TextChoices):
    OPEN = "open", _("open for investment")
    NEGOTIATING = "negotiating", _("under negotiation")
    SIGNED = "signed", _("signed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Project(models.Model):
    """A project a district offers for investment (招商项目)."""

    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="investment_projects",
    )
    park = models.ForeignKey(
        Park,
        verbose_name=_("park"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("industry cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    industry = models.ForeignKey(
        "directory.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investment_projects",
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    investment_sought = AmountField(_("investment sought (yuan)"), null=True, blank=True)
    land_area_m2 = models.DecimalField(
        _("land area (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("In square metres (1 mu = 666.67 m²)."),
    )
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    contact_phone = PersonalDataField(_("contact phone"), kind=PersonalKind.PHONE, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.OPEN
    )
    is_published = models.BooleanField(_("published"), default=False, db_index=True)
    # The jieba words of the titles and descriptions (core.text.search_text), kept by the
    # services; PostgreSQL searches it through a GIN index (see migrations), SQLite through
    # ProjectWord.
    search_text = models.TextField(_("search words"), blank=True, editable=False)
    origin = OriginField()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("investment project")
        verbose_name_plural = _("investment projects")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region", "status"], name="project_region_status"),
            models.Index(fields=["is_published", "-created_at"], name="project_published_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(investment_sought__isnull=True) | Q(investment_sought__gt=0),
                name="project_investment_positive",
            ),
            models.CheckConstraint(
                condition=Q(land_area_m2__isnull=True) | Q(land_area_m2__gt=0),
                name="project_land_positive",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="project_status_known"
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


class ProjectWord(models.Model):
    """One search word of one project: the index the catalogue search uses on SQLite."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="words")
    word = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["word", "project"], name="project_word_once"),
        ]

    def __str__(self) -> str:
        return self.word


# Deals and their landing -------------------------------------------------------------------


class DealKind(models.TextChoices):
    INTENTION = "intention", _("letter of intent")
    FRAMEWORK = "framework", _("framework agreement")
    CONTRACT = "contract", _("formal contract")


class DealStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    TERMINATED = "terminated", _("terminated")


class Step(models.TextChoices):
    """The landing pipeline after signing, in order; ``terminated`` ends it at any point."""

    REGISTERED = "registered", _("registered (business licence)")
    CONSTRUCTION_STARTED = "construction_started", _("construction started")
    IN_PRODUCTION = "in_production", _("in production")
    AT_CAPACITY = "at_capacity", _("at capacity")
    TERMINATED = "terminated", _("terminated")


# The steps a deal moves through, in order (terminated is not one of them).
PIPELINE = (Step.REGISTERED, Step.CONSTRUCTION_STARTED, Step.IN_PRODUCTION, Step.AT_CAPACITY)

# The deal's field holding the date each step was reached, and its deadline.
STEP_DATE_FIELD = {
    Step.REGISTERED: "registered_on",
    Step.CONSTRUCTION_STARTED: "construction_started_on",
    Step.IN_PRODUCTION: "in_production_on",
    Step.AT_CAPACITY: "at_capacity_on",
    Step.TERMINATED: "terminated_on",
}
STEP_DUE_FIELD = {
    Step.REGISTERED: "registered_due_on",
    Step.CONSTRUCTION_STARTED: "construction_due_on",
    Step.IN_PRODUCTION: "in_production_due_on",
    Step.AT_CAPACITY: "at_capacity_due_on",
}


class Deal(models.Model):
    """A signed deal (签约项目): one signing of one subject by one investor in one region.

    The fields below ``officer`` are kept by ``services`` only (never edited by hand): they
    hold the counting rules and the landing pipeline, see the module docstring.
    """

    investor = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("investor"),
        on_delete=models.PROTECT,
        related_name="investment_deals",
    )
    host_region = models.ForeignKey(
        "core.Region",
        verbose_name=_("host region"),
        on_delete=models.PROTECT,
        related_name="investment_deals",
    )
    park = models.ForeignKey(
        Park,
        verbose_name=_("park"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("industry cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("catalogue project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    amount = AmountField(
        _("amount (yuan)"),
        help_text=_("The total investment agreed in this signing, in yuan."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DealKind.choices)
    signed_at = models.DateField(_("signed on"))
    event = models.ForeignKey(
        "fair.Event",
        verbose_name=_("signed at event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investment_deals",
        help_text=_("Empty: signed outside a fair."),
    )
    previous = models.OneToOneField(
        "self",
        verbose_name=_("upgrades deal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
        help_text=_("The earlier signing this one upgrades or adds capital to."),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investment_deals",
    )
    note = models.TextField(_("note"), blank=True)

    # Counting (set by services.deal_record).
    subject_key = models.CharField(_("subject key"), max_length=220, editable=False)
    chain_region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region of the chain"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text=_("The host region's successor in force when the deal was recorded."),
    )
    root = models.ForeignKey(
        "self",
        verbose_name=_("first deal of the chain"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chain",
        editable=False,
    )
    counts_as_deal = models.BooleanField(_("counts as a deal"), default=True, editable=False)
    counted_amount = AmountField(_("counted amount (yuan)"), editable=False)
    credited_event = models.ForeignKey(
        "fair.Event",
        verbose_name=_("credited to event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credited_investment_deals",
        editable=False,
    )
    is_current = models.BooleanField(_("latest of its chain"), default=True, editable=False)

    # The landing pipeline (set by services.milestone_record, carried to the chain's latest).
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DealStatus.choices,
        default=DealStatus.ACTIVE,
        editable=False,
    )
    contract_signed_on = models.DateField(
        _("first formal contract signed on"), null=True, blank=True, editable=False
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True, editable=False)
    construction_started_on = models.DateField(
        _("construction started on"), null=True, blank=True, editable=False
    )
    in_production_on = models.DateField(
        _("in production on"), null=True, blank=True, editable=False
    )
    at_capacity_on = models.DateField(_("at capacity on"), null=True, blank=True, editable=False)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True, editable=False)
    registered_due_on = models.DateField(
        _("registration due by"), null=True, blank=True, editable=False
    )
    construction_due_on = models.DateField(
        _("construction start due by"), null=True, blank=True, editable=False
    )
    in_production_due_on = models.DateField(
        _("production due by"), null=True, blank=True, editable=False
    )
    at_capacity_due_on = models.DateField(
        _("full capacity due by"), null=True, blank=True, editable=False
    )
    funds_in_place = AmountField(_("funds in place (yuan)"), default=0, editable=False)
    funds_as_of = models.DateField(_("funds reported on"), null=True, blank=True, editable=False)

    origin = OriginField()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("signed deal")
        verbose_name_plural = _("signed deals")
        ordering = ["-signed_at", "-id"]
        indexes = [
            models.Index(fields=["host_region", "is_current"], name="deal_region_current"),
            models.Index(fields=["credited_event"], name="deal_credited_event"),
            models.Index(fields=["signed_at"], name="deal_signed_at"),
            # The overdue list (超时限未开工) of a district, newest first: only the contracts
            # still waiting to start are indexed, so the list reads a few rows, not the region's.
            models.Index(
                fields=["host_region", "-signed_at", "-id"],
                condition=Q(
                    is_current=True,
                    kind=DealKind.CONTRACT,
                    status=DealStatus.ACTIVE,
                    construction_started_on__isnull=True,
                ),
                name="deal_waiting_to_start",
            ),
        ]
        constraints = [
            # The same deal is never counted twice: one chain per investor, region in force and
            # subject, and one latest deal per chain (previous is one-to-one, so a chain never
            # forks). The region in force, not the host region: a signing under Yubei and one
            # under Liangjiang, its successor, are of the same chain.
            models.UniqueConstraint(
                fields=["investor", "chain_region", "subject_key"],
                condition=Q(previous__isnull=True),
                name="deal_one_chain_per_subject",
            ),
            models.UniqueConstraint(
                fields=["investor", "chain_region", "subject_key"],
                condition=Q(is_current=True),
                name="deal_one_current_per_subject",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="deal_amount_positive"),
            models.CheckConstraint(condition=Q(kind__in=DealKind.values), name="deal_kind_known"),
            models.CheckConstraint(
                condition=Q(status__in=DealStatus.values), name="deal_status_known"
            ),
            models.CheckConstraint(
                condition=Q(previous__isnull=True, counts_as_deal=True, root__isnull=True)
                | Q(previous__isnull=False, counts_as_deal=False, root__isnull=False),
                name="deal_chain_counted_once",
            ),
            models.CheckConstraint(
                condition=Q(funds_in_place__gte=0), name="deal_funds_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status=DealStatus.ACTIVE, terminated_on__isnull=True)
                | Q(status=DealStatus.TERMINATED, terminated_on__isnull=False),
                name="deal_terminated_dated",
            ),
            models.CheckConstraint(
                condition=Q(registered_on__isnull=True)
                | Q(registered_on__gte=F("signed_at"))
                | Q(previous__isnull=False),
                name="deal_registered_after_signing",
            ),
            models.CheckConstraint(
                condition=Q(construction_started_on__isnull=True)
                | Q(registered_on__isnull=False, construction_started_on__gte=F("registered_on")),
                name="deal_started_after_registered",
            ),
            models.CheckConstraint(
                condition=Q(in_production_on__isnull=True)
                | Q(
                    construction_started_on__isnull=False,
                    in_production_on__gte=F("construction_started_on"),
                ),
                name="deal_production_after_start",
            ),
            models.CheckConstraint(
                condition=Q(at_capacity_on__isnull=True)
                | Q(in_production_on__isnull=False, at_capacity_on__gte=F("in_production_on")),
                name="deal_capacity_after_production",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_zh, self.title_en)

    @property
    def chain_root_id(self) -> int:
        return self.root_id or self.pk

    @property
    def is_revision_down(self) -> bool:
        """Return whether this signing lowered the chain's amount (a contract revised down)."""
        return self.counted_amount < 0

    @property
    def stage(self) -> str:
        """Return the last step reached: a ``Step`` value, or ``"signed"``."""
        if self.terminated_on:
            return Step.TERMINATED
        for step in reversed(PIPELINE):
            if getattr(self, STEP_DATE_FIELD[step]):
                return step
        return "signed"

    @property
    def next_step(self) -> Step | None:
        """Return the next step of the pipeline, or ``None`` when it has ended."""
        if self.terminated_on or self.at_capacity_on:
            return None
        for step in PIPELINE:
            if not getattr(self, STEP_DATE_FIELD[step]):
                return step
        return None

    def due_on(self, step: Step) -> datetime.date | None:
        return getattr(self, STEP_DUE_FIELD[step]) if step in STEP_DUE_FIELD else None


class DealDocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("signed agreement")
    ANNEX = "annex", _("annex")
    OTHER = "other", _("other document")


def deal_document_path(instance: DealDocument, filename: str) -> str:
    # A generated name: the uploaded one is kept in ``original_name`` (core.uploads).
    return f"investment/deals/{instance.deal_id}/{stored_name(filename)}"


class DealDocument(models.Model):
    """A document attached to a deal: the signed agreement, an annex."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DealDocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=deal_document_path, max_length=300)
    original_name = models.CharField(
        _("original file name"), max_length=ORIGINAL_NAME_BYTES, blank=True
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deal document")
        verbose_name_plural = _("deal documents")
        ordering = ["deal", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class EvidenceKind(models.TextChoices):
    LICENCE = "licence", _("business licence")
    PHOTO = "photo", _("photo")
    DOCUMENT = "document", _("document")


def milestone_evidence_path(instance: Milestone, filename: str) -> str:
    # A generated name: the uploaded one is kept in ``evidence_name`` (core.uploads).
    return f"investment/milestones/{instance.deal_id}/{instance.step}/{stored_name(filename)}"


class Milestone(models.Model):
    """One step of a deal's landing, dated, with its evidence and the officer who recorded it."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="milestones"
    )
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    date = models.DateField(_("date"))
    evidence = models.FileField(_("evidence"), upload_to=milestone_evidence_path, max_length=300)
    evidence_name = models.CharField(
        _("original file name"), max_length=ORIGINAL_NAME_BYTES, blank=True
    )
    evidence_kind = models.CharField(
        _("kind of evidence"), max_length=10, choices=EvidenceKind.choices
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investment_milestones",
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["deal", "date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "step"], name="milestone_once_per_step"),
            models.CheckConstraint(condition=Q(step__in=Step.values), name="milestone_step_known"),
            models.CheckConstraint(
                condition=Q(evidence_kind__in=EvidenceKind.values),
                name="milestone_evidence_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deal} · {self.get_step_display()}"


class StepDeadline(models.Model):
    """How many calendar months after the first formal contract a step is due, for a region.

    Without a row for a region and step, ``settings.INVESTMENT_STEP_DEADLINE_MONTHS`` applies.
    A row applies to the deals of its region and the regions below it (a city's row covers its
    districts unless a district has its own).
    """

    region = models.ForeignKey(
        "core.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    months = models.PositiveSmallIntegerField(_("months after the contract"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("step deadline")
        verbose_name_plural = _("step deadlines")
        ordering = ["region__code", "step"]
        constraints = [
            models.UniqueConstraint(fields=["region", "step"], name="step_deadline_once"),
            models.CheckConstraint(
                condition=Q(step__in=[s.value for s in PIPELINE]), name="step_deadline_pipeline"
            ),
            models.CheckConstraint(
                condition=Q(months__gte=1, months__lte=120), name="step_deadline_months"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.get_step_display()}: {self.months}"
