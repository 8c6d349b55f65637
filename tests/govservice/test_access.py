"""Every role × district × endpoint of the module, with the status each must get.

Two cases: one Jiulongpo-only (a Jiulongpo matter received in Jiulongpo) and one cross-province
(a Xindu matter received in Jiulongpo). Officers of a district reach the cases of their
district; a Xindu officer never sees the Jiulongpo-only case (404), whatever their post.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.conftest import make_user, region
from tests.govservice.conftest import GovWorld
from xiqia.accounts.models import Role
from xiqia.govservice import services
from xiqia.govservice.models import CaseState, FollowUp

ROLES = [
    "anonymous",
    "admin",
    "analyst",
    "participant",
    "yubei_officer",
    "jlp_clerk",
    "jlp_reviewer",
    "jlp_supervisor",
    "xd_clerk",
    "xd_reviewer",
    "xd_supervisor",
]
JLP = ("jlp_clerk", "jlp_reviewer", "jlp_supervisor")
XD = ("xd_clerk", "xd_reviewer", "xd_supervisor")


def row(default: int, **by_role: int) -> dict[str, int]:
    statuses = {role: default for role in ROLES}
    statuses["anonymous"] = 302
    statuses.update(by_role)
    return statuses


def each(roles: tuple[str, ...], status: int) -> dict[str, int]:
    return dict.fromkeys(roles, status)


@pytest.fixture
def cases(gov: GovWorld) -> dict[str, Any]:
    gov.users["admin"] = make_user("admin", Role.PLATFORM_ADMIN)
    gov.users["analyst"] = make_user("analyst", Role.ANALYST)
    gov.users["participant"] = make_user("participant", Role.PARTICIPANT)
    gov.users["yubei_officer"] = make_user(
        "yubei_officer", Role.DISTRICT_OFFICER, region=region("500112")
    )
    local = gov.receive(matter=gov.jiulongpo_matter)
    cross = gov.advance(gov.receive(), CaseState.IN_TRANSIT)
    rated = gov.advance(gov.receive(matter=gov.jiulongpo_matter), CaseState.CLOSED)
    services.case_rate(case=rated, grade=1, comment="差")
    return {"local": local, "cross": cross, "follow_up": FollowUp.objects.get()}


def get(path: Callable[[dict[str, Any]], str]) -> Callable[[Client, dict[str, Any]], Any]:
    return lambda client, c: client.get(path(c))


def post(
    path: Callable[[dict[str, Any]], str], data: Callable[[dict[str, Any]], dict] = lambda c: {}
) -> Callable[[Client, dict[str, Any]], Any]:
    return lambda client, c: client.post(path(c), data(c))


MATRIX: dict[str, tuple[Callable[[Client, dict[str, Any]], Any], dict[str, int]]] = {
    "page track": (get(lambda c: "/govservice/track/"), row(200, anonymous=200)),
    "page track status without a case": (
        get(lambda c: "/govservice/track/status/"),
        row(302),
    ),
    "page queue": (get(lambda c: "/govservice/"), row(200)),
    "page receive": (
        get(lambda c: "/govservice/cases/new/"),
        row(403, admin=200, jlp_clerk=200, jlp_supervisor=200, xd_clerk=200, xd_supervisor=200),
    ),
    "page Jiulongpo-only case": (
        get(lambda c: f"/govservice/cases/{c['local'].pk}/"),
        row(404, admin=200, analyst=200, **each(JLP, 200)),
    ),
    "page cross-province case": (
        get(lambda c: f"/govservice/cases/{c['cross'].pk}/"),
        row(404, admin=200, analyst=200, **each(JLP, 200), **each(XD, 200)),
    ),
    "action precheck Jiulongpo-only case": (
        post(lambda c: f"/govservice/cases/{c['local'].pk}/precheck/"),
        row(
            404,
            admin=302,
            analyst=403,
            jlp_clerk=302,
            jlp_reviewer=403,
            jlp_supervisor=302,
        ),
    ),
    "action deliver cross-province case": (
        post(
            lambda c: f"/govservice/cases/{c['cross'].pk}/deliver/",
            lambda c: {
                "deliver-received": [m.pk for m in c["cross"].matter_version.materials.all()]
            },
        ),
        row(
            404,
            admin=302,
            analyst=403,
            **each(JLP, 403),
            xd_clerk=403,
            xd_reviewer=302,
            xd_supervisor=302,
        ),
    ),
    "page follow-ups": (get(lambda c: "/govservice/follow-ups/"), row(200)),
    "page close Jiulongpo follow-up": (
        get(lambda c: f"/govservice/follow-ups/{c['follow_up'].pk}/close/"),
        row(404, admin=200, analyst=403, jlp_supervisor=200),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_govservice_access_status(
    gov: GovWorld, cases: dict[str, Any], endpoint: str, role: str
) -> None:
    call, expected = MATRIX[endpoint]
    client = Client()
    if role != "anonymous":
        client.force_login(gov.users[role])

    response = call(client, cases)

    assert response.status_code == expected[role], (endpoint, role)


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("jlp_supervisor", 1),
        ("xd_supervisor", 0),
        ("jlp_clerk", 0),  # the rated staff never see the rating
        ("admin", 1),
    ],
)
def test_govservice_follow_up_list_scoped(
    gov: GovWorld, cases: dict[str, Any], role: str, visible: int
) -> None:
    client = Client()
    client.force_login(gov.users[role])

    html = client.get("/govservice/follow-ups/").content.decode()

    assert html.count("data-follow-up=") == visible
