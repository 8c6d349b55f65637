"""A participant's meeting agenda as an iCalendar file (RFC 5545), times in UTC."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import icalendar
from django.utils import timezone
from django.utils.translation import gettext as _

from xiqia.matchmaking.models import Meeting, Profile

PRODID = "-//Xiqia//Meeting agenda//EN"


def meeting_uid(meeting: Meeting) -> str:
    """Return the meeting's calendar UID: stable, so a re-imported file updates the entry."""
    return f"meeting-{meeting.pk}@xiqia"


def agenda_calendar(
    profile: Profile, meetings: Iterable[Meeting], now: datetime.datetime | None = None
) -> bytes:
    """Return the placed meetings as calendar entries (``selectors.agenda`` loads them)."""
    stamp = (now or timezone.now()).astimezone(datetime.UTC)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add(
        "x-wr-calname", _("My meetings · %(fair)s") % {"fair": profile.registration.fair.short_name}
    )
    for meeting in meetings:
        if not meeting.is_placed:
            continue
        other = meeting.counterpart(profile)
        entry = icalendar.Event()
        entry.add("uid", meeting_uid(meeting))
        entry.add("dtstamp", stamp)
        entry.add("dtstart", meeting.slot.starts_at.astimezone(datetime.UTC))
        entry.add("dtend", meeting.slot.ends_at.astimezone(datetime.UTC))
        entry.add(
            "summary",
            _("Meeting with %(name)s (%(organisation)s)")
            % {"name": other.display_name, "organisation": other.organisation_label or "—"},
        )
        location = [_("Table %(table)s") % {"table": meeting.table.code}]
        if meeting.table.room_id:
            location.append(str(meeting.table.room))
        entry.add("location", " · ".join(location))
        if meeting.request.message:
            entry.add("description", meeting.request.message)
        calendar.add_component(entry)
    return calendar.to_ical()
