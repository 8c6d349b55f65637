"""After the meetings: the no-show page, the API's no-show action, and the table QR sheet."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.matchmaking.conftest import MatchWorld, at, user_of
from xiqia.matchmaking import selectors, services
from xiqia.matchmaking.models import Attendance, Meeting, Profile

LATER = at(19, 18)
AFTER = at(20, 12)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def meet(a: Profile, b: Profile) -> Meeting:
    request = services.request_send(sender=a, recipient=b, actor=user_of(a))
    meeting = services.request_accept(request=request, actor=user_of(b))
    assert meeting is not None
    return meeting


def publish(mw: MatchWorld) -> None:
    plan = services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    services.schedule_publish(plan=plan, actor=mw.organiser, now=LATER)


@pytest.fixture
def two(mw: MatchWorld) -> list[Meeting]:
    mw.add_slots(1)
    mw.add_tables(2)
    found = [meet(mw.person("ana"), mw.person("bo")), meet(mw.person("cy"), mw.person("di"))]
    publish(mw)
    for meeting in found:
        meeting.refresh_from_db()
    return found


def test_meetings_without_attendance_lists_ended_unchecked(mw: MatchWorld, two: Any) -> None:
    held, open_one = two
    services.meeting_check_in(meeting=held, profile=held.a, actor=None, now=at(20, 9, 5))
    services.meeting_check_in(meeting=held, profile=held.b, actor=None, now=at(20, 9, 6))
    assert list(selectors.meetings_without_attendance(mw.fair, at(20, 9, 10))) == []
    assert list(selectors.meetings_without_attendance(mw.fair, AFTER)) == [open_one]


def test_attendance_page_marks_no_show_and_feeds_rate(
    mw: MatchWorld, two: Any, time_machine: Any
) -> None:
    held, missed = two
    services.meeting_check_in(meeting=held, profile=held.a, actor=None, now=at(20, 9, 5))
    services.meeting_check_in(meeting=held, profile=held.b, actor=None, now=at(20, 9, 6))
    time_machine.move_to(AFTER)
    client = client_for(mw.organiser)
    address = reverse("matchmaking:attendance", args=[mw.fair.slug])
    page = client.get(address).content.decode()
    assert f'data-meeting="{missed.pk}"' in page
    assert f'data-meeting="{held.pk}"' not in page
    assert client.post(address, {"meeting": missed.pk}).status_code == 302
    missed.refresh_from_db()
    assert missed.attendance == Attendance.NO_SHOW
    page = client.get(address).content.decode()
    assert "data-no-show-rate>50%" in page
    assert selectors.figures(mw.fair).no_show_rate == 0.5


def test_attendance_page_refuses_no_show_before_the_end(
    mw: MatchWorld, two: Any, time_machine: Any
) -> None:
    time_machine.move_to(at(20, 9, 10))
    client = client_for(mw.organiser)
    response = client.post(
        reverse("matchmaking:attendance", args=[mw.fair.slug]), {"meeting": two[0].pk}, follow=True
    )
    assert "The meeting&#x27;s time has not ended yet." in response.content.decode()
    two[0].refresh_from_db()
    assert two[0].attendance == Attendance.EXPECTED


def test_attendance_page_refuses_participant(mw: MatchWorld, two: Any) -> None:
    response = client_for(user_of(two[0].a)).get(
        reverse("matchmaking:attendance", args=[mw.fair.slug])
    )
    assert response.status_code == 403


def test_attendance_page_query_count(mw: MatchWorld, time_machine: Any) -> None:
    mw.add_slots(4)
    mw.add_tables(3)
    client = client_for(mw.organiser)
    address = reverse("matchmaking:attendance", args=[mw.fair.slug])
    counts = []
    for n, start in ((1, 0), (3, 10)):
        for i in range(n):
            meet(mw.person(f"a{start + i}"), mw.person(f"b{start + i}"))
        publish(mw)
        time_machine.move_to(AFTER)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(address)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
        time_machine.move_to(LATER)
    assert counts[0] == counts[1]


def test_api_no_show_by_organiser(mw: MatchWorld, two: Any, time_machine: Any) -> None:
    time_machine.move_to(AFTER)
    response = client_for(mw.organiser).post(f"/api/v1/matchmaking/meetings/{two[0].pk}/no-show/")
    assert (response.status_code, response.json()["attendance"]) == (200, "no_show")


def test_api_no_show_by_participant_is_forbidden(
    mw: MatchWorld, two: Any, time_machine: Any
) -> None:
    time_machine.move_to(AFTER)
    response = client_for(user_of(two[0].a)).post(
        f"/api/v1/matchmaking/meetings/{two[0].pk}/no-show/",
        data=json.dumps({}),
        content_type="application/json",
    )
    assert response.status_code == 403


def test_table_sheet_has_one_code_per_table(mw: MatchWorld) -> None:
    mw.add_tables(3)
    services.table_retire(table=mw.tables[2], actor=mw.organiser)
    response = client_for(mw.organiser).get(reverse("matchmaking:table-sheet", args=[mw.fair.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert html.count('class="segno"') == 2
    for table in mw.tables[:2]:
        link = "http://testserver" + reverse(
            "matchmaking:table-check-in", args=[table.check_in_key]
        )
        assert f'data-table="{table.code}"' in html
        assert link in html
    assert str(mw.tables[2].check_in_key) not in html


def test_table_sheet_refuses_participant(mw: MatchWorld) -> None:
    someone = mw.person("ana")
    response = client_for(user_of(someone)).get(
        reverse("matchmaking:table-sheet", args=[mw.fair.slug])
    )
    assert response.status_code == 403
