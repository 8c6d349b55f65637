"""Profiles, hiding and meeting requests: every rule and refusal."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import make_user
from tests.fair.conftest import make_fair
from tests.matchmaking.conftest import MatchWorld, at, user_of
from xiqia.accounts.models import Role
from xiqia.core.errors import Conflict, DomainError
from xiqia.fair import services as fair_services
from xiqia.matchmaking import services
from xiqia.matchmaking.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    NoticeKind,
    Notification,
    Profile,
    RequestStatus,
)


def notices(profile: Profile) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user_of(profile))
        .order_by("pk")
        .values_list("kind", flat=True)
    )


# Profiles ---------------------------------------------------------------------------------------


def test_profile_update_creates_then_changes(mw: MatchWorld) -> None:
    profile = mw.person("ana", offers=["capital"], seeks=["projects"], languages=["zh", "en"])
    again = services.profile_update(
        registration=profile.registration,
        actor=user_of(profile),
        offers=["capital", "capital", "technology"],
        seeks_text="智能终端 项目",
        windows=[(at(20, 9), at(20, 12))],
    )
    assert again.pk == profile.pk
    assert again.offers == ["capital", "technology"]
    assert again.seeks == []
    assert again.seeks_text == "智能终端 项目"
    assert [(w.starts_at, w.ends_at) for w in again.windows.all()] == [(at(20, 9), at(20, 12))]
    assert Profile.objects.count() == 1


def test_profile_update_refuses_unknown_tag(mw: MatchWorld) -> None:
    with pytest.raises(ValidationError) as caught:
        mw.person("ana", offers=["gold"])
    assert list(caught.value.error_dict) == ["offers"]
    assert Profile.objects.count() == 0


def test_profile_update_refuses_window_outside_fair(mw: MatchWorld) -> None:
    profile = mw.person("ana")
    with pytest.raises(ValidationError):
        services.profile_update(
            registration=profile.registration,
            actor=user_of(profile),
            offers=["capital"],
            windows=[(at(19, 9), at(20, 12))],
        )
    profile.refresh_from_db()
    assert profile.offers == []
    assert profile.windows.count() == 0


def test_profile_update_refuses_pending_registration(mw: MatchWorld) -> None:
    user = make_user("waiting")
    registration = fair_services.registration_create(fair=mw.fair, person=user, actor=user)
    with pytest.raises(DomainError) as caught:
        services.profile_update(registration=registration, actor=user)
    assert caught.value.code == "not_participating"


def test_profile_update_refuses_someone_else(mw: MatchWorld) -> None:
    profile = mw.person("ana")
    other = make_user("mallory", Role.PARTICIPANT)
    with pytest.raises(PermissionDenied):
        services.profile_update(registration=profile.registration, actor=other)


def test_profile_update_by_organiser_is_allowed(mw: MatchWorld) -> None:
    profile = mw.person("ana")
    services.profile_update(registration=profile.registration, actor=mw.organiser, role="investor")
    profile.refresh_from_db()
    assert profile.role == "investor"


# Requests ---------------------------------------------------------------------------------------


@pytest.fixture
def pair(mw: MatchWorld) -> tuple[Profile, Profile]:
    return mw.person("ana"), mw.person("bo")


def test_request_send_notifies_recipient(pair: Any) -> None:
    ana, bo = pair
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana), message=" hi ")
    assert (request.status, request.message) == (RequestStatus.PENDING, "hi")
    assert notices(bo) == [NoticeKind.REQUEST_RECEIVED]
    notice = Notification.objects.get(recipient=user_of(bo))
    assert notice.text == "Ana asks to meet you."


def test_request_send_refuses_self(pair: Any) -> None:
    ana, _bo = pair
    with pytest.raises(DomainError) as caught:
        services.request_send(sender=ana, recipient=ana, actor=user_of(ana))
    assert caught.value.code == "self_request"


def test_request_send_refuses_someone_elses_name(pair: Any) -> None:
    ana, bo = pair
    with pytest.raises(PermissionDenied):
        services.request_send(sender=ana, recipient=bo, actor=user_of(bo))
    assert MeetingRequest.objects.count() == 0


def test_request_send_refuses_duplicate_open_request(pair: Any) -> None:
    ana, bo = pair
    services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    with pytest.raises(Conflict) as caught:
        services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    assert caught.value.code == "duplicate"
    assert MeetingRequest.objects.count() == 1


def test_request_send_refuses_when_reverse_request_is_open(pair: Any) -> None:
    ana, bo = pair
    services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    with pytest.raises(Conflict) as caught:
        services.request_send(sender=bo, recipient=ana, actor=user_of(bo))
    assert caught.value.code == "reverse_pending"


def test_request_send_allows_again_after_decline(pair: Any) -> None:
    ana, bo = pair
    first = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    services.request_decline(request=first, actor=user_of(bo))
    second = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    assert second.status == RequestStatus.PENDING


def test_request_send_refuses_when_already_meeting(pair: Any) -> None:
    ana, bo = pair
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    services.request_accept(request=request, actor=user_of(bo))
    with pytest.raises(Conflict) as caught:
        services.request_send(sender=bo, recipient=ana, actor=user_of(bo))
    assert caught.value.code == "already_met"


def test_request_send_refuses_someone_who_hid_you(pair: Any) -> None:
    ana, bo = pair
    services.hide(profile=bo, hidden=ana, actor=user_of(bo))
    with pytest.raises(DomainError) as caught:
        services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    assert caught.value.code == "not_available"
    assert notices(bo) == []


def test_request_send_allowed_after_unhide(pair: Any) -> None:
    ana, bo = pair
    services.hide(profile=bo, hidden=ana, actor=user_of(bo))
    services.unhide(profile=bo, hidden=ana, actor=user_of(bo))
    assert services.request_send(sender=ana, recipient=bo, actor=user_of(ana)).pk


def test_request_send_refuses_invisible_profile(mw: MatchWorld) -> None:
    ana, bo = mw.person("ana"), mw.person("bo", is_visible=False)
    with pytest.raises(DomainError) as caught:
        services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    assert caught.value.code == "not_visible"


def test_request_send_refuses_other_fair(mw: MatchWorld) -> None:
    ana = mw.person("ana")
    other = MatchWorld(fair=make_fair(slug="other"), organiser=mw.organiser)
    bo = other.person("bo")
    with pytest.raises(DomainError) as caught:
        services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    assert caught.value.code == "other_fair"


def test_request_send_refuses_over_open_request_limit(mw: MatchWorld) -> None:
    services.settings_update(fair=mw.fair, actor=mw.organiser, max_open_requests=2, max_meetings=5)
    ana = mw.person("ana")
    others = [mw.person(name) for name in ("bo", "cy", "di")]
    for other in others[:2]:
        services.request_send(sender=ana, recipient=other, actor=user_of(ana))
    with pytest.raises(DomainError) as caught:
        services.request_send(sender=ana, recipient=others[2], actor=user_of(ana))
    assert caught.value.code == "open_request_limit"
    assert str(caught.value.message).startswith("You have 2 open requests")


def test_request_send_limit_frees_after_withdraw(mw: MatchWorld) -> None:
    services.settings_update(fair=mw.fair, actor=mw.organiser, max_open_requests=1, max_meetings=5)
    ana, bo, cy = mw.person("ana"), mw.person("bo"), mw.person("cy")
    first = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    services.request_withdraw(request=first, actor=user_of(ana))
    assert services.request_send(sender=ana, recipient=cy, actor=user_of(ana)).pk


def test_request_accept_creates_draft_meeting(pair: Any) -> None:
    ana, bo = pair
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    meeting = services.request_accept(request=request, actor=user_of(bo))
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    assert (meeting.a, meeting.b, meeting.status) == (ana, bo, MeetingStatus.DRAFT)
    assert meeting.priority == 1.0
    assert notices(ana) == [NoticeKind.REQUEST_ACCEPTED]


def test_request_accept_refuses_sender(pair: Any) -> None:
    ana, bo = pair
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    with pytest.raises(PermissionDenied):
        services.request_accept(request=request, actor=user_of(ana))
    assert Meeting.objects.count() == 0


def test_request_accept_refuses_twice(pair: Any) -> None:
    ana, bo = pair
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    services.request_accept(request=request, actor=user_of(bo))
    with pytest.raises(Conflict) as caught:
        services.request_accept(request=request, actor=user_of(bo))
    assert caught.value.code == "not_pending"
    assert Meeting.objects.count() == 1


def test_request_accept_refuses_over_own_meeting_limit(mw: MatchWorld) -> None:
    services.settings_update(fair=mw.fair, actor=mw.organiser, max_open_requests=5, max_meetings=1)
    ana, bo, cy = mw.person("ana"), mw.person("bo"), mw.person("cy")
    first = services.request_send(sender=bo, recipient=ana, actor=user_of(bo))
    second = services.request_send(sender=cy, recipient=ana, actor=user_of(cy))
    services.request_accept(request=first, actor=user_of(ana))
    with pytest.raises(DomainError) as caught:
        services.request_accept(request=second, actor=user_of(ana))
    assert caught.value.code == "meeting_limit"
    assert str(caught.value.message) == "You already have the most meetings allowed (1)."
    second.refresh_from_db()
    assert second.status == RequestStatus.PENDING


def test_request_accept_refuses_when_sender_is_full(mw: MatchWorld) -> None:
    services.settings_update(fair=mw.fair, actor=mw.organiser, max_open_requests=5, max_meetings=1)
    ana, bo, cy = mw.person("ana"), mw.person("bo"), mw.person("cy")
    to_bo = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    to_cy = services.request_send(sender=ana, recipient=cy, actor=user_of(ana))
    services.request_accept(request=to_bo, actor=user_of(bo))
    with pytest.raises(DomainError) as caught:
        services.request_accept(request=to_cy, actor=user_of(cy))
    assert str(caught.value.message) == "Ana already has the most meetings allowed (1)."


def test_request_send_refuses_when_own_meetings_full(mw: MatchWorld) -> None:
    services.settings_update(fair=mw.fair, actor=mw.organiser, max_open_requests=5, max_meetings=1)
    ana, bo, cy = mw.person("ana"), mw.person("bo"), mw.person("cy")
    services.request_accept(
        request=services.request_send(sender=ana, recipient=bo, actor=user_of(ana)),
        actor=user_of(bo),
    )
    with pytest.raises(DomainError) as caught:
        services.request_send(sender=ana, recipient=cy, actor=user_of(ana))
    assert caught.value.code == "meeting_limit"


def test_request_decline_notifies_sender(pair: Any) -> None:
    ana, bo = pair
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    services.request_decline(request=request, actor=user_of(bo))
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED
    assert request.decided_at is not None
    assert notices(ana) == [NoticeKind.REQUEST_DECLINED]


def test_request_decline_refuses_sender(pair: Any) -> None:
    ana, bo = pair
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    with pytest.raises(PermissionDenied):
        services.request_decline(request=request, actor=user_of(ana))


def test_request_withdraw_refuses_recipient(pair: Any) -> None:
    ana, bo = pair
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    with pytest.raises(PermissionDenied):
        services.request_withdraw(request=request, actor=user_of(bo))


def test_request_withdraw_refuses_answered_request(pair: Any) -> None:
    ana, bo = pair
    request = services.request_send(sender=ana, recipient=bo, actor=user_of(ana))
    services.request_decline(request=request, actor=user_of(bo))
    with pytest.raises(Conflict):
        services.request_withdraw(request=request, actor=user_of(ana))


def test_hide_refuses_self(pair: Any) -> None:
    ana, _bo = pair
    with pytest.raises(DomainError):
        services.hide(profile=ana, hidden=ana, actor=user_of(ana))


def test_settings_update_refuses_participant(mw: MatchWorld, pair: Any) -> None:
    ana, _bo = pair
    with pytest.raises(PermissionDenied):
        services.settings_update(
            fair=mw.fair, actor=user_of(ana), max_open_requests=99, max_meetings=99
        )
