"""The fair's public pages: overview, agenda, events and speakers; no inline code on any page.

Registration, my registration and the badge are in test_pages_participant.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_org, make_user
from tests.fair.conftest import FairWorld, make_event, make_fair
from xiqia.fair import services
from xiqia.fair.models import (
    Event,
    EventSpeaker,
    Fair,
    Room,
    Speaker,
    Venue,
)


def client_for(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def add_speaker(event: Event, name: str, role: str = "") -> Speaker:
    speaker, _created = Speaker.objects.get_or_create(
        name_zh=name, defaults={"name_en": name, "title_zh": "院长"}
    )
    EventSpeaker.objects.create(event=event, speaker=speaker, role_zh=role, role_en=role)
    return speaker


def add_room(event: Event, name: str = "S1馆") -> Room:
    venue, _created = Venue.objects.get_or_create(
        name_zh="重庆国际博览中心",
        defaults={"name_en": "Chongqing International Expo Center", "region": event.fair.region},
    )
    room, _created = Room.objects.get_or_create(venue=venue, name_zh=name)
    Event.objects.filter(pk=event.pk).update(room=room)
    return room


# Fair overview ---------------------------------------------------------------------------------


def test_fair_detail_shows_fair_programme_and_register(fair_world: FairWorld) -> None:
    response = client_for().get("/fairs/test-fair/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "测试洽谈会" in html
    assert "2021年5月20日 – 2021年5月23日" in html
    assert 'data-action="register"' in html
    assert "开放型经济论坛" in html and "金卡纳技巧绕桩赛" in html


def test_fair_detail_registered_offers_your_registration(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang", approve=False)

    html = client_for(registration.person).get("/fairs/test-fair/").content.decode()

    assert 'data-action="my-registration"' in html
    assert 'data-action="register"' not in html
    assert 'data-registration-status="pending"' in html


def test_fair_detail_unpublished_is_404_for_visitors(db: Any) -> None:
    Fair.objects.filter(pk=make_fair(slug="draft").pk).update(is_published=False)

    assert client_for(make_user("li")).get("/fairs/draft/").status_code == 404


def test_fair_index_redirects_to_newest_fair(fair_world: FairWorld) -> None:
    response = client_for().get("/fairs/")

    assert (response.status_code, response["Location"]) == (302, "/fairs/test-fair/")


# Agenda ----------------------------------------------------------------------------------------


def test_agenda_groups_events_by_day_with_seats_left(fair_world: FairWorld) -> None:
    response = client_for().get("/fairs/test-fair/agenda/")
    html = response.content.decode()

    assert response.status_code == 200
    assert re.findall(r'data-day="([\d-]+)"', html) == ["2021-05-20", "2021-05-23"]
    assert f'data-event="{fair_world.race.pk}"' in html
    assert 'data-seats-left="2"' in html
    assert 'href="/fairs/test-fair/agenda.ics"' in html


def test_agenda_filters_by_kind_and_day(fair_world: FairWorld) -> None:
    Event.objects.filter(pk=fair_world.race.pk).update(kind="competition")
    client = client_for()

    by_kind = client.get("/fairs/test-fair/agenda/?kind=competition").content.decode()
    by_day = client.get("/fairs/test-fair/agenda/?day=2021-05-20").content.decode()

    assert re.findall(r'data-title="([^"]+)"', by_kind) == ["金卡纳技巧绕桩赛"]
    assert re.findall(r'data-title="([^"]+)"', by_day) == ["开放型经济论坛"]


def test_agenda_day_outside_fair_is_ignored(fair_world: FairWorld) -> None:
    html = client_for().get("/fairs/test-fair/agenda/?day=2030-01-01").content.decode()

    assert len(re.findall(r'data-title="([^"]+)"', html)) == 2


def test_agenda_htmx_returns_only_the_days(fair_world: FairWorld) -> None:
    response = client_for().get("/fairs/test-fair/agenda/?kind=forum", HTTP_HX_REQUEST="true")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html
    assert 'data-day="2021-05-20"' in html


def test_agenda_marks_illustrative_times(fair_world: FairWorld) -> None:
    Event.objects.filter(pk=fair_world.forum.pk).update(times_illustrative=True)

    html = client_for().get("/fairs/test-fair/agenda/").content.decode()

    assert "data-illustrative-note" in html
    assert html.count("data-illustrative ") == 1


def test_agenda_without_illustrative_times_has_no_note(fair_world: FairWorld) -> None:
    html = client_for().get("/fairs/test-fair/agenda/").content.decode()

    assert "data-illustrative-note" not in html


def test_agenda_shows_my_seat_status(fair_world: FairWorld) -> None:
    for name in ("a", "b"):
        fair_world.register(name, fair_world.race)
    third = fair_world.register("c", fair_world.race, fair_world.forum, approve=False)

    html = client_for(third.person).get("/fairs/test-fair/agenda/").content.decode()

    assert re.findall(r'data-my-seat="(\w+)"', html) == ["confirmed", "waitlisted"]
    assert 'data-seats-left="0"' in html


def test_agenda_hides_unpublished_events(fair_world: FairWorld) -> None:
    Event.objects.filter(pk=fair_world.race.pk).update(is_published=False)

    html = client_for().get("/fairs/test-fair/agenda/").content.decode()

    assert re.findall(r'data-title="([^"]+)"', html) == ["开放型经济论坛"]


def count_queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def add_events(fair: Fair, n: int, registration: Any = None) -> None:
    """Add ``n`` events, each with room, speaker, organiser and a seat for ``registration``."""
    start = Event.objects.count()
    for i in range(start, start + n):
        event = make_event(fair, f"加测活动{i}", capacity=10, day=21)
        add_room(event, f"会议室{i}")
        add_speaker(event, f"嘉宾{i}", role="主讲")
        event.organisers.add(make_org(f"主办企业{i}", "500112"))
        if registration is not None:
            services.seat_request(registration=registration, event=event)


@pytest.mark.parametrize("subpath", ["agenda/", "", "speakers/"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "registered"])
def test_programme_query_count_is_constant_in_events(
    db: Any, signed_in: bool, subpath: str
) -> None:
    fair = make_fair()
    client = client_for()
    registration = None
    if signed_in:
        person = make_user("li")
        registration = services.registration_create(fair=fair, person=person, actor=person)
        client.force_login(person)
    path = f"/fairs/test-fair/{subpath}"
    client.get(path)  # warm caches (content types, sessions)
    add_events(fair, 1, registration)
    with_one = count_queries(lambda: client.get(path))

    add_events(fair, 2, registration)
    with_three = count_queries(lambda: client.get(path))

    assert with_one == with_three


# Event and speakers ----------------------------------------------------------------------------


def test_event_detail_shows_room_organisers_speakers_and_seats(fair_world: FairWorld) -> None:
    race = fair_world.race
    add_room(race)
    add_speaker(race, "李明", role="主持")
    race.organisers.add(make_org("重庆赛车协会", "500112"))
    fair_world.register("a", race)

    response = client_for().get(f"/fairs/test-fair/events/{race.pk}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "重庆国际博览中心 · S1馆" in html
    assert "重庆赛车协会" in html
    assert "李明" in html and "主持" in html
    assert 'data-seats-left="1"' in html


def test_event_detail_of_another_fair_is_404(fair_world: FairWorld) -> None:
    other = make_event(make_fair(slug="other"), "别的会")

    assert client_for().get(f"/fairs/test-fair/events/{other.pk}/").status_code == 404


def test_event_detail_unpublished_is_404_for_visitors(fair_world: FairWorld) -> None:
    Event.objects.filter(pk=fair_world.race.pk).update(is_published=False)

    response = client_for().get(f"/fairs/test-fair/events/{fair_world.race.pk}/")

    assert response.status_code == 404


def test_speakers_lists_each_speaker_once_with_their_events(fair_world: FairWorld) -> None:
    add_speaker(fair_world.forum, "李明", role="主讲")
    add_speaker(fair_world.race, "李明", role="评委")
    hidden = make_event(fair_world.fair, "未发布活动")
    Event.objects.filter(pk=hidden.pk).update(is_published=False)
    add_speaker(hidden, "王芳")

    response = client_for().get("/fairs/test-fair/speakers/")
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("data-speaker=") == 1
    assert re.findall(r'data-appearance="(\d+)"', html) == [
        str(fair_world.forum.pk),
        str(fair_world.race.pk),
    ]
    assert "王芳" not in html


# Strict CSP: nothing inline --------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>")


@pytest.mark.parametrize(
    "page_name",
    ["detail", "agenda", "event", "speakers", "register", "me", "badge"],
)
def test_page_has_no_inline_script_or_style(fair_world: FairWorld, page_name: str) -> None:
    add_speaker(fair_world.race, "李明", role="主持")
    registration = fair_world.register("li", fair_world.race)
    paths = {
        "detail": "/fairs/test-fair/",
        "agenda": "/fairs/test-fair/agenda/",
        "event": f"/fairs/test-fair/events/{fair_world.race.pk}/",
        "speakers": "/fairs/test-fair/speakers/",
        "register": "/fairs/test-fair/register/",
        "me": "/fairs/test-fair/me/",
        "badge": "/fairs/test-fair/badge/",
    }
    person = make_user("wang") if page_name == "register" else registration.person

    response = client_for(person).get(paths[page_name])
    html = response.content.decode()

    assert response.status_code == 200
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert not INLINE_SCRIPT.search(html), "inline <script>"
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
