"""Files made from the fair's records: Excel workbooks for organisers, an iCalendar agenda.

Each function takes rows already loaded (by the selectors, so the query count does not grow
with the rows) and returns the file's bytes. Text follows the active language: headers and
labels go through gettext, so a Chinese user gets Chinese headers and an English one English.

Personal-data minimisation (PIPL): the workbooks carry names, organisations and roles, never
ID or phone numbers.
"""

from __future__ import annotations

import datetime
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import icalendar
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xiqia.fair.models import CheckIn, Event, Fair, Registration, SeatStatus

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MIN_WIDTH, MAX_WIDTH = 8, 60


# Workbooks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Return a moment as a naive Asia/Shanghai datetime: Excel has no time zones."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None)


def _list_separator() -> str:
    return "、" if (translation.get_language() or "").startswith("zh") else "; "


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return len(DATETIME_FORMAT)
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(ws: Any, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        # A string is text, never a formula: a name written as "=HYPERLINK(...)" must not run
        # when an organiser opens the file (spreadsheet formula injection).
        cell.data_type = "s"
    else:
        cell.value = value
    if isinstance(value, datetime.datetime):
        cell.number_format = DATETIME_FORMAT
    if bold:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center")
    return cell


def _workbook(title: str, columns: Sequence[Column], items: Iterable[Any]) -> bytes:
    """Return an .xlsx with a bold, frozen, filterable header row and one row per item."""
    headers = [column.header for column in columns]
    rows = [[column.value(item) for column in columns] for item in items]
    widths = [_display_width(header) for header in headers]
    for row in rows:
        widths = [
            max(width, _display_width(value)) for width, value in zip(widths, row, strict=True)
        ]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    sheet.append([_cell(sheet, header, bold=True) for header in headers])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _events(registration: Registration, status: str) -> str:
    seats = sorted(
        (seat for seat in registration.seats.all() if seat.status == status),
        key=lambda seat: (seat.event.starts_at, seat.event.sequence, seat.event.pk),
    )
    return _list_separator().join(seat.event.title for seat in seats)


def _badge_status(registration: Registration) -> str:
    badge = getattr(registration, "badge", None)
    return badge.get_status_display() if badge is not None else _("not issued")


def registrations_workbook(registrations: Iterable[Registration]) -> bytes:
    """Return the registrations as an .xlsx, one row each.

    Expects ``person``, ``organisation`` and ``badge`` selected and ``seats__event``
    prefetched (``selectors.registration_list`` does both).
    """
    columns = [
        Column(_("Full name"), lambda r: r.person.get_full_name()),
        Column(_("Username"), lambda r: r.person.username),
        Column(_("Organisation"), lambda r: r.organisation_label),
        Column(_("Job title"), lambda r: r.job_title),
        Column(_("Category"), lambda r: r.get_category_display()),
        Column(_("Status"), lambda r: r.get_status_display()),
        Column(_("Registered at"), lambda r: _local(r.created_at)),
        Column(_("Decided at"), lambda r: _local(r.decided_at)),
        Column(_("Confirmed events"), lambda r: _events(r, SeatStatus.CONFIRMED)),
        Column(_("Waitlisted events"), lambda r: _events(r, SeatStatus.WAITLISTED)),
        Column(_("Badge status"), _badge_status),
    ]
    return _workbook(_("Registrations"), columns, registrations)


def checkins_workbook(checkins: Iterable[CheckIn]) -> bytes:
    """Return the check-ins as an .xlsx, one row each.

    Expects ``badge__registration__person``, ``badge__registration__organisation``, ``gate``
    and ``event`` selected (``selectors.checkin_list`` does).
    """
    columns = [
        Column(_("Full name"), lambda c: c.badge.registration.person.get_full_name()),
        Column(_("Organisation"), lambda c: c.badge.registration.organisation_label),
        Column(_("Category"), lambda c: c.badge.registration.get_category_display()),
        Column(_("Event"), lambda c: c.event.title if c.event_id else _("Fair entrance")),
        Column(_("Gate"), lambda c: str(c.gate)),
        Column(_("Checked in at"), lambda c: _local(c.scanned_at)),
        Column(_("Scanned offline"), lambda c: _("yes") if c.offline else _("no")),
    ]
    return _workbook(_("Check-ins"), columns, checkins)


# Calendar --------------------------------------------------------------------------------------

PRODID = "-//Xiqia//Fair agenda//EN"


def event_uid(event: Event) -> str:
    """Return the event's calendar UID: stable, so a re-imported file updates, not duplicates."""
    return f"event-{event.pk}@xiqia"


def _location(event: Event) -> str:
    room = event.room
    if room is None:
        return ""
    parts = [room.venue.name, room.name, room.venue.address]
    return " · ".join(part for part in parts if part)


def _description(event: Event) -> str:
    parts = [event.description]
    speakers = [
        " ".join(p for p in (es.speaker.name, es.role or es.speaker.title) if p)
        for es in event.event_speakers.all()
    ]
    if speakers:
        parts.append(_("Speakers: %(names)s") % {"names": _list_separator().join(speakers)})
    if event.times_illustrative:
        parts.append(
            _("The times are illustrative: the source gives none. Check the fair's programme.")
        )
    return "\n\n".join(part for part in parts if part)


def agenda_calendar(
    fair: Fair, events: Iterable[Event], now: datetime.datetime | None = None
) -> bytes:
    """Return the events as an iCalendar file (RFC 5545), times in UTC.

    Expects ``room__venue`` selected and ``event_speakers__speaker`` prefetched
    (``selectors.agenda`` does both).
    """
    stamp = (now or timezone.now()).astimezone(datetime.UTC)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", fair.name)
    for event in events:
        entry = icalendar.Event()
        entry.add("uid", event_uid(event))
        entry.add("dtstamp", stamp)
        entry.add("dtstart", event.starts_at.astimezone(datetime.UTC))
        entry.add("dtend", event.ends_at.astimezone(datetime.UTC))
        entry.add("summary", event.title)
        description = _description(event)
        if description:
            entry.add("description", description)
        location = _location(event)
        if location:
            entry.add("location", location)
        entry.add("categories", [str(event.get_kind_display())])
        calendar.add_component(entry)
    return calendar.to_ical()
