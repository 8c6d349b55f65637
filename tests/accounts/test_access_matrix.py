"""The access matrix: every role × region × endpoint, with the status each must get.

Roles (see tests/conftest.py): a Liangjiang New Area officer reaches Yubei, since Liangjiang
(500157) succeeded Yubei (500112) in 2025; a Yubei officer reaches Yubei and, its code being
retired, Liangjiang where its work goes on; a Jiulongpo officer reaches only Jiulongpo; an
organisation member reaches their own organisation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.conftest import ROLES, World

A, ORG, Y_OFF, L_OFF, J_OFF, MEMBER, PART, ANALYST, ANON = (
    "admin",
    "organiser",
    "yubei_officer",
    "liangjiang_officer",
    "jiulongpo_officer",
    "yubei_member",
    "participant",
    "analyst",
    "anonymous",
)


def statuses(default: int, anonymous: int | None = None, **by_role: int) -> dict[str, int]:
    """Build a row of the matrix: ``default`` for every role unless named."""
    row = {role: default for role in ROLES}
    if anonymous is not None:
        row[ANON] = anonymous
    row.update(by_role)
    return row


def get(path: Callable[[World], str]) -> Callable[[Client, World], Any]:
    return lambda client, world: client.get(path(world))


def api(
    method: str, path: Callable[[World], str], body: Any = None
) -> Callable[[Client, World], Any]:
    def call(client: Client, world: World) -> Any:
        return getattr(client, method)(
            path(world),
            data=json.dumps(body(world) if callable(body) else body),
            content_type="application/json",
        )

    return call


def tourism_campaign(world: World) -> str:
    """Return the slug of a published, open voucher campaign (made on first use)."""
    from tests.tourism.conftest import make_campaign, make_merchant
    from xiqia.tourism.models import VoucherCampaign

    if not VoucherCampaign.objects.filter(slug="matrix").exists():
        make_campaign(slug="matrix", merchants=(make_merchant(),))
    return "matrix"


def matchmaking(world: World, rest: str) -> str:
    """Return a matchmaking address of the world's fair; the participant has a profile."""
    from xiqia.fair.models import Registration
    from xiqia.matchmaking import services as matchmaking_services
    from xiqia.matchmaking.models import Profile

    if not Profile.objects.exists():
        registration = Registration.objects.get(person=world.users[PART])
        matchmaking_services.profile_update(
            registration=registration, actor=None, seeks=["capital"]
        )
    return rest.replace("<fair>", world.fair.slug)


def govservice_case(world: World) -> int:
    """Return the id of a Jiulongpo-only government-service case (made on first use)."""
    from tests.govservice.conftest import make_matter
    from xiqia.govservice import services as gov_services
    from xiqia.govservice.models import Case, Window

    case = Case.objects.filter(receiving_window__code="MATRIX").first()
    if case is None:
        from tests.conftest import region

        window = Window.objects.create(region=region("500107"), code="MATRIX", name_zh="窗口")
        case = gov_services.case_receive(
            window=window,
            matter=make_matter("MATRIX-1", "500107"),
            applicant_name="张三",
            applicant_phone="13800138000",
            actor=None,
        ).case
    return case.pk


def tourism_spot(world: World) -> int:
    """Return the id of a scenic spot in Jiulongpo (made on first use)."""
    from tests.conftest import region
    from xiqia.tourism.models import ScenicSpot

    spot, _created = ScenicSpot.objects.get_or_create(
        name_zh="矩阵景区", defaults={"region": region("500107")}
    )
    return spot.pk


EDITORS_OF_YUBEI = {A: 200, Y_OFF: 200, L_OFF: 200, MEMBER: 200}
EDITORS_OF_JIULONGPO = {A: 200, J_OFF: 200}

