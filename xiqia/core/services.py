"""Writes of the shared tables that carry a rule: the published years of the official calendar."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from xiqia.accounts import access
from xiqia.core import holidays, workdays
from xiqia.core.errors import DomainError
from xiqia.core.models import CalendarDay, CalendarYear
from xiqia.core.origin import Origin

# Sent by calendar_year_set inside its transaction, with ``year`` and ``actor``: the modules that
# store deadlines (government services) recompute those whose count reaches that year.
calendar_year_changed = Signal()


def check_calendar_year(
    *,
    year: int,
    published: bool,
    notice_number: str,
    notice_date: datetime.date | None,
    today: datetime.date | None = None,
) -> None:
    """Raise :class:`DomainError` (by field) unless these values may be saved for ``year``.

    A year may be marked published only with the notice's number and date (the date on or
    before today and not after the year itself), and, for a year the ``chinese-calendar``
    package does not know, only once every statutory holiday of the year that falls on a weekday
    (《全国年节及纪念日放假办法》, see ``core.holidays``) has an entry without work in the
    calendar days: a published year the package does not know is computed from its entries and
    the week alone, so a missing holiday would silently count as a working day.
    """
    today = today or timezone.localdate()
    errors: dict[str, list[Any]] = {}
    if not holidays.FIRST_YEAR <= year <= holidays.LAST_YEAR:
        errors["year"] = [
            _("Enter a year from %(first)s to %(last)s.")
            % {"first": holidays.FIRST_YEAR, "last": holidays.LAST_YEAR}
        ]
    if published and not errors:
        if not notice_number.strip():
            errors["notice_number"] = [_("Enter the number of the State Council's notice.")]
        if notice_date is None:
            errors["notice_date"] = [_("Enter the date of the State Council's notice.")]
        elif notice_date > today or notice_date.year > year:
            errors["notice_date"] = [
                _("The notice is dated on or before today, and not after the year it arranges.")
            ]
        if not workdays.package_covers(year):
            entered = set(
                CalendarDay.objects.filter(
                    date__year=year, kind__in=[CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.REST_DAY]
                ).values_list("date", flat=True)
            )
            missing = [
                day
                for day in holidays.statutory_holidays(year)
                if day.weekday() < 5 and day not in entered
            ]
            if missing:
                errors["published"] = [
                    _(
                        "Enter the notice's days first: these statutory holidays of %(year)s "
                        "have no public holiday entry in the calendar days: %(days)s."
                    )
                    % {
                        "year": year,
                        "days": ", ".join(day.isoformat() for day in missing),
                    }
                ]
    if errors:
        raise DomainError(
            _("The calendar year cannot be saved."), code="calendar_year_invalid", fields=errors
        )


@transaction.atomic
def calendar_year_set(
    *,
    actor: Any,
    year: int,
    published: bool,
    notice_number: str = "",
    notice_date: datetime.date | None = None,
    note: str = "",
) -> CalendarYear:
    """Record whether the arrangement of ``year`` is published, with its notice.

    Only platform administrators may (``PermissionDenied`` otherwise). Marking a year published
    makes its working days exact; unmarking it makes them estimates again. The stored deadlines
    whose count reaches the year are recomputed in the same transaction
    (:data:`calendar_year_changed`).
    """
    if actor is not None and not access.can_create(actor, CalendarYear):
        raise PermissionDenied
    notice_number = notice_number.strip()
    check_calendar_year(
        year=year, published=published, notice_number=notice_number, notice_date=notice_date
    )
    row = CalendarYear.objects.select_for_update().filter(year=year).first()
    if row is None:
        row = CalendarYear(year=year)
    row.published = published
    row.notice_number = notice_number
    row.notice_date = notice_date
    row.note = note
    row.origin = Origin.ENTERED
    row._history_user = actor  # type: ignore[attr-defined]
    row.save()
    calendar_year_changed.send(sender=CalendarYear, year=year, actor=actor)
    return row
