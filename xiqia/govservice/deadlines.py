"""Legal deadlines of cases on the working-day calendar (``xiqia.core.workdays``).

A deadline that reaches a year whose official calendar is not known yet is never guessed
silently: it is computed on Monday-to-Friday for the unknown year and marked *provisional*,
so the queue can still sort by it while every page says it is provisional. It is computed
again, exactly, once an administrator has entered that year.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

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