MATRIX: dict[str, tuple[Callable[[Client, World], Any], dict[str, int]]] = {
    "page home": (get(lambda w: "/"), statuses(200)),
    "page directory": (get(lambda w: "/directory/"), statuses(200)),
    "page organisation": (
        get(lambda w: f"/directory/organisations/{w.yubei_org.pk}/"),
        statuses(200),
    ),
    "page regions": (get(lambda w: "/directory/regions/?q=5001"), statuses(200)),
    "page region": (get(lambda w: "/directory/regions/500112/"), statuses(200)),
    "page edit Yubei org": (
        get(lambda w: f"/directory/organisations/{w.yubei_org.pk}/edit/"),
        statuses(403, anonymous=302, **EDITORS_OF_YUBEI),
    ),
    "page edit Jiulongpo org": (
        get(lambda w: f"/directory/organisations/{w.jiulongpo_org.pk}/edit/"),
        statuses(403, anonymous=302, **EDITORS_OF_JIULONGPO),
    ),
    "page new organisation": (
        get(lambda w: "/directory/organisations/new/"),
        statuses(403, anonymous=302, **{A: 200, Y_OFF: 200, L_OFF: 200, J_OFF: 200}),
    ),
    "page people": (
        get(lambda w: "/accounts/people/"),
        statuses(200, anonymous=302, **{PART: 403, ANALYST: 403}),
    ),
    "page profile": (get(lambda w: "/accounts/me/"), statuses(200, anonymous=302)),
    "page back office": (get(lambda w: "/admin/"), statuses(302, **{A: 200})),
    "page back office organisations": (
        get(lambda w: "/admin/directory/organisation/"),
        statuses(302, **{A: 200}),
    ),
    "api organisations": (get(lambda w: "/api/v1/organisations/"), statuses(200)),
    "api regions": (get(lambda w: "/api/v1/regions/?code=500112"), statuses(200)),
    "api patch Yubei org": (
        api("patch", lambda w: f"/api/v1/organisations/{w.yubei_org.pk}/", {"name_en": "Renamed"}),
        statuses(403, anonymous=401, **EDITORS_OF_YUBEI),
    ),
    "api patch Jiulongpo org": (
        api(
            "patch",
            lambda w: f"/api/v1/organisations/{w.jiulongpo_org.pk}/",
            {"name_en": "Renamed"},
        ),
        statuses(403, anonymous=401, **EDITORS_OF_JIULONGPO),
    ),
    "api create in Jiulongpo": (
        api(
            "post",
            lambda w: "/api/v1/organisations/",
            {"kind": "enterprise", "name_zh": "新设企业", "region": "500107"},
        ),
        statuses(403, anonymous=401, **{A: 201, J_OFF: 201}),
    ),
    "api people": (get(lambda w: "/api/v1/people/"), statuses(200, anonymous=401)),
    # The fair ---------------------------------------------------------------------------------
    "page fair": (get(lambda w: "/fairs/fair-2021/"), statuses(200)),
    "page agenda": (get(lambda w: "/fairs/fair-2021/agenda/"), statuses(200)),
    "page register": (
        get(lambda w: "/fairs/fair-2021/register/"),
        # Those already registered are sent to their registration.
        statuses(200, anonymous=302, **{MEMBER: 302, PART: 302}),
    ),
    "page my badge": (
        get(lambda w: "/fairs/fair-2021/badge/"),
        statuses(404, anonymous=302, **{PART: 200}),
    ),
    "page registrations (organiser)": (
        get(lambda w: "/fairs/fair-2021/registrations/"),
        statuses(403, anonymous=302, **{A: 200, ORG: 200}),
    ),
    "page gate scanner": (
        get(lambda w: f"/fairs/fair-2021/gates/{w.gate.pk}/scan/"),
        statuses(403, anonymous=302, **{A: 200, ORG: 200}),
    ),
    "page arrivals": (
        get(lambda w: "/fairs/fair-2021/arrivals/"),
        statuses(403, anonymous=302, **{A: 200, ORG: 200}),
    ),
    "export registrations.xlsx": (
        get(lambda w: "/fairs/fair-2021/registrations.xlsx"),
        statuses(403, anonymous=302, **{A: 200, ORG: 200}),
    ),
    "export checkins.xlsx": (
        get(lambda w: "/fairs/fair-2021/checkins.xlsx"),
        statuses(403, anonymous=302, **{A: 200, ORG: 200}),
    ),
    "export agenda.ics": (get(lambda w: "/fairs/fair-2021/agenda.ics"), statuses(200)),
    "api registrations": (get(lambda w: "/api/v1/registrations/"), statuses(200, anonymous=401)),
    "api approve": (
        api("post", lambda w: f"/api/v1/registrations/{w.pending.pk}/approve/", {}),
        # Those who see the registration but do not run the fair are refused; others never see it.
        statuses(404, anonymous=401, **{A: 200, ORG: 200, Y_OFF: 403, L_OFF: 403, MEMBER: 403}),
    ),
    "api scan": (
        api(
            "post", lambda w: f"/api/v1/gates/{w.gate.pk}/scan/", lambda w: {"token": w.badge_token}
        ),
        statuses(404, anonymous=401, **{A: 200, ORG: 200}),
    ),
    "api arrivals": (
        get(lambda w: "/api/v1/fairs/fair-2021/arrivals/"),
        statuses(403, **{A: 200, ORG: 200, ANALYST: 200}),
    ),
    "api me": (get(lambda w: "/api/v1/me/"), statuses(200, anonymous=401)),
    # Culture and tourism ----------------------------------------------------------------------
    "page voucher campaigns": (get(lambda w: "/tourism/"), statuses(200)),
    "page voucher campaign": (
        get(lambda w: f"/tourism/campaigns/{tourism_campaign(w)}/"),
        statuses(200),
    ),
    "page my vouchers": (get(lambda w: "/tourism/vouchers/"), statuses(200, anonymous=302)),
    "page till (redeem)": (
        get(lambda w: tourism_campaign(w) and "/tourism/redeem/"),
        # Only those who work a merchant's till (none in this world) and administrators.
        statuses(403, anonymous=302, **{A: 200}),
    ),
    "page run voucher draw": (
        get(lambda w: f"/tourism/campaigns/{tourism_campaign(w)}/draw/"),
        # The campaign is issued by Jiulongpo and Xindu: their officers run it.
        statuses(403, anonymous=302, **{A: 200, J_OFF: 200}),
    ),
    "page campaign vouchers (personal data)": (
        get(lambda w: f"/tourism/campaigns/{tourism_campaign(w)}/vouchers/"),
        statuses(403, anonymous=302, **{A: 200, J_OFF: 200}),
    ),
    "page spot gate (resident discount)": (
        get(lambda w: f"/tourism/spots/{tourism_spot(w)}/gate/"),
        statuses(403, anonymous=302, **{A: 200, J_OFF: 200}),
    ),
    "page voucher reconciliation": (
        get(lambda w: tourism_campaign(w) and "/tourism/dashboard/"),
        # Officers see their districts' campaigns (possibly none), analysts all figures.
        statuses(403, anonymous=302, **{A: 200, ANALYST: 200, Y_OFF: 200, L_OFF: 200, J_OFF: 200}),
    ),
    "export voucher settlement.xlsx": (
        get(lambda w: f"/tourism/campaigns/{tourism_campaign(w)}/settlement.xlsx"),
        statuses(403, anonymous=302, **{A: 200, ANALYST: 200, J_OFF: 200, Y_OFF: 404, L_OFF: 404}),
    ),
    "api voucher campaigns": (get(lambda w: "/api/v1/voucher-campaigns/"), statuses(200)),
    "api claim voucher": (
        lambda client, w: client.post(
            f"/api/v1/voucher-campaigns/{tourism_campaign(w)}/claim/",
            data=json.dumps({"holder_name": "张三", "id_number": "510213199001010010"}),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="matrix",
        ),
        statuses(201, anonymous=401),
    ),
    "api vouchers": (get(lambda w: "/api/v1/vouchers/"), statuses(200, anonymous=401)),
    "api redeem voucher": (
        api(
            "post",
            lambda w: tourism_campaign(w) and "/api/v1/vouchers/redeem/",
            lambda w: {"code": "unknown", "merchant": _merchant_pk(), "spend": "80"},
        ),
        # Not at a till: 403. An administrator may redeem anywhere: the code is unknown (400).
        statuses(403, anonymous=401, **{A: 400}),
    ),
    # Government services (tests/govservice/test_access.py has every post × district) ----------
    "page govservice track": (get(lambda w: "/govservice/track/"), statuses(200)),
    "page govservice queue": (get(lambda w: "/govservice/"), statuses(200, anonymous=302)),
    "page govservice Jiulongpo case": (
        get(lambda w: f"/govservice/cases/{govservice_case(w)}/"),
        statuses(404, anonymous=302, **{A: 200, ANALYST: 200, J_OFF: 200}),
    ),
    "page govservice precheck Jiulongpo case": (
        lambda client, w: client.post(f"/govservice/cases/{govservice_case(w)}/precheck/"),
        # A Jiulongpo officer who holds no post at the window sees the case but may not act.
        statuses(404, anonymous=302, **{A: 302, ANALYST: 403, J_OFF: 403}),
    ),
    "api govservice matters": (get(lambda w: "/api/v1/govservice/matters/"), statuses(200)),
    "api govservice Jiulongpo case": (
        get(lambda w: f"/api/v1/govservice/cases/{govservice_case(w)}/"),
        statuses(404, anonymous=401, **{A: 200, ANALYST: 200, J_OFF: 200}),
    ),
    "api govservice precheck Jiulongpo case": (
        api(
            "post", lambda w: f"/api/v1/govservice/cases/{govservice_case(w)}/actions/precheck/", {}
        ),
        statuses(404, anonymous=401, **{A: 200, ANALYST: 403, J_OFF: 403}),
    ),
    # Investment -------------------------------------------------------------------------------
    "api investment clusters": (get(lambda w: "/api/v1/investment/clusters/"), statuses(200)),
    "api investment projects": (
        get(lambda w: "/api/v1/investment/projects/?q=物流"),
        statuses(200),
    ),
    "api investment deals": (get(lambda w: "/api/v1/investment/deals/"), statuses(200)),
    "api investment milestones": (
        get(lambda w: "/api/v1/investment/milestones/"),
        statuses(200, anonymous=401),
    ),
    "api investment kpis": (get(lambda w: "/api/v1/investment/kpis/?by=year"), statuses(200)),
    "api investment project in Liangjiang": (
        api(
            "post", lambda w: "/api/v1/investment/projects/", {"region": "500157", "title_zh": "新"}
        ),
        statuses(403, anonymous=401, **{A: 201, Y_OFF: 201, L_OFF: 201}),
    ),
    "api investment project in Jiulongpo": (
        api(
            "post", lambda w: "/api/v1/investment/projects/", {"region": "500107", "title_zh": "新"}
        ),
        statuses(403, anonymous=401, **{A: 201, J_OFF: 201}),
    ),
    "api investment deal in Yubei": (
        api(
            "post",
            lambda w: "/api/v1/investment/deals/",
            lambda w: {
                "investor": w.yubei_org.pk,
                "host_region": "500112",
                "amount": "100000000",
                "kind": "contract",
                "signed_at": "2021-05-20",
                "title_zh": "矩阵签约",
            },
        ),
        statuses(403, anonymous=401, **{A: 201, Y_OFF: 201, L_OFF: 201}),
    ),
    # Investment pages --------------------------------------------------------------------------
    "page investment catalogue": (get(lambda w: "/investment/"), statuses(200)),
    "page draft project": (
        get(lambda w: f"/investment/projects/{investment(w)['project'].pk}/"),
        statuses(404, **{A: 200, Y_OFF: 200, L_OFF: 200, ANALYST: 200}),
    ),
    "page edit Liangjiang project": (
        get(lambda w: f"/investment/projects/{investment(w)['project'].pk}/edit/"),
        statuses(404, anonymous=302, **{A: 200, Y_OFF: 200, L_OFF: 200, ANALYST: 403}),
    ),
    "page new project": (
        get(lambda w: "/investment/projects/new/"),
        statuses(403, anonymous=302, **{A: 200, Y_OFF: 200, L_OFF: 200, J_OFF: 200}),
    ),
    "page deals": (get(lambda w: "/investment/deals/"), statuses(200, anonymous=302)),
    "page new deal": (
        get(lambda w: "/investment/deals/new/"),
        statuses(403, anonymous=302, **{A: 200, Y_OFF: 200, L_OFF: 200, J_OFF: 200}),
    ),
    "page Yubei deal": (
        get(lambda w: f"/investment/deals/{investment(w)['deal'].pk}/"),
        statuses(404, anonymous=302, **{A: 200, ORG: 200, Y_OFF: 200, L_OFF: 200, ANALYST: 200}),
    ),
    "page investment dashboard": (get(lambda w: "/investment/dashboard/"), statuses(200)),
    "page district dashboard": (
        get(lambda w: "/investment/dashboard/districts/500157/"),
        statuses(200),
    ),
    "export investment kpis.xlsx": (
        get(lambda w: "/investment/dashboard/kpis.xlsx?region=500157"),
        statuses(200),
    ),
    "export projects.xlsx": (get(lambda w: "/investment/projects.xlsx"), statuses(200)),
    "export deals.xlsx": (get(lambda w: "/investment/deals.xlsx"), statuses(200, anonymous=302)),
    "page investment import": (
        get(lambda w: "/investment/import/"),
        statuses(403, anonymous=302, **{A: 200, Y_OFF: 200, L_OFF: 200, J_OFF: 200}),
    ),
    "export import template": (
        get(lambda w: "/investment/import/templates/projects.xlsx"),
        statuses(200, anonymous=302),
    ),
    "page matchmaking recommendations": (
        get(lambda w: matchmaking(w, "/matchmaking/<fair>/")),
        statuses(302, **{PART: 200}),
    ),
    "page matchmaking agenda": (
        get(lambda w: matchmaking(w, "/matchmaking/<fair>/agenda/")),
        statuses(302, **{PART: 200}),
    ),
    "page matchmaking profile": (
        get(lambda w: matchmaking(w, "/matchmaking/<fair>/profile/")),
        statuses(200, anonymous=302),
    ),
    "page matchmaking schedule": (
        get(lambda w: matchmaking(w, "/matchmaking/<fair>/organise/schedule/")),
        statuses(403, anonymous=302, **{A: 200, ORG: 200}),
    ),
    "page matchmaking dashboard": (
        get(lambda w: matchmaking(w, "/matchmaking/<fair>/organise/")),
        statuses(403, anonymous=302, **{A: 200, ORG: 200}),
    ),
    "page matchmaking proposals": (
        get(lambda w: matchmaking(w, "/matchmaking/<fair>/organise/proposals/")),
        statuses(403, anonymous=302, **{A: 200, ORG: 200}),
    ),
    "page matchmaking attendance": (
        get(lambda w: matchmaking(w, "/matchmaking/<fair>/organise/attendance/")),
        statuses(403, anonymous=302, **{A: 200, ORG: 200}),
    ),
    "page matchmaking table sheet": (
        get(lambda w: matchmaking(w, "/matchmaking/<fair>/organise/tables/qr/")),
        statuses(403, anonymous=302, **{A: 200, ORG: 200}),
    ),
    "page matchmaking notifications": (
        get(lambda w: "/matchmaking/notifications/"),
        statuses(200, anonymous=302),
    ),
    "api matchmaking profiles": (
        get(lambda w: matchmaking(w, "/api/v1/matchmaking/profiles/")),
        statuses(200, anonymous=401),
    ),
    "api matchmaking recommendations": (
        get(lambda w: matchmaking(w, "/api/v1/matchmaking/recommendations/?fair=<fair>")),
        statuses(404, anonymous=401, **{PART: 200}),
    ),
    "api matchmaking requests": (
        get(lambda w: "/api/v1/matchmaking/requests/"),
        statuses(200, anonymous=401),
    ),
    "api matchmaking meetings": (
        get(lambda w: "/api/v1/matchmaking/meetings/"),
        statuses(200, anonymous=401),
    ),
    "api matchmaking plans": (
        get(lambda w: "/api/v1/matchmaking/plans/"),
        statuses(200, anonymous=401),
    ),
    "api matchmaking agenda": (
        get(lambda w: matchmaking(w, "/api/v1/matchmaking/agenda/?fair=<fair>")),
        statuses(404, anonymous=401, **{PART: 200}),
    ),
}


