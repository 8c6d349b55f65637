"""Working days on China's official calendar, for legal time limits (办理时限).

Two layers:

* :class:`WorkingCalendar` and its methods are plain Python: built from a mapping of overrides
  ``{date: is_working_day}`` and the years whose arrangement is published, they answer with the
  ``chinese-calendar`` package for everything else. No database.
* :func:`calendar_for` loads the overrides of a date range from ``core.CalendarDay`` and the
  published years from ``core.CalendarYear``, and the module-level :func:`is_working_day`,
  :func:`add_working_days`, :func:`working_days_between`, :func:`working_deadline` and
  :func:`estimated_deadline` load what they need themselves.

**A year is known only when it is published.** The State Council publishes each year's
arrangement of the public holidays (国务院办公厅关于某年部分节假日安排的通知) in one notice,
usually in November of the year before. ``CalendarYear.published`` is set once that notice has
been entered in full in the back office, with the notice's date and number; every other year
is unknown, whatever entries it already has. Which calendar answers for a day of a published
year, in this order:

1. an entry in ``CalendarDay`` for that date (holiday and rest day: no work; adjusted working
   day and working day: work);
2. the ``chinese-calendar`` package, when it supports the year (it knows the State Council's
   arrangements, make-up working days on weekends included, up to the year it was released);
3. Monday to Friday work, Saturday and Sunday rest.

A day of an unknown year raises :class:`CalendarUnknown` (a legal deadline computed on a
guessed calendar is never passed off as exact), unless the caller asks for an *estimate*
(:func:`estimated_deadline`): then the day is answered by its entry if it has one, else by the
statutory holidays of the national holiday regulation and the weekends
(:mod:`xiqia.core.holidays`), and the calendar records the year as estimated, so the deadline
is marked provisional exactly when the counted span reached an unknown year.

Counting conventions (the usual reading of "within N working days" in administrative law): the
day of acceptance is day 0 and is not counted; the deadline is the N-th working day after it,
whatever the acceptance day was. Paused periods (the clock stops, e.g. while waiting for the
applicant's supplementary materials) are inclusive date ranges; a working day inside one is
not counted.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import chinese_calendar
from django.utils.translation import gettext_lazy as _

from xiqia.core import holidays
from xiqia.core.errors import DomainError

ONE_DAY = datetime.timedelta(days=1)

PausedPeriod = tuple[datetime.date, datetime.date]
T = TypeVar("T")


class CalendarUnknown(DomainError):
    """The official arrangement of a year has not been published (entered) yet."""

    code = "calendar_unknown"
    default_message = _("The working-day calendar of this year is not known.")

    def __init__(self, year: int, message: Any = None) -> None:
        self.year = year
        if message is None:
            message = _(
                "The working-day calendar of %(year)s is not known. An administrator must enter "
                "that year's public holidays and adjusted working days in the calendar and mark "
                "the year as published."
            ) % {"year": year}
        super().__init__(message)


class CalendarRangeError(LookupError):
    """A calendar loaded for a range was asked about a date outside it (a programming error)."""


def package_covers(year: int) -> bool:
    """Return whether the ``chinese-calendar`` package knows the arrangement of ``year``."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkingCalendar:
    """Answer whether a day is a working day: overrides first, then the package, then the week.

    ``overrides`` maps dates to ``True`` (working day) or ``False`` (no work).
    ``published_years`` are the years whose arrangement is published; any other year is
    unknown. ``loaded`` is the inclusive range the overrides were loaded for; asking about a
    date outside it raises :class:`CalendarRangeError`, since an override there would have been
    missed. ``None`` means the overrides are complete (nothing else exists).

    With ``estimate=True`` a day of an unknown year is estimated (its override, else the
    statutory holidays and the week) instead of refused, and its year is added to
    ``estimated_years``.
    """

    def __init__(
        self,
        overrides: Mapping[datetime.date, bool] | None = None,
        published_years: Iterable[int] = (),
        loaded: tuple[datetime.date, datetime.date] | None = None,
        *,
        estimate: bool = False,
    ) -> None:
        self.overrides = dict(overrides or {})
        self.published_years = frozenset(published_years)
        self.loaded = loaded
        self.estimate = estimate
        self.estimated_years: set[int] = set()
        self._package_years: dict[int, bool] = {}

    def covers_year(self, year: int) -> bool:
        """Return whether the arrangement of ``year`` is published (its days are exact)."""
        return year in self.published_years

    def is_working_day(self, day: datetime.date) -> bool:
        """Return whether ``day`` is a working day; raise :class:`CalendarUnknown` if unknown."""
        if self.loaded is not None and not (self.loaded[0] <= day <= self.loaded[1]):
            raise CalendarRangeError(f"{day} is outside the loaded range {self.loaded}")
        if not self.covers_year(day.year):
            if not self.estimate:
                raise CalendarUnknown(day.year)
            self.estimated_years.add(day.year)
            if day in self.overrides:
                return self.overrides[day]
            return holidays.estimated_is_working_day(day)
        if day in self.overrides:
            return self.overrides[day]
        if self._package_supports(day.year):
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5  # a published year the package does not know: the week

    def _package_supports(self, year: int) -> bool:
        if year not in self._package_years:
            self._package_years[year] = package_covers(year)
        return self._package_years[year]

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """Return the ``n``-th working day after ``start`` (``start`` is day 0, not counted).

        ``n == 0`` returns ``start`` itself, working day or not.
        """
        return self.working_deadline(start, n)

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Return the number of working days after ``start`` up to and including ``end``.

        0 when ``end <= start``. So ``working_days_between(d, add_working_days(d, n)) == n``.
        """
        count = 0
        day = start + ONE_DAY
        while day <= end:
            if self.is_working_day(day):
                count += 1
            day += ONE_DAY
        return count

    def working_deadline(
        self,
        accepted_on: datetime.date,
        limit_days: int,
        paused_periods: Iterable[PausedPeriod] = (),
    ) -> datetime.date:
        """Return the last day of a limit of ``limit_days`` working days from ``accepted_on``.

        The acceptance day is not counted. Each paused period ``(first, last)`` is inclusive;
        the working days inside it do not count, so the deadline moves out by the working days
        paused before it is reached. Overlapping periods count once; a pause that starts after
        the deadline changes nothing.
        """
        if limit_days < 0:
            raise ValueError("limit_days must not be negative")
        periods = _checked_periods(paused_periods)
        day = accepted_on
        counted = 0
        while counted < limit_days:
            day += ONE_DAY
            if self.is_working_day(day) and not _paused(day, periods):
                counted += 1
        return day


def _checked_periods(paused_periods: Iterable[PausedPeriod]) -> list[PausedPeriod]:
    periods = [(first, last) for first, last in paused_periods]
    for first, last in periods:
        if last < first:
            raise ValueError(f"paused period ends before it starts: {first} – {last}")
    return periods


def _paused(day: datetime.date, periods: list[PausedPeriod]) -> bool:
    return any(first <= day <= last for first, last in periods)


# The Django layer: overrides from core.CalendarDay.


def calendar_for(
    start: datetime.date, end: datetime.date, *, estimate: bool = False
) -> WorkingCalendar:
    """Return a calendar for ``start`` to ``end`` (inclusive), loaded in two queries.

    One query reads the entries in the range, the other the published years among those the
    range touches. ``estimate`` as for :class:`WorkingCalendar`.
    """
    from xiqia.core.models import CalendarDay, CalendarYear

    if end < start:
        start, end = end, start
    rows = CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind")
    working_kinds = {CalendarDay.Kind.ADJUSTED_WORKING_DAY, CalendarDay.Kind.WORKING_DAY}
    overrides = {day: kind in working_kinds for day, kind in rows}
    published = CalendarYear.objects.filter(
        year__range=(start.year, end.year), published=True
    ).values_list("year", flat=True)
    return WorkingCalendar(overrides, published, loaded=(start, end), estimate=estimate)


def is_working_day(day: datetime.date) -> bool:
    """Return whether ``day`` is a working day (two queries)."""
    return calendar_for(day, day).is_working_day(day)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Return the number of working days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    return calendar_for(start + ONE_DAY, end).working_days_between(start, end)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """Return the ``n``-th working day after ``start`` (``start`` is day 0, not counted)."""
    return working_deadline(start, n)


def count_on_loaded_calendars(
    start: datetime.date,
    span: int,
    count: Callable[[WorkingCalendar], T],
    *,
    estimate: bool = False,
) -> tuple[T, WorkingCalendar]:
    """Run ``count`` on a calendar loaded for ``span`` days after ``start``, longer if needed.

    ``count`` walks the calendar from ``start`` on; when it steps out of the loaded range, a
    range twice as long is loaded and ``count`` runs again. Returns its result and the calendar
    it ran on (whose ``estimated_years`` tell whether it reached an unpublished year).
    """
    while True:
        calendar = calendar_for(start, start + datetime.timedelta(span), estimate=estimate)
        try:
            return count(calendar), calendar
        except CalendarRangeError:
            span *= 2


def _first_span(limit_days: int, periods: list[PausedPeriod]) -> int:
    # Seven calendar days hold at least five working days, except across the long holidays
    # (at most about ten days off in a row), hence the margin.
    return limit_days * 7 // 5 + 21 + sum((last - first).days + 1 for first, last in periods)


def working_deadline(
    accepted_on: datetime.date,
    limit_days: int,
    paused_periods: Iterable[PausedPeriod] = (),
) -> datetime.date:
    """Return the deadline of ``limit_days`` working days from ``accepted_on``, pauses included.

    Exact: raises :class:`CalendarUnknown` if the count reaches a year not published. See
    :meth:`WorkingCalendar.working_deadline` for the conventions. Loads a range that is usually
    enough, and a range twice as long when it was not.
    """
    if limit_days < 0:
        raise ValueError("limit_days must not be negative")
    periods = _checked_periods(paused_periods)
    deadline, _calendar = count_on_loaded_calendars(
        accepted_on + ONE_DAY,
        _first_span(limit_days, periods),
        lambda calendar: calendar.working_deadline(accepted_on, limit_days, periods),
    )
    return deadline


def estimated_deadline(
    accepted_on: datetime.date,
    limit_days: int,
    paused_periods: Iterable[PausedPeriod] = (),
) -> tuple[datetime.date, bool]:
    """Return the deadline as :func:`working_deadline` does, and whether it is provisional.

    Where the count reaches a year not published, that year's days are estimated (statutory
    holidays and weekends, see :mod:`xiqia.core.holidays`) and the deadline is provisional; it
    is exact, and not provisional, whenever every day counted lies in a published year.
    """
    if limit_days < 0:
        raise ValueError("limit_days must not be negative")
    periods = _checked_periods(paused_periods)
    deadline, calendar = count_on_loaded_calendars(
        accepted_on + ONE_DAY,
        _first_span(limit_days, periods),
        lambda calendar: calendar.working_deadline(accepted_on, limit_days, periods),
        estimate=True,
    )
    return deadline, bool(calendar.estimated_years)


# The years published when the table of published years was introduced: those chinese-calendar
# 1.11 knows. The package encodes the State Council's yearly notices (国务院办公厅关于部分节假日
# 安排的通知) from 2004 to 2026, so these years are published; their notices' numbers and dates are
# not recorded here (left blank rather than guessed) and the rows are marked as facts.
SEEDED_PUBLISHED_YEARS = range(2004, 2027)
SEED_NOTE = (
    "Published: the State Council's arrangement of this year is known to the chinese-calendar "
    "package (1.11). Notice number and date not recorded."
)


def seed_published_years(model: Any, using: str = "default") -> int:
    """Create the published rows of :data:`SEEDED_PUBLISHED_YEARS` missing from ``model``.

    Used by the migration that introduced the table, and after a flush of an empty table (the
    ``post_migrate`` signal, as ``django.contrib.sites`` does for its default site). Returns the
    number of rows created.
    """
    existing = set(model.objects.using(using).values_list("year", flat=True))
    rows = [
        model(year=year, published=True, note=SEED_NOTE, origin="fact")
        for year in SEEDED_PUBLISHED_YEARS
        if year not in existing
    ]
    model.objects.using(using).bulk_create(rows)
    return len(rows)
