"""The matchmaking API: same rules as the pages, errors in the API's format, query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.matchmaking.conftest import MatchWorld, at, user_of
from xiqia.matchmaking import services
from xiqia.matchmaking.models import (
    Meeting,
    MeetingStatus,
    Profile,
    RequestStatus,
    SchedulePlan,
)

LATER = at(25, 12)
API = "/api/v1/matchmaking"


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(path, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def pair(mw: MatchWorld) -> tuple[Profile, Profile]:
    return (
        mw.person("ana", seeks=["capital"], seeks_text="寻找 投资"),
        mw.person("bo", offers=["capital"], offers_text="产业基金 投资"),
    )


def test_api_profiles_list_own_fair(mw: MatchWorld, pair: Any) -> None:
    ana, _bo = pair
    mw.person("shy", is_visible=False)
    response = client_for(user_of(ana)).get(f"{API}/profiles/?fair={mw.fair.slug}")
    assert response.status_code == 200
    assert sorted(p["name"] for p in response.json()["results"]) == ["Ana", "Bo"]


def test_api_profile_update_own(mw: MatchWorld, pair: Any) -> None:
    ana, _bo = pair
    response = client_for(user_of(ana)).put(
        f"{API}/profiles/{ana.pk}/",
        data=json.dumps({"role": "investor", "offers": ["capital"], "regions": ["500107"]}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["role"], response.json()["regions"]) == ("investor", ["500107"])


def test_api_profile_update_someone_else_is_forbidden(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    response = client_for(user_of(ana)).put(
        f"{API}/profiles/{bo.pk}/",
        data=json.dumps({"role": "investor"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_api_recommendations(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    response = client_for(user_of(ana)).get(
        f"{API}/recommendations/?fair={mw.fair.slug}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    body = response.json()
    assert [s["profile"]["id"] for s in body] == [bo.pk]
    assert body[0]["reasons"][0] == "You seek capital; they offer it."


def test_api_recommendations_need_a_profile(mw: MatchWorld) -> None:
    response = client_for(mw.organiser).get(f"{API}/recommendations/?fair={mw.fair.slug}")
    assert response.status_code == 404


def test_api_request_send_accept(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    sent = post(client_for(user_of(ana)), f"{API}/requests/", {"recipient": bo.pk, "message": "hi"})
    assert sent.status_code == 201
    assert (sent.json()["status"], sent.json()["recipient_name"]) == ("pending", "Bo")
    accepted = post(client_for(user_of(bo)), f"{API}/requests/{sent.json()['id']}/accept/")
    assert (accepted.status_code, accepted.json()["status"]) == (200, RequestStatus.ACCEPTED)
    assert Meeting.objects.count() == 1


def test_api_request_refusal_has_its_code(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    client = client_for(user_of(ana))
    post(client, f"{API}/requests/", {"recipient": bo.pk})
    again = post(client, f"{API}/requests/", {"recipient": bo.pk})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "duplicate"


def test_api_request_accept_by_sender_is_forbidden(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    response = post(client_for(user_of(ana)), f"{API}/requests/{request.pk}/accept/")
    assert response.status_code == 403


def test_api_request_withdraw_and_decline(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    first = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    assert post(client_for(user_of(ana)), f"{API}/requests/{first.pk}/withdraw/").json()[
        "status"
    ] == ("withdrawn")
    second = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    assert post(client_for(user_of(bo)), f"{API}/requests/{second.pk}/decline/").json()[
        "status"
    ] == ("declined")


@pytest.fixture
def scheduled(mw: MatchWorld, pair: Any) -> Meeting:
    mw.add_slots(2)
    mw.add_tables(1)
    request = services.request_send(sender=pair[0], recipient=pair[1], actor=user_of(pair[0]))
    meeting = services.request_accept(request=request, actor=user_of(pair[1]))
    plan = services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    services.schedule_publish(plan=plan, actor=mw.organiser, now=LATER)
    meeting.refresh_from_db()
    return meeting


def test_api_agenda(mw: MatchWorld, scheduled: Meeting) -> None:
    response = client_for(user_of(scheduled.a)).get(f"{API}/agenda/?fair={mw.fair.slug}")
    assert response.status_code == 200
    assert [(m["id"], m["table"], m["b_name"]) for m in response.json()] == [
        (scheduled.pk, "T01", "Bo")
    ]
    assert response.json()[0]["starts_at"] == "2021-05-20T09:00:00+08:00"


def test_api_meeting_cancel(mw: MatchWorld, scheduled: Meeting) -> None:
    response = post(client_for(user_of(scheduled.b)), f"{API}/meetings/{scheduled.pk}/cancel/")
    assert (response.status_code, response.json()["status"]) == (200, MeetingStatus.CANCELLED)


def test_api_meeting_invisible_to_outsider(mw: MatchWorld, scheduled: Meeting) -> None:
    outsider = mw.person("zed")
    response = post(client_for(user_of(outsider)), f"{API}/meetings/{scheduled.pk}/cancel/")
    assert response.status_code == 404


def test_api_meeting_outcome(mw: MatchWorld, scheduled: Meeting) -> None:
    response = post(
        client_for(user_of(scheduled.a)),
        f"{API}/meetings/{scheduled.pk}/outcome/",
        {"outcome": "follow_up", "note": "寄样品"},
    )
    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["outcome_note"]) == ("follow_up", "寄样品")


def test_api_meeting_check_in_too_early(
    mw: MatchWorld, scheduled: Meeting, time_machine: Any
) -> None:
    time_machine.move_to(at(19, 12))
    response = post(client_for(user_of(scheduled.a)), f"{API}/meetings/{scheduled.pk}/check-in/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_early"


# Query counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "profiles/",
        "requests/",
        "meetings/",
        "agenda/?fair=match-fair",
        "recommendations/?fair=match-fair",
    ],
)
def test_api_lists_query_count(mw: MatchWorld, path: str) -> None:
    me = mw.person("me", seeks=["capital"], seeks_text="基金")
    client = client_for(user_of(me))
    counts = []
    for n, start in ((1, 0), (3, 10)):
        for i in range(n):
            other = mw.person(f"p{start + i}", offers=["capital"], offers_text="基金")
            request = services.request_send(sender=other, recipient=me, actor=user_of(other))
            if not path.startswith("recommendations"):
                services.request_accept(request=request, actor=user_of(me))
            else:
                services.request_withdraw(request=request, actor=user_of(other))
        client.get(f"{API}/{path}")  # warm the word cache
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{API}/{path}")
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# Schedule preview and publish -----------------------------------------------------------------


def test_api_plan_preview_then_publish(mw: MatchWorld, pair: Any) -> None:
    mw.add_slots(2)
    mw.add_tables(1)
    request = services.request_send(sender=pair[0], recipient=pair[1], actor=user_of(pair[0]))
    services.request_accept(request=request, actor=user_of(pair[1]))
    client = client_for(mw.organiser)
    preview = post(client, f"{API}/plans/preview/", {"fair": mw.fair.slug})
    assert preview.status_code == 201, preview.json()
    plan = preview.json()
    assert (plan["status"], plan["placed"], plan["upper_bound"]) == ("preview", 1, 1)
    published = post(client, f"{API}/plans/{plan['id']}/publish/")
    assert published.status_code == 200, published.json()
    assert published.json()["plan"]["status"] == "published"
    assert published.json()["applied"] == {"placed": 1, "moved": 0, "unplaced": 0, "notified": 2}
    assert Meeting.objects.get().status == MeetingStatus.PUBLISHED
    listed = client.get(f"{API}/plans/?fair={mw.fair.slug}&status=published")
    assert [p["id"] for p in listed.json()["results"]] == [plan["id"]]


def test_api_plan_publish_twice_is_a_conflict(mw: MatchWorld, pair: Any) -> None:
    mw.add_slots(1)
    mw.add_tables(1)
    client = client_for(mw.organiser)
    plan = post(client, f"{API}/plans/preview/", {"fair": mw.fair.slug}).json()
    assert post(client, f"{API}/plans/{plan['id']}/publish/").status_code == 200
    again = post(client, f"{API}/plans/{plan['id']}/publish/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "not_preview")


def test_api_plan_preview_without_slots_is_refused(mw: MatchWorld, pair: Any) -> None:
    response = post(client_for(mw.organiser), f"{API}/plans/preview/", {"fair": mw.fair.slug})
    assert (response.status_code, response.json()["error"]["code"]) == (
        400,
        "no_slots_or_tables",
    )


def test_api_plan_preview_by_participant_is_forbidden(mw: MatchWorld, pair: Any) -> None:
    mw.add_slots(1)
    mw.add_tables(1)
    response = post(client_for(user_of(pair[0])), f"{API}/plans/preview/", {"fair": mw.fair.slug})
    assert response.status_code == 403
    assert not SchedulePlan.objects.exists()


def test_api_plan_publish_by_participant_is_not_found(mw: MatchWorld, pair: Any) -> None:
    mw.add_slots(1)
    mw.add_tables(1)
    plan = services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    response = post(client_for(user_of(pair[0])), f"{API}/plans/{plan.pk}/publish/")
    assert response.status_code == 404
    plan.refresh_from_db()
    assert plan.status == "preview"


def test_api_plan_publish_by_analyst_is_forbidden(mw: MatchWorld, pair: Any) -> None:
    from tests.conftest import make_user
    from xiqia.accounts.models import Role

    mw.add_slots(1)
    mw.add_tables(1)
    plan = services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    analyst = make_user("analyst", Role.ANALYST)
    client = client_for(analyst)
    assert client.get(f"{API}/plans/{plan.pk}/").status_code == 200
    response = post(client, f"{API}/plans/{plan.pk}/publish/")
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == "preview"