def _merchant_pk() -> int:
    from xiqia.tourism.models import Merchant

    return Merchant.objects.values_list("pk", flat=True).get()


def investment(world: World) -> dict[str, Any]:
    """Give the world a Liangjiang draft project and a Yubei deal signed outside a fair."""
    if not hasattr(world, "_investment"):
        import datetime

        from xiqia.core.models import Region
        from xiqia.core.origin import Origin
        from xiqia.investment import services

        yubei = Region.objects.valid_in(2021).get(code="500112")
        world._investment = {  # type: ignore[attr-defined]
            "project": services.project_create(
                actor=None, region=Region.objects.get(code="500157"), title_zh="两江草稿项目"
            ),
            "deal": services.deal_record(
                actor=None,
                investor=world.xindu_org,
                host_region=yubei,
                amount=100_000_000,
                kind="contract",
                signed_at=datetime.date(2021, 6, 1),
                title_zh="场外签约项目",
                origin=Origin.FACT,
            ),
        }
    return world._investment  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_access_matrix_status(world: World, endpoint: str, role: str) -> None:
    call, expected = MATRIX[endpoint]
    response = call(world.client_for(role), world)
    assert response.status_code == expected[role], (endpoint, role, response.content[:300])


# Which people each role sees in the people API: scope, not just status.
VISIBLE_PEOPLE = {
    A: "all",
    ORG: "all",
    Y_OFF: {"yubei_officer", "yubei_member", "liangjiang_officer"},
    L_OFF: {"liangjiang_officer", "yubei_officer", "yubei_member"},
    J_OFF: {"jiulongpo_officer", "jiulongpo_member"},
    MEMBER: {"yubei_member"},
    PART: {"participant"},
    ANALYST: {"analyst"},
}


