"""Legal deadlines of cases on the working-day calendar (``xiqia.core.workdays``).

A deadline whose count reaches a year whose arrangement is not published yet is never passed
off as exact: that year's days are estimated from the statutory holidays of the national
holiday regulation and the weekends (``xiqia.core.holidays``), and the deadline is marked
*provisional*, so the queue can still sort by it while every page says it is provisional. A
deadline whose counted days all lie in published years is exact, even when a later year is
unknown.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from xiqia.core import workdays
from xiqia.core.workdays import PausedPeriod, WorkingCalendar


def case_deadline(
    accepted_on: datetime.date, limit_days: int, pauses: Iterable[PausedPeriod] = ()
) -> tuple[datetime.date, bool]:
    """Return the deadline and whether it is provisional (see the module docstring)."""
    return workdays.estimated_deadline(accepted_on, limit_days, pauses)


def working_hours_deadline(start: datetime.datetime, hours: int) -> tuple[datetime.datetime, bool]:
    """Return the moment ``hours`` hours of working days after ``start``, and if provisional.

    Only the hours of working days count, around the clock (days off are skipped whole). The
    limit is provisional only if one of the days it counts lies in a year not published.
    """
    if hours < 0:
        raise ValueError("hours must not be negative")
    begin = timezone.localtime(start)

    def count(calendar: WorkingCalendar) -> datetime.datetime:
        cursor = begin
        remaining = datetime.timedelta(hours=hours)
        while True:
            day = cursor.date()
            midnight = timezone.make_aware(
                datetime.datetime.combine(day + datetime.timedelta(1), datetime.time.min),
                cursor.tzinfo,
            )
            if calendar.is_working_day(day):
                if remaining <= midnight - cursor:
                    return cursor + remaining
                remaining -= midnight - cursor
            cursor = midnight

    due, calendar = workdays.count_on_loaded_calendars(
        begin.date(), hours // 24 * 7 // 5 + 21, count, estimate=True
    )
    return due, bool(calendar.estimated_years)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """Return the last moment of ``day`` in the site's time zone (a day's limit ends there)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
