"""Organisers propose meetings: both sides accept (default) or the meeting is made at once.

Services, the organiser's page and the API; per-person meeting limits hold throughout.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.matchmaking.conftest import MatchWorld, user_of
from xiqia.core.errors import Conflict, DomainError
from xiqia.matchmaking import services
from xiqia.matchmaking.models import (
    Meeting,
    MeetingRequest,
    NoticeKind,
    Notification,
    Profile,
    ProposalPolicy,
    RequestStatus,
)


def notices(profile: Profile) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user_of(profile))
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def accepted_at_once(mw: MatchWorld, *, max_meetings: int = 12) -> None:
    services.settings_update(
        fair=mw.fair,
        actor=mw.organiser,
        max_open_requests=20,
        max_meetings=max_meetings,
        organiser_proposals=ProposalPolicy.ACCEPTED,
    )


@pytest.fixture
def pair(mw: MatchWorld) -> tuple[Profile, Profile]:
    return mw.person("ana"), mw.person("bo")


# Services --------------------------------------------------------------------------------------


def test_organiser_propose_asks_both_sides(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    proposal = services.organiser_propose(sender=ana, recipient=bo, actor=mw.organiser)
    assert (proposal.status, proposal.proposed_by_organiser) == (RequestStatus.PENDING, True)
    assert notices(ana) == [NoticeKind.PROPOSED]
    assert notices(bo) == [NoticeKind.PROPOSED]
    assert not Meeting.objects.exists()


def test_proposal_becomes_meeting_when_both_accept(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    proposal = services.organiser_propose(sender=ana, recipient=bo, actor=mw.organiser)
    assert services.request_accept(request=proposal, actor=user_of(bo)) is None
    assert notices(ana) == [NoticeKind.PROPOSED, NoticeKind.PROPOSAL_AGREED]
    meeting = services.request_accept(request=proposal, actor=user_of(ana))
    assert meeting is not None
    assert (meeting.a, meeting.b, meeting.priority) == (ana, bo, services.ORGANISER_PRIORITY)
    proposal.refresh_from_db()
    assert proposal.status == RequestStatus.ACCEPTED
    assert notices(bo) == [NoticeKind.PROPOSED, NoticeKind.REQUEST_ACCEPTED]


def test_proposal_accept_twice_by_one_side_is_refused(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    proposal = services.organiser_propose(sender=ana, recipient=bo, actor=mw.organiser)
    services.request_accept(request=proposal, actor=user_of(ana))
    with pytest.raises(Conflict):
        services.request_accept(request=proposal, actor=user_of(ana))
    assert not Meeting.objects.exists()


def test_proposal_accept_by_outsider_is_refused(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    outsider = mw.person("zed")
    proposal = services.organiser_propose(sender=ana, recipient=bo, actor=mw.organiser)
    with pytest.raises(PermissionDenied):
        services.request_accept(request=proposal, actor=user_of(outsider))


def test_proposal_declined_by_either_side(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    proposal = services.organiser_propose(sender=ana, recipient=bo, actor=mw.organiser)
    services.request_accept(request=proposal, actor=user_of(bo))
    services.request_decline(request=proposal, actor=user_of(ana))
    proposal.refresh_from_db()
    assert proposal.status == RequestStatus.DECLINED
    assert notices(bo)[-1] == NoticeKind.REQUEST_DECLINED
    assert not Meeting.objects.exists()


def test_proposal_withdraw_by_organiser_not_by_participant(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    proposal = services.organiser_propose(sender=ana, recipient=bo, actor=mw.organiser)
    with pytest.raises(PermissionDenied):
        services.request_withdraw(request=proposal, actor=user_of(ana))
    services.request_withdraw(request=proposal, actor=mw.organiser)
    proposal.refresh_from_db()
    assert proposal.status == RequestStatus.WITHDRAWN


def test_organiser_propose_refuses_participant(pair: Any) -> None:
    ana, bo = pair
    with pytest.raises(PermissionDenied):
        services.organiser_propose(sender=ana, recipient=bo, actor=user_of(ana))


def test_organiser_propose_does_not_count_against_open_limit(mw: MatchWorld) -> None:
    services.settings_update(fair=mw.fair, actor=mw.organiser, max_open_requests=1, max_meetings=5)
    ana, bo, cy = mw.person("ana"), mw.person("bo"), mw.person("cy")
    services.organiser_propose(sender=ana, recipient=bo, actor=mw.organiser)
    assert services.request_send(sender=ana, recipient=cy, actor=user_of(ana)).pk


def test_organiser_propose_refuses_person_at_meeting_limit(mw: MatchWorld) -> None:
    services.settings_update(fair=mw.fair, actor=mw.organiser, max_open_requests=5, max_meetings=1)
    ana, bo, cy = mw.person("ana"), mw.person("bo"), mw.person("cy")
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    services.request_accept(request=request, actor=user_of(bo))
    with pytest.raises(DomainError) as refused:
        services.organiser_propose(sender=cy, recipient=ana, actor=mw.organiser)
    assert refused.value.code == "meeting_limit"
    assert not MeetingRequest.objects.filter(proposed_by_organiser=True).exists()


def test_proposal_second_accept_refused_when_first_side_filled_up(mw: MatchWorld) -> None:
    services.settings_update(fair=mw.fair, actor=mw.organiser, max_open_requests=5, max_meetings=1)
    ana, bo, cy = mw.person("ana"), mw.person("bo"), mw.person("cy")
    proposal = services.organiser_propose(sender=ana, recipient=bo, actor=mw.organiser)
    services.request_accept(request=proposal, actor=user_of(ana))
    # Ana meets Cy meanwhile, reaching her limit of one meeting.
    other = services.request_send(sender=cy, recipient=ana, actor=user_of(cy))
    services.request_accept(request=other, actor=user_of(ana))
    with pytest.raises(DomainError) as refused:
        services.request_accept(request=proposal, actor=user_of(bo))
    assert refused.value.code == "meeting_limit"
    proposal.refresh_from_db()
    assert (proposal.status, proposal.recipient_agreed_at) == (RequestStatus.PENDING, None)


def test_organiser_propose_accepted_at_once_under_that_policy(mw: MatchWorld, pair: Any) -> None:
    accepted_at_once(mw)
    ana, bo = pair
    proposal = services.organiser_propose(sender=ana, recipient=bo, actor=mw.organiser)
    assert proposal.status == RequestStatus.ACCEPTED
    meeting = Meeting.objects.get(request=proposal)
    assert (meeting.a, meeting.b, meeting.priority) == (ana, bo, services.ORGANISER_PRIORITY)
    assert notices(ana) == [NoticeKind.ARRANGED]
    assert notices(bo) == [NoticeKind.ARRANGED]


def test_organiser_propose_accepted_at_once_respects_limit(mw: MatchWorld) -> None:
    accepted_at_once(mw, max_meetings=1)
    ana, bo, cy = mw.person("ana"), mw.person("bo"), mw.person("cy")
    services.organiser_propose(sender=ana, recipient=bo, actor=mw.organiser)
    with pytest.raises(DomainError) as refused:
        services.organiser_propose(sender=bo, recipient=cy, actor=mw.organiser)
    assert refused.value.code == "meeting_limit"
    assert Meeting.objects.count() == 1


# Pages -----------------------------------------------------------------------------------------


def test_proposals_page_proposes_and_lists(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    client = client_for(mw.organiser)
    address = reverse("matchmaking:proposals", args=[mw.fair.slug])
    response = client.post(
        address,
        {
            "action": "propose",
            "propose-sender": ana.pk,
            "propose-recipient": bo.pk,
            "propose-message": "同在汽车产业链",
        },
    )
    assert response.status_code == 302
    proposal = MeetingRequest.objects.get(proposed_by_organiser=True)
    assert (proposal.sender, proposal.recipient, proposal.message) == (ana, bo, "同在汽车产业链")
    page = client.get(address).content.decode()
    assert f'data-request="{proposal.pk}" data-status="pending"' in page


def test_proposals_page_policy_then_arranged(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    client = client_for(mw.organiser)
    address = reverse("matchmaking:proposals", args=[mw.fair.slug])
    client.post(address, {"action": "policy", "policy-organiser_proposals": "accepted"})
    assert services.settings_for(mw.fair).organiser_proposals == ProposalPolicy.ACCEPTED
    client.post(
        address, {"action": "propose", "propose-sender": ana.pk, "propose-recipient": bo.pk}
    )
    assert Meeting.objects.get().request.proposed_by_organiser is True


def test_proposals_page_shows_refusal_and_writes_nothing(mw: MatchWorld, pair: Any) -> None:
    ana, _bo = pair
    client = client_for(mw.organiser)
    address = reverse("matchmaking:proposals", args=[mw.fair.slug])
    response = client.post(
        address, {"action": "propose", "propose-sender": ana.pk, "propose-recipient": ana.pk}
    )
    assert "You cannot ask to meet yourself." in response.content.decode()
    assert not MeetingRequest.objects.exists()


def test_proposals_page_refuses_participant(mw: MatchWorld, pair: Any) -> None:
    response = client_for(user_of(pair[0])).get(
        reverse("matchmaking:proposals", args=[mw.fair.slug])
    )
    assert response.status_code == 403


def test_requests_page_both_sides_accept_a_proposal(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    proposal = services.organiser_propose(sender=ana, recipient=bo, actor=mw.organiser)
    accept = reverse("matchmaking:request-answer", args=[mw.fair.slug, proposal.pk, "accept"])
    ana_client = client_for(user_of(ana))
    page = ana_client.get(reverse("matchmaking:requests", args=[mw.fair.slug])).content.decode()
    assert accept in page  # the first side sees an accept button on its proposal too
    ana_client.post(accept)
    page = ana_client.get(reverse("matchmaking:requests", args=[mw.fair.slug])).content.decode()
    assert "data-waiting" in page
    client_for(user_of(bo)).post(accept)
    assert Meeting.objects.get().request == proposal


def test_proposals_page_query_count(mw: MatchWorld) -> None:
    client = client_for(mw.organiser)
    address = reverse("matchmaking:proposals", args=[mw.fair.slug])
    counts = []
    for n, start in ((1, 0), (3, 10)):
        for i in range(n):
            services.organiser_propose(
                sender=mw.person(f"a{start + i}"),
                recipient=mw.person(f"b{start + i}"),
                actor=mw.organiser,
            )
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(address)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# API -------------------------------------------------------------------------------------------


def propose(client: Client, body: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/matchmaking/requests/propose/",
        data=json.dumps(body),
        content_type="application/json",
    )


def test_api_propose_by_organiser(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    response = propose(client_for(mw.organiser), {"sender": ana.pk, "recipient": bo.pk})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["proposed_by_organiser"], body["status"]) == (True, "pending")
    assert (body["sender_agreed_at"], body["recipient_agreed_at"]) == (None, None)


def test_api_propose_by_participant_is_forbidden(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    response = propose(client_for(user_of(ana)), {"sender": ana.pk, "recipient": bo.pk})
    assert response.status_code == 403
    assert not MeetingRequest.objects.exists()


def test_api_propose_refusal_has_its_code(mw: MatchWorld, pair: Any) -> None:
    ana, _bo = pair
    response = propose(client_for(mw.organiser), {"sender": ana.pk, "recipient": ana.pk})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "self_request"


def test_api_proposal_accepted_by_both(mw: MatchWorld, pair: Any) -> None:
    ana, bo = pair
    proposal = services.organiser_propose(sender=ana, recipient=bo, actor=mw.organiser)
    path = f"/api/v1/matchmaking/requests/{proposal.pk}/accept/"
    first = client_for(user_of(ana)).post(path)
    assert (first.status_code, first.json()["status"]) == (200, "pending")
    second = client_for(user_of(bo)).post(path)
    assert (second.status_code, second.json()["status"]) == (200, "accepted")
