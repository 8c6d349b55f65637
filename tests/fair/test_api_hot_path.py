"""The scan API answers the same through the hot path and through DRF (xiqia/core/hotpaths.py).

Each test runs twice: with a token through :class:`HotPathMiddleware`, and with the middleware
taken out, so through ``GateViewSet.scan``. DRF marks its answers with an ``Allow`` header, which
shows which way each request went.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from tests.fair.conftest import FairWorld
from xiqia.fair import services
from xiqia.fair.models import CheckIn

WITHOUT_HOT_PATH = [m for m in django_settings.MIDDLEWARE if not m.endswith("HotPathMiddleware")]


@pytest.fixture(params=["hot", "drf"])
def way(request: pytest.FixtureRequest) -> Any:
    if request.param == "hot":
        yield "hot"
    else:
        with override_settings(MIDDLEWARE=WITHOUT_HOT_PATH):
            yield "drf"


def token_client(user: Any, **headers: str) -> Client:
    key = Token.objects.create(user=user).key
    return Client(HTTP_AUTHORIZATION=f"Token {key}", **headers)


def scan(client: Client, gate_pk: int, body: Any) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(f"/api/v1/gates/{gate_pk}/scan/", data, content_type="application/json")


def went(response: Any) -> str:
    return "drf" if response.has_header("Allow") else "hot"


def test_scan_twice_then_already_in_the_request_language(fair_world: FairWorld, way: str) -> None:
    token = services.badge_token(fair_world.register("zhang").badge)
    client = token_client(fair_world.organiser, HTTP_ACCEPT_LANGUAGE="zh-hans")
    gate = fair_world.side_gate.pk

    first = scan(client, gate, {"token": f"  {token} ", "device_id": "gate-b", "scan_id": "s1"})
    replay = scan(client, gate, {"token": token, "device_id": "gate-b", "scan_id": "s1"})
    second = scan(client, gate, {"token": token})

    assert [went(r) for r in (first, replay, second)] == [way] * 3
    assert [r.status_code for r in (first, replay, second)] == [200, 200, 200]
    assert (first.json()["outcome"], replay.json()["outcome"], second.json()["outcome"]) == (
        "accepted",
        "accepted",
        "already",
    )
    assert replay.json()["duplicate_upload"] is True
    assert replay.json()["checked_in_at"] == first.json()["checked_in_at"]
    assert second.json()["gate"] == "B"
    assert "已" in second.json()["message"]
    assert second["Content-Language"] == "zh-hans"
    assert CheckIn.objects.count() == 1
    # The same security headers both ways, and a length (a kept-alive answer is not chunked).
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert second[name], name
    assert "frame-ancestors 'none'" in second["Content-Security-Policy"]
    assert int(second["Content-Length"]) == len(second.content)


def test_scan_unknown_badge_is_refused_with_a_reason(fair_world: FairWorld, way: str) -> None:
    client = token_client(fair_world.organiser, HTTP_ACCEPT_LANGUAGE="en")

    response = scan(client, fair_world.entrance.pk, {"token": "XQ1.forged"})

    assert (went(response), response.status_code) == (way, 200)
    assert (response.json()["accepted"], response.json()["outcome"]) == (False, "invalid")


def test_scan_odd_requests_go_through_drf(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang")
    token = services.badge_token(registration.badge)
    organiser = token_client(fair_world.organiser)

    # A participant does not see the gates: 404, as for no gate at all.
    participant = scan(token_client(registration.person), fair_world.entrance.pk, {"token": token})
    no_gate = scan(organiser, 999_999, {"token": token})
    blank = scan(organiser, fair_world.entrance.pk, {"token": "  "})
    malformed = scan(organiser, fair_world.entrance.pk, "{not json")
    bad_token = scan(Client(HTTP_AUTHORIZATION="Token nope"), fair_world.entrance.pk, {})

    answers = (participant, no_gate, blank, malformed, bad_token)
    assert [went(r) for r in answers] == ["drf"] * 5
    assert [r.status_code for r in answers] == [404, 404, 400, 400, 401]
    assert not CheckIn.objects.exists()
