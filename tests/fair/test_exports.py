"""Exports: registrations and check-ins as Excel for organisers, the agenda as iCalendar."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests.conftest import make_user, region
from tests.fair.conftest import SHANGHAI, FairWorld, make_event
from xiqia.accounts.models import Role
from xiqia.fair import exports, selectors, services
from xiqia.fair.models import Event, Room, Venue

REGISTRATION_HEADERS_EN = [
    "Full name",
    "Username",
    "Organisation",
    "Job title",
    "Category",
    "Status",
    "Registered at",
    "Decided at",
    "Confirmed events",
    "Waitlisted events",
    "Badge status",
]
CHECKIN_HEADERS_EN = [
    "Full name",
    "Organisation",
    "Category",
    "Event",
    "Gate",
    "Checked in at",
    "Scanned offline",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def local(day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(2021, 5, day, hour, minute, tzinfo=SHANGHAI)


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def client_for(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def url(name: str, world: FairWorld) -> str:
    return reverse(f"fair:{name}", kwargs={"slug": world.fair.slug})


@pytest.fixture
def two_registrations(fair_world: FairWorld) -> FairWorld:
    """Zhang: approved with two confirmed seats; Li: pending, waitlisted for the race."""
    Event.objects.filter(pk=fair_world.race.pk).update(capacity=1)
    fair_world.race.refresh_from_db()
    with time_machine.travel(local(10, 9, 0), tick=False):
        fair_world.register("zhang", fair_world.forum, fair_world.race)
    li = make_user("li")
    with time_machine.travel(local(11, 14, 30), tick=False):
        services.registration_create(
            fair=fair_world.fair,
            person=li,
            actor=li,
            category="investor",
            organisation_name='=HYPERLINK("http://example.invalid")',
            job_title="总经理",
            events=[fair_world.race],
        )
    return fair_world


def registrations_file(world: FairWorld) -> bytes:
    return exports.registrations_workbook(
        selectors.registration_list(who=world.organiser, fair=world.fair)
    )


# Registrations ---------------------------------------------------------------------------------


def test_registrations_xlsx_has_english_headers_and_exact_rows(
    two_registrations: FairWorld,
) -> None:
    with translation.override("en"):
        rows = sheet_rows(registrations_file(two_registrations))

    assert rows == [
        tuple(REGISTRATION_HEADERS_EN),
        (
            "Zhang",
            "zhang",
            None,
            None,
            "guest",
            "approved",
            datetime.datetime(2021, 5, 10, 9, 0),
            datetime.datetime(2021, 5, 10, 9, 0),
            "开放型经济论坛; 金卡纳技巧绕桩赛",
            None,
            "active",
        ),
        (
            "Li",
            "li",
            '=HYPERLINK("http://example.invalid")',
            "总经理",
            "investor",
            "pending",
            datetime.datetime(2021, 5, 11, 14, 30),
            None,
            None,
            "金卡纳技巧绕桩赛",
            "not issued",
        ),
    ]


def test_registrations_xlsx_chinese_run_has_the_same_columns(
    two_registrations: FairWorld,
) -> None:
    with translation.override("zh-hans"):
        rows = sheet_rows(registrations_file(two_registrations))

    assert len(rows[0]) == len(REGISTRATION_HEADERS_EN)
    assert rows[1][8] == "开放型经济论坛、金卡纳技巧绕桩赛"  # Chinese lists use 、


def test_registrations_xlsx_is_formatted_for_reading(two_registrations: FairWorld) -> None:
    sheet = load_workbook(io.BytesIO(registrations_file(two_registrations))).active

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:K3"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet["G2"].is_date and sheet["G2"].number_format == "yyyy-mm-dd hh:mm"
    assert all(8 <= sheet.column_dimensions[c].width <= 60 for c in "ABCDEFGHIJK")


def test_registrations_xlsx_writes_text_never_formulas(two_registrations: FairWorld) -> None:
    sheet = load_workbook(io.BytesIO(registrations_file(two_registrations))).active

    assert (sheet["C3"].data_type, sheet["C3"].value) == (
        "s",
        '=HYPERLINK("http://example.invalid")',
    )


def test_registrations_xlsx_leaves_out_id_and_phone_numbers(two_registrations: FairWorld) -> None:
    person = two_registrations.fair.registrations.get(person__username="zhang").person
    person.phone = "13800138000"
    person.save()
    content = registrations_file(two_registrations)

    cells = {str(v) for row in sheet_rows(content) for v in row if v is not None}
    assert not any("138" in cell for cell in cells)


def test_registrations_xlsx_download_for_organiser(two_registrations: FairWorld) -> None:
    response = client_for(two_registrations.organiser).get(
        url("registrations-xlsx", two_registrations), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="test-fair-registrations.xlsx"'
    assert "no-store" in response["Cache-Control"]
    rows = sheet_rows(response.content)
    assert rows[0] == tuple(REGISTRATION_HEADERS_EN)
    assert [row[1] for row in rows[1:]] == ["zhang", "li"]


def test_registrations_xlsx_open_to_admin(two_registrations: FairWorld) -> None:
    admin = make_user("admin", Role.PLATFORM_ADMIN)

    response = client_for(admin).get(url("registrations-xlsx", two_registrations))

    assert (response.status_code, response["Content-Type"]) == (200, XLSX)


@pytest.mark.parametrize("name", ["registrations-xlsx", "checkins-xlsx"])
def test_xlsx_refused_to_participant(two_registrations: FairWorld, name: str) -> None:
    participant = make_user("participant", Role.PARTICIPANT)

    response = client_for(participant).get(url(name, two_registrations))

    assert response.status_code == 403


@pytest.mark.parametrize("name", ["registrations-xlsx", "checkins-xlsx"])
def test_xlsx_sends_anonymous_to_sign_in(fair_world: FairWorld, name: str) -> None:
    path = url(name, fair_world)

    response = client_for().get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={path}"


def count_queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def add_registrations(world: FairWorld, n: int) -> None:
    for i in range(n):
        world.register(f"extra{world.fair.registrations.count()}_{i}", world.forum)


@pytest.mark.parametrize("name", ["registrations-xlsx", "checkins-xlsx"])
def test_xlsx_query_count_is_constant_in_rows(fair_world: FairWorld, name: str) -> None:
    client = client_for(fair_world.organiser)
    path = url(name, fair_world)
    client.get(path)  # warm caches (content types, sessions)

    def grow(n: int) -> None:
        before = set(fair_world.fair.registrations.values_list("pk", flat=True))
        add_registrations(fair_world, n)
        for registration in fair_world.fair.registrations.exclude(pk__in=before):
            token = services.badge_token(registration.badge)
            services.check_in(gate=fair_world.entrance, token=token)

    grow(1)
    with_one = count_queries(lambda: client.get(path))
    grow(2)
    with_three = count_queries(lambda: client.get(path))

    assert with_one == with_three


# Check-ins -------------------------------------------------------------------------------------


@pytest.fixture
def two_checkins(two_registrations: FairWorld) -> FairWorld:
    """Zhang checks in online at the south gate, then offline at the race gate."""
    zhang = two_registrations.fair.registrations.get(person__username="zhang")
    token = services.badge_token(zhang.badge)
    services.check_in(gate=two_registrations.side_gate, token=token, scanned_at=local(20, 8, 45))
    services.gate_upload(
        gate=two_registrations.race_gate,
        device_id="race-1",
        scans=[{"id": "s1", "token": token, "scanned_at": local(23, 8, 55)}],
    )
    return two_registrations


def test_checkins_xlsx_has_english_headers_and_exact_rows(two_checkins: FairWorld) -> None:
    checkins = selectors.checkin_list(who=two_checkins.organiser, fair=two_checkins.fair)

    with translation.override("en"):
        rows = sheet_rows(exports.checkins_workbook(checkins.order_by("scanned_at")))

    assert rows == [
        tuple(CHECKIN_HEADERS_EN),
        (
            "Zhang",
            None,
            "guest",
            "Fair entrance",
            "B · 南门",
            local(20, 8, 45).replace(tzinfo=None),
            "no",
        ),
        (
            "Zhang",
            None,
            "guest",
            "金卡纳技巧绕桩赛",
            "R · 赛场",
            datetime.datetime(2021, 5, 23, 8, 55),
            "yes",
        ),
    ]


def test_checkins_xlsx_chinese_run_has_the_same_columns(two_checkins: FairWorld) -> None:
    response = client_for(two_checkins.organiser).get(url("checkins-xlsx", two_checkins))

    assert (response.status_code, response["Content-Type"]) == (200, XLSX)
    rows = sheet_rows(response.content)
    assert [len(row) for row in rows] == [len(CHECKIN_HEADERS_EN)] * 3
    assert [row[5] for row in rows[1:]] == [
        datetime.datetime(2021, 5, 20, 8, 45),
        datetime.datetime(2021, 5, 23, 8, 55),
    ]


# Agenda ----------------------------------------------------------------------------------------


@pytest.fixture
def agenda_world(fair_world: FairWorld) -> FairWorld:
    venue = Venue.objects.create(
        name_zh="重庆国际博览中心",
        name_en="Chongqing International Expo Center",
        region=region("500112"),
    )
    room = Room.objects.create(venue=venue, name_zh="S1馆", name_en="Hall S1")
    Event.objects.filter(pk=fair_world.forum.pk).update(
        room=room, title_en="Open Economy Forum", description_en="On the open economy."
    )
    Event.objects.filter(pk=fair_world.race.pk).update(times_illustrative=True)
    draft = make_event(fair_world.fair, "未发布的活动", day=21)
    Event.objects.filter(pk=draft.pk).update(is_published=False)
    return fair_world


def calendar_from(response: Any) -> icalendar.Calendar:
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def test_agenda_ics_lists_published_events_in_utc(agenda_world: FairWorld) -> None:
    response = client_for().get(url("agenda-ics", agenda_world), HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="test-fair-agenda.ics"'
    calendar = calendar_from(response)
    assert (str(calendar["PRODID"]), str(calendar["VERSION"])) == (exports.PRODID, "2.0")
    assert str(calendar["X-WR-CALNAME"]) == "Test Fair"
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        f"event-{agenda_world.forum.pk}@xiqia",
        f"event-{agenda_world.race.pk}@xiqia",
    ]
    assert [str(e["SUMMARY"]) for e in events] == ["Open Economy Forum", "金卡纳技巧绕桩赛"]
    utc = datetime.UTC
    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in events] == [
        (
            datetime.datetime(2021, 5, 20, 1, 0, tzinfo=utc),
            datetime.datetime(2021, 5, 20, 3, 0, tzinfo=utc),
        ),
        (
            datetime.datetime(2021, 5, 23, 1, 0, tzinfo=utc),
            datetime.datetime(2021, 5, 23, 3, 0, tzinfo=utc),
        ),
    ]
    assert b"DTSTART:20210520T010000Z" in response.content
    forum, race = events
    assert str(forum["LOCATION"]) == "Chongqing International Expo Center · Hall S1"
    assert str(forum["DESCRIPTION"]) == "On the open economy."
    assert "LOCATION" not in race
    assert "times are illustrative" in str(race["DESCRIPTION"])


def test_agenda_ics_summary_follows_the_language(agenda_world: FairWorld) -> None:
    response = client_for().get(url("agenda-ics", agenda_world), HTTP_ACCEPT_LANGUAGE="zh-hans")

    summaries = [str(e["SUMMARY"]) for e in calendar_from(response).walk("VEVENT")]
    assert summaries == ["开放型经济论坛", "金卡纳技巧绕桩赛"]
    assert str(calendar_from(response)["X-WR-CALNAME"]) == "测试洽谈会"


def test_agenda_ics_of_unpublished_fair_is_not_found(fair_world: FairWorld) -> None:
    fair_world.fair.is_published = False
    fair_world.fair.save()

    response = client_for().get(url("agenda-ics", fair_world))

    assert response.status_code == 404
