"""Legal deadlines of cases on the working-day calendar (``xiqia.core.workdays``).

A deadline that reaches a year whose official calendar is not known yet is never guessed
silently: it is computed on Monday-to-Friday for the unknown year and marked *provisional*,
so the queue can still sort by it while every page says it is provisional. It is computed
again, exactly, once an administrator has entered that year.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from xiqia.core import workdays
from xiqia.core.workdays import CalendarUnknown, PausedPeriod, WorkingCalendar


class _WeekdaysWhereUnknown(WorkingCalendar):
    """The official calendar where it is known, Monday to Friday where it is not."""

    def is_working_day(self, day: datetime.date) -> bool:
        try:
            return super().is_working_day(day)
        except CalendarUnknown:
            return day.weekday() < 5


def case_deadline(
    accepted_on: datetime.date, limit_days: int, pauses: Iterable[PausedPeriod] = ()
) -> tuple[datetime.date, bool]:
    """Return the deadline and whether it is provisional (see the module docstring)."""
    periods = list(pauses)
    try:
        return workdays.working_deadline(accepted_on, limit_days, periods), False
    except CalendarUnknown:
        pass
    span = limit_days * 7 // 5 + 21 + sum((last - first).days + 1 for first, last in periods)
    loaded = workdays.calendar_for(accepted_on, accepted_on + datetime.timedelta(span))
    calendar = _WeekdaysWhereUnknown(loaded.overrides, loaded.table_years)
    return calendar.working_deadline(accepted_on, limit_days, periods), True


def _calendar_from(start: datetime.date, days: int) -> tuple[WorkingCalendar, bool]:
    """Return a calendar loaded for ``days`` from ``start``, and whether a year is unknown."""
    loaded = workdays.calendar_for(start, start + datetime.timedelta(days))
    year = start.year
    while year <= (start + datetime.timedelta(days)).year:
        if not loaded.covers_year(year):
            return _WeekdaysWhereUnknown(loaded.overrides, loaded.table_years), True
        year += 1
    return loaded, False


def working_hours_deadline(start: datetime.datetime, hours: int) -> tuple[datetime.datetime, bool]:
    """Return the moment ``hours`` hours of working days after ``start``, and if provisional.

    Only the hours of working days count, around the clock (days off are skipped whole). A
    limit reaching a year whose calendar is unknown is computed on Monday to Friday there and
    marked provisional, as for case deadlines.
    """
    if hours < 0:
        raise ValueError("hours must not be negative")
    cursor = timezone.localtime(start)
    calendar, provisional = _calendar_from(cursor.date(), hours // 24 * 7 // 5 + 21)
    remaining = datetime.timedelta(hours=hours)
    while True:
        day = cursor.date()
        midnight = timezone.make_aware(
            datetime.datetime.combine(day + datetime.timedelta(1), datetime.time.min),
            cursor.tzinfo,
        )
        if calendar.is_working_day(day):
            if remaining <= midnight - cursor:
                return cursor + remaining, provisional
            remaining -= midnight - cursor
        cursor = midnight


def end_of_day(day: datetime.date) -> datetime.datetime:
    """Return the last moment of ``day`` in the site's time zone (a day's limit ends there)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
