"""Working days on China's official calendar, for legal time limits (办理时限).

Two layers:

* :class:`WorkingCalendar` and its methods are plain Python: built from a mapping of overrides
  ``{date: is_working_day}`` and the years the overrides cover, they answer with the
  ``chinese-calendar`` package for everything else. No database.
* :func:`calendar_for` loads the overrides of a date range from ``core.CalendarDay`` in one
  query, and the module-level :func:`is_working_day`, :func:`add_working_days`,
  :func:`working_days_between` and :func:`working_deadline` load what they need themselves.

Which calendar answers for a day, in this order:

1. an entry in ``CalendarDay`` for that date (holiday and rest day: no work; adjusted working
   day and working day: work);
2. the ``chinese-calendar`` package, when it supports the year (it knows the State Council's
   arrangements, make-up working days on weekends included, up to the year it was released);
3. Monday to Friday work, Saturday and Sunday rest, when the table covers the year: a year is
   covered by the table only if it has at least one entry of kind *holiday* in that year. So an
   administrator who enters next year's arrangement enters every holiday and every make-up
   working day, and the weekdays and weekends follow.

A day in a year that neither the package nor the table covers raises :class:`CalendarUnknown`,
even if that very date has an entry: a legal deadline computed on a guessed calendar is worse
than none, so there is never a silent fall-back to weekends.

Counting conventions (the usual reading of "within N working days" in administrative law): the
day of acceptance is day 0 and is not counted; the deadline is the N-th working day after it,
whatever the acceptance day was. Paused periods (the clock stops, e.g. while waiting for the
applicant's supplementary materials) are inclusive date ranges; a working day inside one is
not counted.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

import chinese_calendar
from django.utils.translation import gettext_lazy as _

from xiqia.core.errors import DomainError

ONE_DAY = datetime.timedelta(days=1)

PausedPeriod = tuple[datetime.date, datetime.date]


class CalendarUnknown(DomainError):
    """The official calendar of a year is known neither to the package nor to the table."""

    code = "calendar_unknown"
    default_message = _("The working-day calendar of this year is not known.")

    def __init__(self, year: int, message: Any = None) -> None:
        self.year = year
        if message is None:
            message = _(
                "The working-day calendar of %(year)s is not known. An administrator must enter "
                "that year's public holidays and adjusted working days in the calendar."
            ) % {"year": year}
        super().__init__(message)


class CalendarRangeError(LookupError):
    """A calendar loaded for a range was asked about a date outside it (a programming error)."""


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkingCalendar:
    """Answer whether a day is a working day: overrides first, then the package, then the week.

    ``overrides`` maps dates to ``True`` (working day) or ``False`` (no work). ``table_years``
    are the years the table covers (those with at least one holiday entry). ``loaded`` is the
    inclusive range the overrides were loaded for; asking about a date outside it raises
    :class:`CalendarRangeError`, since an override there would have been missed. ``None``
    means the overrides are complete (nothing else exists).
    """

    def __init__(
        self,
        overrides: Mapping[datetime.date, bool] | None = None,
        table_years: Iterable[int] = (),
        loaded: tuple[datetime.date, datetime.date] | None = None,
    ) -> None:
        self.overrides = dict(overrides or {})
        self.table_years = frozenset(table_years)
        self.loaded = loaded
        self._package_years: dict[int, bool] = {}

    def covers_year(self, year: int) -> bool:
        """Return whether the package or the table knows the official calendar of ``year``."""
        return year in self.table_years or self._package_supports(year)

    def is_working_day(self, day: datetime.date) -> bool:
        """Return whether ``day`` is a working day; raise :class:`CalendarUnknown` if unknown."""
        if self.loaded is not None and not (self.loaded[0] <= day <= self.loaded[1]):
            raise CalendarRangeError(f"{day} is outside the loaded range {self.loaded}")
        if not self.covers_year(day.year):
            raise CalendarUnknown(day.year)
        if day in self.overrides:
            return self.overrides[day]
        if self._package_supports(day.year):
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5  # a year the table alone covers: its entries, then the week

    def _package_supports(self, year: int) -> bool:
        if year not in self._package_years:
            self._package_years[year] = _package_covers(year)
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


def calendar_for(start: datetime.date, end: datetime.date) -> WorkingCalendar:
    """Return a calendar for ``start`` to ``end`` (inclusive), loaded in one query.

    The query reads the entries in the range and the holiday entries of every year the range
    touches (those decide which years the table covers).
    """
    from django.db.models import Q

    from xiqia.core.models import CalendarDay

    if end < start:
        start, end = end, start
    years = range(start.year, end.year + 1)
    rows = CalendarDay.objects.filter(
        Q(date__range=(start, end)) | Q(kind=CalendarDay.Kind.HOLIDAY, date__year__in=years)
    ).values_list("date", "kind")
    overrides: dict[datetime.date, bool] = {}
    table_years: set[int] = set()
    working_kinds = {CalendarDay.Kind.ADJUSTED_WORKING_DAY, CalendarDay.Kind.WORKING_DAY}
    for day, kind in rows:
        if kind == CalendarDay.Kind.HOLIDAY:
            table_years.add(day.year)
        if start <= day <= end:
            overrides[day] = kind in working_kinds
    return WorkingCalendar(overrides, table_years, loaded=(start, end))


def is_working_day(day: datetime.date) -> bool:
    """Return whether ``day`` is a working day (one query)."""
    return calendar_for(day, day).is_working_day(day)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Return the number of working days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    return calendar_for(start + ONE_DAY, end).working_days_between(start, end)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """Return the ``n``-th working day after ``start`` (``start`` is day 0, not counted)."""
    return working_deadline(start, n)


def working_deadline(
    accepted_on: datetime.date,
    limit_days: int,
    paused_periods: Iterable[PausedPeriod] = (),
) -> datetime.date:
    """Return the deadline of ``limit_days`` working days from ``accepted_on``, pauses included.

    See :meth:`WorkingCalendar.working_deadline` for the conventions. Loads a range that is
    usually enough in one query, and a range twice as long when it was not.
    """
    if limit_days < 0:
        raise ValueError("limit_days must not be negative")
    periods = _checked_periods(paused_periods)
    paused_days = sum((last - first).days + 1 for first, last in periods)
    # Seven calendar days hold at least five working days, except across the long holidays
    # (at most about ten days off in a row), hence the margin.
    span = limit_days * 7 // 5 + 21 + paused_days
    while True:
        calendar = calendar_for(accepted_on + ONE_DAY, accepted_on + datetime.timedelta(span))
        try:
            return calendar.working_deadline(accepted_on, limit_days, periods)
        except CalendarRangeError:
            span *= 2
