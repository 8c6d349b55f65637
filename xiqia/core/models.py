"""Shared tables: administrative regions (GB/T 2260) and the official working-day calendar."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xiqia.core.origin import OriginField


def localized(zh: str, en: str) -> str:
    """Return the Chinese or English text for the active language, falling back to the other."""
    language = get_language() or "zh-hans"
    if language.startswith("en"):
        return en or zh
    return zh or en


class BilingualName(models.Model):
    """A Chinese name (the official one) and its English form; ``name`` follows the language."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("province-level")
    PREFECTURE = "prefecture", _("prefecture-level")
    COUNTY = "county", _("county-level")


class RegionQuerySet(models.QuerySet["Region"]):
    def valid_in(self, year: int) -> RegionQuerySet:
        """Return the regions whose code was in force in ``year``."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=year),
            Q(valid_to__isnull=True) | Q(valid_to__gte=year),
        )

    def current(self) -> RegionQuerySet:
        """Return the regions in force today."""
        return self.filter(valid_to__isnull=True)


class Region(BilingualName):
    """One period of one GB/T 2260 code: the code, its name then, and the years it held.

    A code that was renamed has one row per name; a retired code points to the region that
    took its place, so history keeps the old name while today's pages find the successor.
    Years are inclusive and, as in the official tables, a change year belongs to both sides.
    """

    code = models.CharField(_("code"), max_length=6, db_index=True)
    level = models.CharField(_("level"), max_length=12, choices=RegionLevel.choices)
    valid_from = models.PositiveSmallIntegerField(
        _("valid from (year)"), null=True, blank=True, help_text=_("Empty: before the records.")
    )
    valid_to = models.PositiveSmallIntegerField(
        _("valid until (year)"), null=True, blank=True, help_text=_("Empty: still in force.")
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )

    objects = RegionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="region_code_period"),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(valid_from__isnull=True),
                name="region_code_unknown_start",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="region_period_ordered",
            ),
            models.CheckConstraint(condition=Q(code__regex=r"^\d{6}$"), name="region_code_digits"),
        ]

    def __str__(self) -> str:
        if self.is_current:
            return f"{self.name} ({self.code})"
        return f"{self.name} ({self.code}, {self.period_label})"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def prefix(self) -> str:
        """Return the code's significant digits: every code below this region starts so."""
        if self.level == RegionLevel.PROVINCE:
            return self.code[:2]
        if self.level == RegionLevel.PREFECTURE:
            return self.code[:4]
        return self.code

    @property
    def period_label(self) -> str:
        start = str(self.valid_from) if self.valid_from else ""
        end = str(self.valid_to) if self.valid_to else ""
        return f"{start}–{end}" if (start or end) else ""

    def was_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day.year) and (
            self.valid_to is None or self.valid_to >= day.year
        )

    def current_successor(self) -> Region:
        """Return the region in force today that this one became (itself if still in force)."""
        region: Region = self
        seen = {region.pk}
        while region.valid_to is not None and region.successor_id is not None:
            region = region.successor  # type: ignore[assignment]
            if region.pk in seen:  # a cycle is a data error; stop rather than loop
                break
            seen.add(region.pk)
        return region

    def lineage_ids(self) -> list[int]:
        """Return the ids of every region whose current successor is this one's (with it).

        Yubei District (500112) and Jiangbei District (500105), both merged into Liangjiang New
        Area (500157) in 2025, share Liangjiang's lineage; a region's subtree is not part of
        it. One query per succession step back (in practice one or two).
        """
        today = self.current_successor()
        seen: set[int] = {today.pk}
        frontier = [today.pk]
        while frontier:
            frontier = list(
                Region.objects.filter(successor__in=frontier, valid_to__isnull=False)
                .exclude(pk__in=seen)
                .values_list("pk", flat=True)
            )
            seen.update(frontier)
        return sorted(seen)


class CalendarDay(models.Model):
    """One day of the official calendar entered by an administrator (see ``core.workdays``).

    An entry overrides the built-in calendar (the ``chinese-calendar`` package) for its date.
    A year the package does not know counts as known only once it has at least one holiday
    entry; its other days then follow the week (Monday to Friday work, weekends rest).
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("public holiday")
        ADJUSTED_WORKING_DAY = "adjusted", _("adjusted working day (weekend worked)")
        WORKING_DAY = "working", _("working day")
        REST_DAY = "rest", _("rest day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)  # 劳动节
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)  # Labour Day
    note = models.TextField(_("note"), blank=True)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["holiday", "adjusted", "working", "rest"]),
                name="calendarday_kind_known",
            ),
        ]

    def __str__(self) -> str:
        label = self.name or self.get_kind_display()
        return f"{self.date.isoformat()} {label}"

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_en)

    @property
    def is_working_day(self) -> bool:
        return self.kind in (self.Kind.ADJUSTED_WORKING_DAY, self.Kind.WORKING_DAY)


class CalendarYear(models.Model):
    """Whether the State Council's arrangement of a year has been published and entered.

    A year counts as known (its working days exact) only when ``published`` is set: the notice
    (国务院办公厅关于某年部分节假日安排的通知) has been entered in full in ``CalendarDay`` or is
    known to the ``chinese-calendar`` package, and its date and number are recorded. Every other
    year is unknown and deadlines reaching it are provisional (see ``core.workdays``). Written
    only by ``core.services.calendar_year_set``.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_(
            "The State Council's notice on this year's public holidays has been entered in "
            "full: every holiday on a weekday and every weekend worked, in the calendar days."
        ),
    )
    notice_number = models.CharField(
        _("notice number"),
        max_length=60,
        blank=True,
        help_text=_("For example 国办发明电〔2020〕27号."),
    )
    notice_date = models.DateField(_("notice date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]
        constraints = [
            # Entered in the back office: a published year names its notice. The years seeded
            # from the chinese-calendar package (origin "fact") may not record it.
            models.CheckConstraint(
                condition=Q(published=False)
                | (Q(notice_date__isnull=False) & ~Q(notice_number=""))
                | Q(origin="fact"),
                name="calendaryear_published_names_notice",
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)
