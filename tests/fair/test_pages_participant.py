"""The fair's participant pages: register, my registration (cancel, give up a seat), badge."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
import segno
from django.test import Client

from tests.conftest import make_org, make_user
from tests.fair.conftest import FairWorld, make_event, make_fair
from xiqia.accounts import services as account_services
from xiqia.accounts.models import Role
from xiqia.fair import services
from xiqia.fair.models import Event, EventRegistration, Registration


def client_for(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def seat_statuses(event: Event) -> list[tuple[str, str]]:
    return list(
        event.seats.order_by("created_at", "pk").values_list(
            "registration__person__username", "status"
        )
    )


# Registration ----------------------------------------------------------------------------------


def test_register_requires_sign_in(fair_world: FairWorld) -> None:
    response = client_for().get("/fairs/test-fair/register/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/fairs/test-fair/register/")


def test_register_form_offers_events_with_seats_and_waitlist(fair_world: FairWorld) -> None:
    fair_world.register("a", fair_world.race)
    fair_world.register("b", fair_world.race)

    response = client_for(make_user("li")).get("/fairs/test-fair/register/")
    html = response.content.decode()

    assert response.status_code == 200
    assert re.findall(r'data-event-choice="([^"]+)"', html) == [
        "开放型经济论坛",
        "金卡纳技巧绕桩赛",
    ]
    assert 'data-seats-left="0"' in html
    assert 'value="vip"' not in html and 'value="staff"' not in html


def test_register_creates_one_registration_and_chosen_seats(fair_world: FairWorld) -> None:
    person = make_user("li")

    response = client_for(person).post(
        "/fairs/test-fair/register/",
        {
            "category": "investor",
            "organisation_name": "成都测试企业",
            "job_title": "总经理",
            "note": "需要翻译",
            "events": [fair_world.race.pk],
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    registration = Registration.objects.get(person=person)
    assert response.redirect_chain == [("/fairs/test-fair/me/", 302)]
    assert (
        registration.status,
        registration.category,
        registration.organisation_name,
        registration.job_title,
        registration.note,
        registration.organisation,
    ) == ("pending", "investor", "成都测试企业", "总经理", "需要翻译", None)
    assert seat_statuses(fair_world.race) == [("li", "confirmed")]
    assert seat_statuses(fair_world.forum) == []
    assert [str(m) for m in response.context["messages"]] == [
        "Your registration was received and is pending the organisers' approval."
    ]


def test_register_without_approval_says_approved(db: Any) -> None:
    make_fair(requires_approval=False)
    person = make_user("li")

    response = client_for(person).post(
        "/fairs/test-fair/register/", {"category": "guest"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert Registration.objects.get(person=person).status == "approved"
    assert "You are registered and approved. Your badge is ready." in response.content.decode()


def test_register_member_links_their_organisation(fair_world: FairWorld) -> None:
    org = make_org("渝北测试企业", "500112")
    member = make_user("member", Role.ORG_MEMBER, organisation=org)

    client_for(member).post("/fairs/test-fair/register/", {"category": "exhibitor"})

    assert Registration.objects.get(person=member).organisation == org


def test_register_member_of_two_organisations_links_none(fair_world: FairWorld) -> None:
    member = make_user("member", Role.ORG_MEMBER, organisation=make_org("甲企业", "500112"))
    account_services.membership_grant(
        user=member, role=Role.ORG_MEMBER, organisation=make_org("乙企业", "500107")
    )

    client_for(member).post("/fairs/test-fair/register/", {"category": "guest"})

    assert Registration.objects.get(person=member).organisation is None


def test_register_twice_shows_already_registered_and_saves_nothing(
    fair_world: FairWorld,
) -> None:
    registration = fair_world.register("li", fair_world.forum, approve=False)

    response = client_for(registration.person).post(
        "/fairs/test-fair/register/",
        {"category": "media", "events": [fair_world.race.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "You are already registered for this fair." in html
    registration.refresh_from_db()
    assert (Registration.objects.count(), registration.category) == (1, "guest")
    assert seat_statuses(fair_world.race) == []


def test_register_page_when_registered_redirects_to_my_registration(
    fair_world: FairWorld,
) -> None:
    registration = fair_world.register("li", approve=False)

    response = client_for(registration.person).get("/fairs/test-fair/register/")

    assert (response.status_code, response["Location"]) == (302, "/fairs/test-fair/me/")


def test_register_when_closed_shows_error_and_saves_nothing(db: Any) -> None:
    make_fair(registration_closes_at=datetime.datetime(2021, 5, 1, tzinfo=datetime.UTC))
    person = make_user("li")
    client = client_for(person)

    page = client.get("/fairs/test-fair/register/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(
        "/fairs/test-fair/register/", {"category": "guest"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()

    assert "data-registration-closed" in page and "data-registration-form" not in page
    assert response.status_code == 200
    assert "data-form-errors" in html
    assert "Registration for this fair is not open." in html
    assert not Registration.objects.exists()


def test_register_event_of_another_fair_is_refused(fair_world: FairWorld) -> None:
    other = make_event(make_fair(slug="other"), "别的会")
    person = make_user("li")

    response = client_for(person).post(
        "/fairs/test-fair/register/", {"category": "guest", "events": [other.pk]}
    )

    assert response.status_code == 200
    assert 'data-error-for="events"' in response.content.decode()
    assert not Registration.objects.exists()


# My registration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "explanation"),
    [
        ("pending", "will review it"),
        ("approved", "Your e-badge is ready"),
        ("rejected", "declined your registration"),
        ("cancelled", "You cancelled this registration"),
    ],
)
def test_my_registration_explains_each_status(
    fair_world: FairWorld, decision: str, explanation: str
) -> None:
    registration = fair_world.register("li", approve=decision == "approved")
    if decision == "rejected":
        services.registration_reject(
            registration=registration, actor=fair_world.organiser, reason="资料不全"
        )
    elif decision == "cancelled":
        services.registration_cancel(registration=registration, actor=registration.person)

    response = client_for(registration.person).get(
        "/fairs/test-fair/me/", HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert f'data-status="{decision}"' in html
    assert explanation in html
    assert ('data-action="badge"' in html) is (decision == "approved")
    assert ('data-action="cancel-registration"' in html) is (decision in {"pending", "approved"})


def test_my_registration_lists_confirmed_and_waitlisted_seats(fair_world: FairWorld) -> None:
    fair_world.register("a", fair_world.race)
    fair_world.register("b", fair_world.race)
    mine = fair_world.register("c", fair_world.forum, fair_world.race, approve=False)

    html = client_for(mine.person).get("/fairs/test-fair/me/").content.decode()

    assert re.findall(r'data-seat-status="(\w+)"', html) == ["confirmed", "waitlisted"]
    assert html.count('data-action="give-up-seat"') == 2


def test_my_registration_when_not_registered_offers_register(fair_world: FairWorld) -> None:
    html = client_for(make_user("li")).get("/fairs/test-fair/me/").content.decode()

    assert "data-not-registered" in html and 'data-action="register"' in html


def test_registration_cancel_releases_seats_and_promotes_waitlist(fair_world: FairWorld) -> None:
    first = fair_world.register("a", fair_world.race)
    fair_world.register("b", fair_world.race)
    fair_world.register("c", fair_world.race)

    response = client_for(first.person).post("/fairs/test-fair/me/cancel/")

    assert (response.status_code, response["Location"]) == (302, "/fairs/test-fair/me/")
    first.refresh_from_db()
    assert (first.status, first.badge.status) == ("cancelled", "revoked")
    assert seat_statuses(fair_world.race) == [
        ("a", "cancelled"),
        ("b", "confirmed"),
        ("c", "confirmed"),
    ]


def test_registration_cancel_twice_shows_error(fair_world: FairWorld) -> None:
    registration = fair_world.register("a")
    client = client_for(registration.person)
    client.post("/fairs/test-fair/me/cancel/")

    response = client.post("/fairs/test-fair/me/cancel/", follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert "This registration is already closed." in response.content.decode()


def test_registration_cancel_needs_post(fair_world: FairWorld) -> None:
    registration = fair_world.register("a")

    response = client_for(registration.person).get("/fairs/test-fair/me/cancel/")

    assert response.status_code == 405
    registration.refresh_from_db()
    assert registration.status == "approved"


def test_seat_cancel_gives_seat_to_first_waiting(fair_world: FairWorld) -> None:
    first = fair_world.register("a", fair_world.race)
    fair_world.register("b", fair_world.race)
    fair_world.register("c", fair_world.race)
    seat = EventRegistration.objects.get(registration=first)

    response = client_for(first.person).post(
        f"/fairs/test-fair/me/seats/{seat.pk}/cancel/", follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "You gave up your seat at “金卡纳技巧绕桩赛”." in response.content.decode()
    assert seat_statuses(fair_world.race) == [
        ("a", "cancelled"),
        ("b", "confirmed"),
        ("c", "confirmed"),
    ]
    first.refresh_from_db()
    assert first.status == "approved"


def test_seat_cancel_of_someone_elses_seat_is_404(fair_world: FairWorld) -> None:
    other = fair_world.register("a", fair_world.race)
    seat = EventRegistration.objects.get(registration=other)

    response = client_for(make_user("li")).post(f"/fairs/test-fair/me/seats/{seat.pk}/cancel/")

    assert response.status_code == 404
    assert seat_statuses(fair_world.race) == [("a", "confirmed")]


# Badge -----------------------------------------------------------------------------------------


def test_badge_page_shows_holder_and_qr_image(fair_world: FairWorld) -> None:
    registration = fair_world.register("li")

    response = client_for(registration.person).get("/fairs/test-fair/badge/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<title>Li · " in html
    assert "data-badge-name>Li</p>" in html
    assert 'data-badge-category="guest"' in html
    assert 'src="/fairs/test-fair/badge/qr.svg"' in html and "data-badge-qr" in html
    assert "data-print" in html and "/static/xiqia/js/print.js" in html


@pytest.mark.parametrize("path", ["/fairs/test-fair/badge/", "/fairs/test-fair/badge/qr.svg"])
def test_badge_of_someone_else_is_404(fair_world: FairWorld, path: str) -> None:
    fair_world.register("li")

    response = client_for(make_user("wang")).get(path)

    assert response.status_code == 404
    assert "Li" not in response.content.decode().split("<main", 1)[-1]


@pytest.mark.parametrize("state", ["pending", "revoked", "cancelled"])
def test_badge_without_active_badge_is_404(fair_world: FairWorld, state: str) -> None:
    registration = fair_world.register("li", approve=state != "pending")
    if state == "revoked":
        services.badge_revoke(badge=registration.badge, actor=fair_world.organiser, reason="遗失")
    elif state == "cancelled":
        services.registration_cancel(registration=registration, actor=registration.person)

    assert client_for(registration.person).get("/fairs/test-fair/badge/").status_code == 404


def test_badge_qr_is_svg_of_the_signed_token(fair_world: FairWorld) -> None:
    registration = fair_world.register("li")
    token = services.badge_token(registration.badge)

    response = client_for(registration.person).get("/fairs/test-fair/badge/qr.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, no-store"
    expected = io.BytesIO()
    segno.make(token, error="m", micro=False).save(
        expected, kind="svg", scale=4, border=4, xmldecl=False, svgclass="badge-qr-code"
    )
    assert response.content == expected.getvalue()
    assert response.content.startswith(b"<svg")
