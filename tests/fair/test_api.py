"""The fair's API behaves like its services: registration, decisions, scanning, offline upload."""

from __future__ import annotations

import json

from django.test import Client

from tests.conftest import make_user
from tests.fair.conftest import FairWorld
from xiqia.fair import services
from xiqia.fair.models import CheckIn, Registration


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, path: str, body: dict) -> object:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_api_register_self_with_events(fair_world: FairWorld) -> None:
    person = make_user("zhang")

    response = post(
        client_for(person),
        "/api/v1/registrations/",
        {"fair": fair_world.fair.slug, "category": "investor", "events": [fair_world.race.pk]},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["category"], body["seats"][0]["status"]) == (
        "pending",
        "investor",
        "confirmed",
    )


def test_api_register_twice_is_409_and_saves_nothing(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang")

    response = post(
        client_for(registration.person), "/api/v1/registrations/", {"fair": fair_world.fair.slug}
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_registered"
    assert Registration.objects.filter(person=registration.person).count() == 1


def test_api_participant_sees_only_own_registration(fair_world: FairWorld) -> None:
    mine = fair_world.register("zhang")
    fair_world.register("li")

    listed = (
        client_for(mine.person).get(f"/api/v1/registrations/?fair={fair_world.fair.slug}").json()
    )

    assert [r["id"] for r in listed["results"]] == [mine.pk]


def test_api_organiser_approves_and_participant_cannot(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang", approve=False)

    refused = post(
        client_for(registration.person), f"/api/v1/registrations/{registration.pk}/approve/", {}
    )
    approved = post(
        client_for(fair_world.organiser), f"/api/v1/registrations/{registration.pk}/approve/", {}
    )

    assert refused.status_code == 403
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert approved.json()["badge"] == str(Registration.objects.get(pk=registration.pk).badge.pk)


def test_api_bulk_approve_counts(fair_world: FairWorld) -> None:
    pending = [fair_world.register(n, approve=False) for n in ("a", "b")]

    response = post(
        client_for(fair_world.organiser),
        "/api/v1/registrations/approve/",
        {"ids": [r.pk for r in pending]},
    )

    assert response.json() == {"approved": 2}


def test_api_badge_token_for_holder_only(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang")
    other = make_user("li")

    mine = client_for(registration.person).get(f"/api/v1/badges/{registration.badge.pk}/")
    theirs = client_for(other).get(f"/api/v1/badges/{registration.badge.pk}/")

    assert mine.status_code == 200 and mine.json()["token"].startswith("XQ1.")
    assert theirs.status_code == 404


def test_api_scan_twice_then_already(fair_world: FairWorld) -> None:
    token = services.badge_token(fair_world.register("zhang").badge)
    client = client_for(fair_world.organiser)
    path = f"/api/v1/gates/{fair_world.side_gate.pk}/scan/"

    first = post(client, path, {"token": token}).json()
    second = post(client, path, {"token": token}).json()

    assert (first["outcome"], second["outcome"], second["gate"]) == ("accepted", "already", "B")
    assert CheckIn.objects.count() == 1


def test_api_scan_refused_for_participant(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang")
    token = services.badge_token(registration.badge)

    response = post(
        client_for(registration.person),
        f"/api/v1/gates/{fair_world.entrance.pk}/scan/",
        {"token": token},
    )

    assert response.status_code in {403, 404}
    assert not CheckIn.objects.exists()


def test_api_offline_list_and_upload(fair_world: FairWorld) -> None:
    token = services.badge_token(fair_world.register("zhang").badge)
    client = client_for(fair_world.organiser)
    gate = fair_world.entrance.pk

    signed = client.get(f"/api/v1/gates/{gate}/list/").json()
    batch = {
        "device_id": "tablet-1",
        "scans": [{"id": "1", "token": token, "scanned_at": "2021-05-20T09:12:00+08:00"}],
    }
    first = post(client, f"/api/v1/gates/{gate}/upload/", batch).json()
    again = post(client, f"/api/v1/gates/{gate}/upload/", batch).json()

    assert len(signed["list"]["valid"]) == 1 and signed["signature"]
    assert (first["accepted"], again["accepted"], again["duplicates"]) == (1, 0, 1)
    assert CheckIn.objects.count() == 1


def test_api_upload_bad_input_is_400_and_changes_nothing(fair_world: FairWorld) -> None:
    response = post(
        client_for(fair_world.organiser),
        f"/api/v1/gates/{fair_world.entrance.pk}/upload/",
        {"device_id": "tablet-1", "scans": [{"id": "1", "token": "x", "scanned_at": "yesterday"}]},
    )

    assert response.status_code == 400
    assert "scans" in response.json()["error"]["fields"]
    assert not CheckIn.objects.exists()


def test_api_programme_is_public(fair_world: FairWorld) -> None:
    response = Client().get(f"/api/v1/events/?fair={fair_world.fair.slug}")

    assert response.status_code == 200
    assert {e["title_zh"] for e in response.json()["results"]} == {
        "开放型经济论坛",
        "金卡纳技巧绕桩赛",
    }


def test_api_reject_with_reason_and_cancel_own(fair_world: FairWorld) -> None:
    rejected = fair_world.register("a", approve=False)
    mine = fair_world.register("b", fair_world.race)

    response = post(
        client_for(fair_world.organiser),
        f"/api/v1/registrations/{rejected.pk}/reject/",
        {"reason": "资料不全"},
    )
    cancelled = post(client_for(mine.person), f"/api/v1/registrations/{mine.pk}/cancel/", {})

    assert (response.json()["status"], response.json()["decision_reason"]) == (
        "rejected",
        "资料不全",
    )
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert [s["status"] for s in cancelled.json()["seats"]] == ["cancelled"]


def test_api_scan_with_a_warm_token_and_gate_reads_only_the_badge(fair_world: FairWorld) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=fair_world.organiser).key
    path = f"/api/v1/gates/{fair_world.entrance.pk}/scan/"
    first, second = (
        services.badge_token(fair_world.register(name).badge) for name in ("zhang", "wang")
    )
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert post(client, path, {"token": first}).json()["outcome"] == "accepted"

    with CaptureQueriesContext(connection) as captured:
        answer = post(client, path, {"token": second}).json()

    assert answer["outcome"] == "accepted"
    statements = [q["sql"].split()[0] for q in captured.captured_queries]
    # The badge's status, the check-in, the scan: inside a savepoint (the test's transaction).
    assert statements == ["SAVEPOINT", "SELECT", "INSERT", "INSERT", "RELEASE"]
