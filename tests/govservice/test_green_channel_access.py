"""Every role × district × endpoint of the green channel, with the status each must get.

Two requests: one to Jiulongpo, one to Xindu. Officers of a district reach its requests only
(others get 404); analysts and administrators read all; only the district's officers act.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.conftest import make_user, region
from tests.govservice.conftest import GovWorld
from tests.govservice.test_access import JLP, ROLES, XD, each, get, post, row
from xiqia.accounts.models import Role
from xiqia.govservice import green_channel
from xiqia.govservice.models import LimitClass, TimeLimit


@pytest.fixture
def requests(gov: GovWorld) -> dict[str, Any]:
    gov.users["admin"] = make_user("admin", Role.PLATFORM_ADMIN)
    gov.users["analyst"] = make_user("analyst", Role.ANALYST)
    gov.users["participant"] = make_user("participant", Role.PARTICIPANT)
    gov.users["yubei_officer"] = make_user(
        "yubei_officer", Role.DISTRICT_OFFICER, region=region("500112")
    )
    TimeLimit.objects.create(limit_class=LimitClass.GENERAL, amount=5, remind_before=1)
    made = {}
    for key, code in (("jlp", "500107"), ("xd", "510114")):
        made[key] = green_channel.request_receive(
            region=region(code),
            kind="policy",
            enterprise_name="示例企业",
            contact_name="刘经理",
            contact_phone="13800138000",
            subject="政策咨询",
            body="咨询",
            actor=None,
        ).request
    return made


def api_post(
    path: Callable[[dict[str, Any]], str], data: dict[str, Any]
) -> Callable[[Client, dict[str, Any]], Any]:
    return lambda client, c: client.post(
        path(c), data=json.dumps(data), content_type="application/json"
    )


def anonymous(status: int, **by_role: int) -> dict[str, int]:
    """A row of an API endpoint: anonymous callers get ``status`` (no login redirect)."""
    return {**row(status, **by_role), "anonymous": 401}


MATRIX: dict[str, tuple[Callable[[Client, dict[str, Any]], Any], dict[str, int]]] = {
    "page submit": (get(lambda c: "/govservice/green-channel/submit/"), row(200, anonymous=200)),
    "page track": (get(lambda c: "/govservice/green-channel/track/"), row(200, anonymous=200)),
    "page queue": (
        get(lambda c: "/govservice/green-channel/"),
        row(403, admin=200, analyst=200, yubei_officer=200, **each(JLP + XD, 200)),
    ),
    "page Jiulongpo request": (
        get(lambda c: f"/govservice/green-channel/{c['jlp'].pk}/"),
        row(404, admin=200, analyst=200, **each(JLP, 200)),
    ),
    "action dispatch Jiulongpo request": (
        post(
            lambda c: f"/govservice/green-channel/{c['jlp'].pk}/dispatch/",
            lambda c: {"dispatch-text": "九龙坡区经信委", "dispatch-limit_class": "general"},
        ),
        row(404, admin=302, analyst=403, **each(JLP, 302)),
    ),
    "page pairing": (get(lambda c: "/govservice/pairing/"), row(200, anonymous=200)),
    "api list": (get(lambda c: "/api/v1/govservice/requests/"), anonymous(200)),
    "api Xindu request": (
        get(lambda c: f"/api/v1/govservice/requests/{c['xd'].pk}/"),
        anonymous(404, admin=200, analyst=200, **each(XD, 200)),
    ),
    "api dispatch Xindu request": (
        api_post(
            lambda c: f"/api/v1/govservice/requests/{c['xd'].pk}/actions/dispatch/",
            {"text": "新都区金融工作局"},
        ),
        anonymous(404, admin=200, analyst=403, **each(XD, 200)),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_green_channel_access_status(
    gov: GovWorld, requests: dict[str, Any], endpoint: str, role: str
) -> None:
    call, expected = MATRIX[endpoint]
    client = Client()
    if role != "anonymous":
        client.force_login(gov.users[role])

    response = call(client, requests)

    assert response.status_code == expected[role], (endpoint, role, response.status_code)


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("jlp_clerk", ["jlp"]),
        ("xd_reviewer", ["xd"]),
        ("yubei_officer", []),
        ("analyst", ["jlp", "xd"]),
    ],
)
def test_green_channel_queue_scoped(
    gov: GovWorld, requests: dict[str, Any], role: str, visible: list[str]
) -> None:
    client = Client()
    client.force_login(gov.users[role])

    html = client.get("/govservice/green-channel/").content.decode()
    numbers = client.get("/api/v1/govservice/requests/").json()["results"]

    assert [key for key in ("jlp", "xd") if f'data-request="{requests[key].number}"' in html] == (
        visible
    )
    assert sorted(r["number"] for r in numbers) == sorted(requests[k].number for k in visible)