@pytest.mark.parametrize("role", [r for r in ROLES if r != ANON])
def test_people_api_lists_only_people_in_scope(world: World, role: str) -> None:
    response = world.client_for(role).get("/api/v1/people/")

    usernames = {row["username"] for row in response.json()["results"]}
    expected = VISIBLE_PEOPLE[role]
    if expected == "all":
        from xiqia.accounts.models import User

        expected = set(User.objects.values_list("username", flat=True))
    assert usernames == expected


@pytest.mark.parametrize(
    ("role", "editable"),
    [
        (A, {"渝北测试企业", "九龙坡测试企业", "新都测试企业"}),
        (Y_OFF, {"渝北测试企业"}),
        (L_OFF, {"渝北测试企业"}),
        (J_OFF, {"九龙坡测试企业"}),
        (MEMBER, {"渝北测试企业"}),
        (ORG, set()),
        (PART, set()),
        (ANALYST, set()),
        (ANON, set()),
    ],
)
def test_directory_page_offers_edit_only_where_allowed(
    world: World, role: str, editable: set[str]
) -> None:
    html = world.client_for(role).get("/directory/").content.decode()

    offered = {
        name
        for name, org in [
            ("渝北测试企业", world.yubei_org),
            ("九龙坡测试企业", world.jiulongpo_org),
            ("新都测试企业", world.xindu_org),
        ]
        if f"/directory/organisations/{org.pk}/edit/" in html
    }
    assert offered == editable
