"""Matchmaking pages: participant and organiser, with query counts for every list."""

from __future__ import annotations

from typing import Any

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from tests.matchmaking.conftest import MatchWorld, at, user_of
from xiqia.matchmaking import services
from xiqia.matchmaking.models import (
    Hidden,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    Notification,
    PlanStatus,
    Profile,
    RequestStatus,
    SchedulePlan,
)

LATER = at(25, 12)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def url(name: str, mw: MatchWorld, *args: Any) -> str:
    return reverse(f"matchmaking:{name}", args=[mw.fair.slug, *args])


def meet(a: Profile, b: Profile) -> Meeting:
    request = services.request_send(sender=a, recipient=b, actor=user_of(a))
    return services.request_accept(request=request, actor=user_of(b))


def publish(mw: MatchWorld) -> None:
    plan = services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    services.schedule_publish(plan=plan, actor=mw.organiser, now=LATER)


# Profile ---------------------------------------------------------------------------------------


def test_profile_page_creates_profile_with_half_days(mw: MatchWorld) -> None:
    ana = mw.person("ana")
    ana.delete()
    client = client_for(user_of(ana))
    response = client.post(
        url("profile", mw),
        {
            "role": "investor",
            "offers": ["capital"],
            "seeks": ["projects"],
            "seeks_text": "智能终端 项目",
            "languages": ["zh"],
            "availability": ["2021-05-20:am", "2021-05-20:pm", "2021-05-21:am"],
            "is_visible": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("recommendations", mw)
    profile = Profile.objects.get()
    assert (profile.role, profile.offers, profile.seeks) == ("investor", ["capital"], ["projects"])
    assert [(w.starts_at, w.ends_at) for w in profile.windows.all()] == [
        (at(20, 8), at(20, 18, 30)),
        (at(21, 8), at(21, 12, 30)),
    ]
    page = client.get(url("profile", mw))
    assert page.context["form"].initial["availability"] == [
        "2021-05-20:am",
        "2021-05-20:pm",
        "2021-05-21:am",
    ]


def test_profile_page_refuses_unknown_tag_and_writes_nothing(mw: MatchWorld) -> None:
    ana = mw.person("ana")
    response = client_for(user_of(ana)).post(
        url("profile", mw), {"role": "investor", "offers": ["gold"]}
    )
    assert response.status_code == 200
    assert "offers" in response.context["form"].errors
    ana.refresh_from_db()
    assert ana.role == "enterprise"


def test_recommendations_without_profile_go_to_profile_form(mw: MatchWorld) -> None:
    ana = mw.person("ana")
    ana.delete()
    response = client_for(user_of(ana)).get(url("recommendations", mw))
    assert (response.status_code, response["Location"]) == (302, url("profile", mw))


def test_recommendations_anonymous_go_to_sign_in(mw: MatchWorld) -> None:
    response = Client().get(url("recommendations", mw))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# Recommendations and requests ------------------------------------------------------------------


@pytest.fixture
def pair(mw: MatchWorld) -> tuple[Profile, Profile]:
    return (
        mw.person("ana", seeks=["capital"], seeks_text="寻找 投资"),
        mw.person("bo", offers=["capital"], offers_text="产业基金 投资"),
    )


def test_recommendations_page_shows_reasons(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    response = client_for(user_of(ana)).get(url("recommendations", mw), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-suggestion="{bo.pk}"' in html
    assert "You seek capital; they offer it." in html


def test_request_send_page_htmx(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    response = client_for(user_of(ana)).post(
        url("request-send", mw, bo.pk), {"message": "你好"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"data-request-sent" in response.content
    request = MeetingRequest.objects.get()
    assert (request.sender, request.recipient, request.message) == (ana, bo, "你好")


def test_request_send_page_shows_refusal(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    services.hide(profile=bo, hidden=ana, actor=user_of(bo))
    response = client_for(user_of(ana)).post(
        url("request-send", mw, bo.pk), {"message": ""}, HTTP_HX_REQUEST="true"
    )
    assert b"data-request-error" in response.content
    assert MeetingRequest.objects.count() == 0


def test_hide_page_htmx_removes_card(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    response = client_for(user_of(ana)).post(url("hide", mw, bo.pk), HTTP_HX_REQUEST="true")
    assert (response.status_code, response.content) == (200, b"")
    assert Hidden.objects.filter(profile=ana, hidden=bo).exists()


def test_requests_page_accept(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    client = client_for(user_of(bo))
    page = client.get(url("requests", mw))
    assert f'data-request="{request.pk}"' in page.content.decode()
    response = client.post(url("request-answer", mw, request.pk, "accept"))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    assert Meeting.objects.count() == 1


def test_requests_page_refuses_accepting_own_request(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    client = client_for(user_of(ana))
    response = client.post(
        url("request-answer", mw, request.pk, "accept"), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "You may not do this." in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_request_answer_invisible_to_outsider(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    outsider = mw.person("zed")
    response = client_for(user_of(outsider)).post(url("request-answer", mw, request.pk, "decline"))
    assert response.status_code == 404


# Agenda ----------------------------------------------------------------------------------------


@pytest.fixture
def scheduled(mw: MatchWorld, pair: Any) -> Meeting:
    mw.add_slots(2)
    mw.add_tables(1)
    meeting = meet(*pair)
    publish(mw)
    meeting.refresh_from_db()
    return meeting


def test_agenda_page_lists_meeting(mw: MatchWorld, scheduled: Meeting) -> None:
    response = client_for(user_of(scheduled.a)).get(url("agenda", mw))
    html = response.content.decode()
    assert f'data-meeting="{scheduled.pk}" data-with="Bo"' in html
    assert "09:00–09:30" in html


def test_agenda_ics_has_the_meeting(mw: MatchWorld, scheduled: Meeting) -> None:
    response = client_for(user_of(scheduled.b)).get(url("agenda-ics", mw))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="match-fair-meetings.ics"'
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["uid"]) for e in events] == [f"meeting-{scheduled.pk}@xiqia"]
    assert events[0].decoded("dtstart") == scheduled.slot.starts_at
    assert "Ana" in str(events[0]["summary"])
    assert str(events[0]["location"]).endswith("T01")


def test_agenda_cancel_notifies_other_side(mw: MatchWorld, scheduled: Meeting) -> None:
    response = client_for(user_of(scheduled.a)).post(
        url("meeting-action", mw, scheduled.pk, "cancel")
    )
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == MeetingStatus.CANCELLED
    assert (
        Notification.objects.filter(recipient=user_of(scheduled.b), kind="cancelled").count() == 1
    )


def test_notifications_page_and_mark_read(mw: MatchWorld, scheduled: Meeting) -> None:
    client = client_for(user_of(scheduled.a))
    page = client.get(reverse("matchmaking:notifications"))
    assert 'data-notice="placed"' in page.content.decode()
    client.post(reverse("matchmaking:notifications"))
    assert Notification.objects.filter(recipient=user_of(scheduled.a), read_at=None).count() == 0


def test_table_check_in_page(mw: MatchWorld, scheduled: Meeting, time_machine: Any) -> None:
    time_machine.move_to(at(20, 9, 5))
    client = client_for(user_of(scheduled.a))
    address = reverse("matchmaking:table-check-in", args=[scheduled.table.check_in_key])
    assert client.get(address).status_code == 200
    response = client.post(address)
    assert b"data-checked-in" in response.content
    scheduled.refresh_from_db()
    assert scheduled.a_checked_in_at is not None


# Organiser -------------------------------------------------------------------------------------


def test_schedule_page_preview_then_publish(mw: MatchWorld, pair: Any) -> None:
    meet(*pair)
    client = client_for(mw.organiser)
    client.post(
        url("schedule", mw),
        {
            "action": "slots",
            "slots-day": "2021-05-20",
            "slots-first": "09:00",
            "slots-minutes": 30,
            "slots-count": 2,
        },
    )
    client.post(url("schedule", mw), {"action": "tables", "tables-count": 2, "tables-seats": 4})
    client.post(url("schedule", mw), {"action": "preview"})
    plan = SchedulePlan.objects.get()
    page = client.get(url("schedule", mw)).content.decode()
    assert f'data-preview="{plan.pk}"' in page
    assert "placed 1 of at most 1" in page
    client.post(url("schedule", mw), {"action": "publish", "plan": plan.pk})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    assert Meeting.objects.get().status == MeetingStatus.PUBLISHED


def test_schedule_page_refuses_participant(mw: MatchWorld, pair: Any) -> None:
    response = client_for(user_of(pair[0])).get(url("schedule", mw))
    assert response.status_code == 403


def test_organise_dashboard_figures(mw: MatchWorld, scheduled: Meeting) -> None:
    response = client_for(mw.organiser).get(url("organise", mw))
    html = response.content.decode()
    assert 'data-figure="requests-sent">1<' in html
    assert 'data-figure="meetings-placed">1 / 1<' in html
    assert 'id="slot-chart" type="application/json"' in html


def test_late_arrival_from_schedule_page(mw: MatchWorld, scheduled: Meeting) -> None:
    client = client_for(mw.organiser)
    client.post(
        url("schedule", mw),
        {"action": "late", "late-profile": scheduled.a.pk, "late-arrives_at": "2021-05-20T09:30"},
    )
    scheduled.refresh_from_db()
    assert scheduled.slot == mw.slots[1]


# Query counts ----------------------------------------------------------------------------------


def _people(mw: MatchWorld, n: int, start: int) -> list[Profile]:
    return [mw.person(f"p{start + i}", offers=["capital"], offers_text="基金") for i in range(n)]


@pytest.mark.parametrize("name", ["recommendations", "requests", "agenda"])
def test_participant_lists_query_count(
    mw: MatchWorld, django_assert_num_queries: Any, name: str
) -> None:
    me = mw.person("me", seeks=["capital"], seeks_text="基金")
    mw.add_slots(4)
    mw.add_tables(3)
    client = client_for(user_of(me))
    counts = []
    for n, start in ((1, 0), (3, 10)):
        for other in _people(mw, n, start):
            request = services.request_send(sender=other, recipient=me, actor=user_of(other))
            if name == "agenda":
                services.request_accept(request=request, actor=user_of(me))
        if name == "agenda":
            SchedulePlan.objects.all().delete()
            Meeting.objects.filter(status=MeetingStatus.PUBLISHED).update(
                status=MeetingStatus.DRAFT, slot=None, table=None
            )
            publish(mw)
        if name == "recommendations":
            MeetingRequest.objects.all().delete()
        client.get(url(name, mw))  # warm caches (session, words)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(name, mw))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[0]):
        client.get(url(name, mw))


def test_notifications_query_count(mw: MatchWorld) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    me = mw.person("me", seeks=["capital"])
    client = client_for(user_of(me))
    counts = []
    for n, start in ((1, 0), (3, 10)):
        for other in _people(mw, n, start):
            services.request_send(sender=other, recipient=me, actor=user_of(other))
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("matchmaking:notifications"))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("name", ["schedule", "organise"])
def test_organiser_pages_query_count(mw: MatchWorld, name: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mw.add_slots(4)
    mw.add_tables(3)
    client = client_for(mw.organiser)
    counts = []
    for n, start in ((1, 0), (3, 10)):
        for i in range(n):
            meet(mw.person(f"a{start + i}"), mw.person(f"b{start + i}"))
        SchedulePlan.objects.all().delete()
        Meeting.objects.filter(status=MeetingStatus.PUBLISHED).update(
            status=MeetingStatus.DRAFT, slot=None, table=None
        )
        publish(mw)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(name, mw))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_schedule_page_finds_a_participants_meetings(mw: MatchWorld, scheduled: Meeting) -> None:
    other = meet(mw.person("cy"), mw.person("di"))
    publish(mw)
    client = client_for(mw.organiser)
    page = client.get(url("schedule", mw) + "?who=Ana").content.decode()
    assert f'data-meeting="{scheduled.pk}"' in page
    assert f'data-meeting="{other.pk}"' not in page
