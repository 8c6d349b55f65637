"""Organiser pages: registrations, check-ins, live arrivals, gates and the gate scanner."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_user
from tests.fair.conftest import SHANGHAI, FairWorld, make_fair
from xiqia.accounts import services as account_services
from xiqia.accounts.models import Role
from xiqia.fair import services
from xiqia.fair.models import CheckIn, Gate, Registration

PAGES: dict[str, Callable[[FairWorld], str]] = {
    "registrations": lambda w: f"/fairs/{w.fair.slug}/registrations/",
    "registrations filtered": lambda w: f"/fairs/{w.fair.slug}/registrations/?status=pending&q=a",
    "check-ins": lambda w: f"/fairs/{w.fair.slug}/checkins/",
    "arrivals": lambda w: f"/fairs/{w.fair.slug}/arrivals/",
    "arrivals figures": lambda w: f"/fairs/{w.fair.slug}/arrivals/live/",
    "gates": lambda w: f"/fairs/{w.fair.slug}/gates/",
    "gate scanner": lambda w: f"/fairs/{w.fair.slug}/gates/{w.side_gate.pk}/scan/",
}


def at(hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(2021, 5, 20, hour, minute, tzinfo=SHANGHAI)


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def organiser(fair_world: FairWorld) -> Client:
    return client_for(fair_world.organiser)


# Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.FAIR_ORGANISER, 200),
        (Role.PLATFORM_ADMIN, 200),
        (Role.PARTICIPANT, 403),
        (Role.ANALYST, 403),
        (Role.DISTRICT_OFFICER, 403),
    ],
)
def test_page_access_by_role(fair_world: FairWorld, page: str, role: str, expected: int) -> None:
    if role == Role.FAIR_ORGANISER:
        user = fair_world.organiser
    elif role == Role.DISTRICT_OFFICER:
        from tests.conftest import region

        user = make_user("officer", role, region=region("500112"))
    else:
        user = make_user(f"user-{role}", role)

    response = client_for(user).get(PAGES[page](fair_world))

    assert response.status_code == expected


@pytest.mark.parametrize("page", list(PAGES))
def test_page_anonymous_is_sent_to_sign_in(fair_world: FairWorld, page: str) -> None:
    path = PAGES[page](fair_world)

    response = client_for().get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_arrivals_refresh_after_sign_out_leaves_for_sign_in(fair_world: FairWorld) -> None:
    page = f"/fairs/{fair_world.fair.slug}/arrivals/"

    response = client_for().get(
        f"{page}live/", headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"}
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=/fairs/test-fair/arrivals/"


@pytest.mark.parametrize(
    "action",
    ["registrations/approve/", "registrations/{pk}/approve/", "registrations/{pk}/reject/"],
)
def test_decisions_refused_to_participant_and_anonymous(fair_world: FairWorld, action: str) -> None:
    registration = fair_world.register("zhang", approve=False)
    path = f"/fairs/{fair_world.fair.slug}/" + action.format(pk=registration.pk)
    data = {"ids": [registration.pk], "reason": "no"}

    participant = client_for(make_user("participant", Role.PARTICIPANT)).post(path, data)
    anonymous = client_for().post(path, data)

    assert participant.status_code == 403
    assert (anonymous.status_code, anonymous["Location"][:16]) == (302, "/accounts/login/")
    assert Registration.objects.get(pk=registration.pk).status == "pending"


def test_organiser_links_show_on_every_page(fair_world: FairWorld, organiser: Client) -> None:
    for name, page in PAGES.items():
        if name == "arrivals figures":
            continue
        html = organiser.get(page(fair_world)).content.decode()

        assert html.count("data-organiser-link=") == 4, name


def test_unknown_fair_or_foreign_gate_is_not_found(
    fair_world: FairWorld, organiser: Client
) -> None:
    other = Gate.objects.create(fair=make_fair(slug="other"), code="Z", name_zh="别处")

    assert organiser.get("/fairs/nope/registrations/").status_code == 404
    assert organiser.get(f"/fairs/test-fair/gates/{other.pk}/scan/").status_code == 404


# Registrations -------------------------------------------------------------------------------


def test_registration_list_shows_people_with_masked_phone(
    fair_world: FairWorld, organiser: Client
) -> None:
    person = account_services.user_create(
        username="wang", password=None, full_name="王五", phone="13812345678"
    )
    services.registration_create(
        fair=fair_world.fair, person=person, events=[fair_world.forum], actor=person
    )

    html = organiser.get(f"/fairs/{fair_world.fair.slug}/registrations/").content.decode()

    assert "王五" in html and "开放型经济论坛" in html
    assert "138****5678" in html
    assert "13812345678" not in html


def test_registration_list_filters_by_status_and_search(
    fair_world: FairWorld, organiser: Client
) -> None:
    fair_world.register("alpha", approve=False)
    fair_world.register("beta")
    fair_world.register("gamma", approve=False)
    base = f"/fairs/{fair_world.fair.slug}/registrations/"

    pending = organiser.get(base, {"status": "pending"}).content.decode()
    searched = organiser.get(base, {"q": "gam"}).content.decode()

    assert set(re.findall(r'data-person="(\w+)"', pending)) == {"alpha", "gamma"}
    assert set(re.findall(r'data-person="(\w+)"', searched)) == {"gamma"}


def test_bulk_approve_approves_only_pending(fair_world: FairWorld, organiser: Client) -> None:
    first = fair_world.register("a", approve=False)
    second = fair_world.register("b", approve=False)
    approved = fair_world.register("c")
    rejected = fair_world.register("d", approve=False)
    services.registration_reject(registration=rejected, actor=fair_world.organiser, reason="x")
    elsewhere = services.registration_create(
        fair=make_fair(slug="other"), person=make_user("e"), actor=None
    )
    decided_at = approved.decided_at

    response = organiser.post(
        f"/fairs/{fair_world.fair.slug}/registrations/approve/",
        {
            "ids": [first.pk, second.pk, approved.pk, rejected.pk, elsewhere.pk],
            "status": "pending",
        },
        follow=True,
    )

    statuses = dict(Registration.objects.values_list("person__username", "status"))
    assert statuses == {
        "a": "approved",
        "b": "approved",
        "c": "approved",
        "d": "rejected",
        "e": "pending",
    }
    assert Registration.objects.get(pk=approved.pk).decided_at == decided_at
    assert response.redirect_chain[-1][0].endswith("/registrations/?status=pending")
    messages = [str(m) for m in response.context["messages"]]
    assert messages and "2" in messages[0] and "3" in messages[0]


def test_approve_one_with_htmx_swaps_the_row(fair_world: FairWorld, organiser: Client) -> None:
    registration = fair_world.register("zhang", approve=False)

    response = organiser.post(
        f"/fairs/{fair_world.fair.slug}/registrations/{registration.pk}/approve/",
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="registration-{registration.pk}"')
    assert 'data-status="approved"' in html and "data-row-note" in html
    registration.refresh_from_db()
    assert registration.status == "approved" and registration.badge.status == "active"


def test_approve_twice_shows_the_refusal_in_the_row(
    fair_world: FairWorld, organiser: Client
) -> None:
    registration = fair_world.register("zhang")

    response = organiser.post(
        f"/fairs/{fair_world.fair.slug}/registrations/{registration.pk}/approve/",
        headers={"HX-Request": "true", "Accept-Language": "en"},
    )

    assert response.status_code == 200
    assert "data-row-error" in response.content.decode()
    assert "Only a pending registration can be approved" in response.content.decode()


def test_reject_with_reason(fair_world: FairWorld, organiser: Client) -> None:
    registration = fair_world.register("zhang", fair_world.race)

    response = organiser.post(
        f"/fairs/{fair_world.fair.slug}/registrations/{registration.pk}/reject/",
        {"reason": "资料不全", "q": "zh"},
    )

    registration.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"/fairs/{fair_world.fair.slug}/registrations/?q=zh"
    assert (registration.status, registration.decision_reason) == ("rejected", "资料不全")
    assert registration.decided_by == fair_world.organiser
    assert registration.badge.status == "revoked"


def test_reject_without_reason_changes_nothing(fair_world: FairWorld, organiser: Client) -> None:
    registration = fair_world.register("zhang", approve=False)

    response = organiser.post(
        f"/fairs/{fair_world.fair.slug}/registrations/{registration.pk}/reject/",
        {"reason": ""},
        headers={"HX-Request": "true"},
    )

    assert "data-row-error" in response.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == "pending"


# Check-ins, arrivals, gates ------------------------------------------------------------------


def test_checkin_list_newest_first_with_scans_and_conflicts(
    fair_world: FairWorld, organiser: Client
) -> None:
    early, late, offline = (
        services.badge_token(fair_world.register(name).badge) for name in ("early", "late", "off")
    )
    services.check_in(gate=fair_world.entrance, token=early, scanned_at=at(9, 0))
    services.check_in(gate=fair_world.side_gate, token=late, scanned_at=at(9, 30))
    services.check_in(gate=fair_world.side_gate, token=early, scanned_at=at(9, 40))
    services.gate_upload(
        gate=fair_world.side_gate,
        device_id="tablet",
        scans=[
            {"id": "s1", "token": late, "scanned_at": at(9, 10)},
            {"id": "s2", "token": offline, "scanned_at": at(9, 20)},
        ],
    )

    html = organiser.get(
        f"/fairs/{fair_world.fair.slug}/checkins/", headers={"Accept-Language": "en"}
    ).content.decode()
    checkins, scans = html.split("data-scans")

    assert re.findall(r'data-gate="(\w)"', checkins) == ["B", "B", "A"]  # 9:20, 9:10, 9:00
    assert (
        checkins.count("data-offline") == 2
    )  # the offline scan, and the 9:10 one that moved "late" earlier
    assert "2021-05-20 09:20:00" in checkins
    assert len(re.findall(r'data-scan="\d+"', scans)) == 5
    assert "Also scanned at gate B." in scans
    assert "before the check-in on record" in scans


def test_arrivals_figures_match_checkins(fair_world: FairWorld, organiser: Client) -> None:
    gates = [("a", fair_world.entrance), ("b", fair_world.entrance), ("c", fair_world.side_gate)]
    for name, gate in gates:
        registration = fair_world.register(name)
        services.check_in(gate=gate, token=services.badge_token(registration.badge))

    html = organiser.get(f"/fairs/{fair_world.fair.slug}/arrivals/live/").content.decode()

    gates = dict(re.findall(r'data-gate="(\w)">.*?data-count>(\d+)<', html, re.S))
    assert gates == {"A": "2", "B": "1", "R": "0"}
    assert re.search(r"data-fair-total>3<", html)
    assert json.loads(re.search(r'id="arrivals-chart-data"[^>]*>(.*?)</script>', html).group(1))[
        "values"
    ] == [2, 1, 0]


def test_arrivals_page_refreshes_every_five_seconds(
    fair_world: FairWorld, organiser: Client
) -> None:
    html = organiser.get(f"/fairs/{fair_world.fair.slug}/arrivals/").content.decode()

    assert 'hx-get="/fairs/test-fair/arrivals/live/"' in html
    assert 'hx-trigger="every 5s"' in html


def test_gate_list_links_every_scanner(fair_world: FairWorld, organiser: Client) -> None:
    html = organiser.get(f"/fairs/{fair_world.fair.slug}/gates/").content.decode()

    for gate in (fair_world.entrance, fair_world.side_gate, fair_world.race_gate):
        assert f'href="/fairs/test-fair/gates/{gate.pk}/scan/"' in html


def test_gate_scanner_carries_its_settings(fair_world: FairWorld, organiser: Client) -> None:
    key = services.fair_key(fair_world.fair)
    gate = fair_world.race_gate

    html = organiser.get(f"/fairs/test-fair/gates/{gate.pk}/scan/").content.decode()

    config = json.loads(re.search(r'id="gate-config"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert config["gate"] == {
        "id": gate.pk,
        "code": "R",
        "fair": fair_world.fair.pk,
        "event": fair_world.race.pk,
    }
    assert config["publicKey"] == key.public_key
    assert config["urls"]["scan"] == f"/api/v1/gates/{gate.pk}/scan/"
    assert config["urls"]["list"] == f"/api/v1/gates/{gate.pk}/list/"
    assert config["urls"]["upload"] == f"/api/v1/gates/{gate.pk}/upload/"
    assert config["urls"]["ed25519"] == "/static/vendor/noble-ed25519/index.js"
    assert "%(name)s" in config["texts"]["welcome"]
    assert len(re.findall(r"data-gate-link=", html)) == 3
    assert 'type="module" src="/static/xiqia/js/gate.js"' in html


def test_vendor_modules_are_served(fair_world: FairWorld, organiser: Client) -> None:
    for path in ("/static/vendor/noble-ed25519/index.js", "/static/vendor/noble-hashes/sha2.js"):
        response = organiser.get(path)

        assert response.status_code == 200, path
        assert b"export" in b"".join(response.streaming_content)


# Query counts and the Content-Security-Policy ------------------------------------------------


def count_queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def add_registrations(world: FairWorld, n: int, check_in: bool) -> None:
    """Add n registrations with seats; for the check-in list, each checked in and scanned twice."""
    start = Registration.objects.count()
    for i in range(start, start + n):
        approve = check_in or i % 2 == 0
        registration = world.register(f"guest{i}", world.forum, world.race, approve=approve)
        if check_in:
            token = services.badge_token(registration.badge)
            services.check_in(gate=world.entrance, token=token, device_id="tablet")
            services.check_in(gate=world.side_gate, token=token, device_id="tablet")


@pytest.mark.parametrize(("page", "check_in"), [("registrations", False), ("check-ins", True)])
def test_list_query_count_is_constant_in_rows(
    fair_world: FairWorld, organiser: Client, page: str, check_in: bool
) -> None:
    path = PAGES[page](fair_world)
    organiser.get(path)  # warm caches (content types, sessions)
    add_registrations(fair_world, 1, check_in)
    with_one = count_queries(lambda: organiser.get(path))

    add_registrations(fair_world, 2, check_in)
    with_three = count_queries(lambda: organiser.get(path))

    assert with_one == with_three
    assert Registration.objects.count() == 3
    assert CheckIn.objects.count() == (3 if check_in else 0)


INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\b(?:type=\"application/json\"|type=\"module\"[^>]*\bsrc=|src=))[^>]*>"
)


@pytest.mark.parametrize("page", list(PAGES))
def test_page_has_no_inline_script_or_style(
    fair_world: FairWorld, organiser: Client, page: str
) -> None:
    fair_world.register("zhang", fair_world.forum, approve=False)
    response = organiser.get(PAGES[page](fair_world))
    html = response.content.decode()

    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert not INLINE_SCRIPT.search(html), "inline <script>"
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r"""(?:src=|<link[^>]+href=)["'](?:https?:)?//""", html), "remote asset"
