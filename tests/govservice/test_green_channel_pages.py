"""Green-channel pages and API: submit, follow and rate; the officers' queue, page and actions."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import make_user, region
from tests.govservice.conftest import GovWorld, at
from xiqia.accounts.models import Role
from xiqia.core.origin import Origin
from xiqia.govservice import green_channel
from xiqia.govservice.models import (
    EnterpriseRequest,
    FollowUp,
    LimitClass,
    LimitUnit,
    PairingAgreement,
    RequestState,
    TimeLimit,
)


@pytest.fixture
def limits(db: Any) -> None:
    TimeLimit.objects.create(
        limit_class=LimitClass.URGENT, unit=LimitUnit.WORKING_HOURS, amount=24, remind_before=4
    )
    TimeLimit.objects.create(limit_class=LimitClass.GENERAL, amount=5, remind_before=1)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def receive(code: str = "510114", **extra: Any) -> green_channel.RequestReceipt:
    return green_channel.request_receive(
        region=region(code),
        kind="talent",
        enterprise_name="中车成都机车车辆有限公司",
        contact_name="王工",
        contact_phone="13800138000",
        subject="引进焊接工程师",
        body="咨询人才引进政策。",
        actor=None,
        **extra,
    )


def submit(client: Client, **overrides: str) -> Any:
    data = {
        "region": str(region("510114").pk),
        "kind": "financing",
        "enterprise_name": "成都宝钢制罐有限公司",
        "contact_name": "刘经理",
        "contact_phone": "138 0013 8000",
        "subject": "技改贷款贴息",
        "body": "咨询技改项目贷款贴息政策。",
        **overrides,
    }
    return client.post("/govservice/green-channel/submit/", data)


def test_submit_shows_number_and_code_once(gov: GovWorld, limits: None) -> None:
    response = submit(Client())

    html = response.content.decode()
    number = re.search(r"data-receipt-number>([^<]+)<", html).group(1)
    code = re.search(r"data-receipt-code>([^<]+)<", html).group(1)
    request = EnterpriseRequest.objects.get()
    assert response.status_code == 200
    assert (request.number, request.state, request.region.code) == (number, "received", "510114")
    assert green_channel.request_by_number_and_code(number, code) == request
    assert code not in request.verification_code_hash


def test_submit_bad_phone_refused_with_message(gov: GovWorld, limits: None) -> None:
    response = submit(Client(), contact_phone="123")

    assert response.status_code == 400
    assert 'data-error-for="contact_phone"' in response.content.decode()
    assert EnterpriseRequest.objects.count() == 0


def test_submit_rate_limited_per_address(gov: GovWorld, limits: None, settings: Any) -> None:
    settings.GOVSERVICE_REQUEST_SUBMIT_RATE_IP = "2/hour"
    client = Client()

    statuses = [submit(client).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert EnterpriseRequest.objects.count() == 2


def test_track_then_rate_once_closed(gov: GovWorld, limits: None) -> None:
    receipt = receive()
    officer = gov.users["xd_clerk"]
    request = receipt.request
    for action in ("dispatch", "handle", "answer", "close"):
        request = green_channel.request_act(
            request=request, action=action, actor=officer, text="已答复"
        )
    client = Client()

    found = client.post(
        "/govservice/green-channel/track/",
        {"number": request.number, "code": receipt.verification_code},
    )
    status = client.get("/govservice/green-channel/track/status/")
    rated = client.post("/govservice/green-channel/track/status/", {"grade": "4"})

    request.refresh_from_db()
    assert found.status_code == 302
    assert found["Location"] == "/govservice/green-channel/track/status/"
    assert 'data-state="closed"' in status.content.decode()
    assert "data-rate-form" in status.content.decode()
    assert rated.status_code == 302
    assert (request.state, request.grade) == (RequestState.RATED, 4)


def test_track_with_wrong_code_refused(gov: GovWorld, limits: None) -> None:
    receipt = receive()
    wrong = "000000" if receipt.verification_code != "000000" else "111111"

    response = Client().post(
        "/govservice/green-channel/track/", {"number": receipt.request.number, "code": wrong}
    )

    assert response.status_code == 400


def test_track_too_many_attempts_on_one_request_limited(gov: GovWorld, limits: None) -> None:
    receipt = receive()
    number = receipt.request.number
    wrong = "000000" if receipt.verification_code != "000000" else "111111"
    statuses = [
        Client(REMOTE_ADDR=f"10.0.0.{i}")
        .post("/govservice/green-channel/track/", {"number": number, "code": wrong})
        .status_code
        for i in range(10)
    ]

    response = Client(REMOTE_ADDR="10.0.1.1", HTTP_ACCEPT_LANGUAGE="en").post(
        "/govservice/green-channel/track/", {"number": number, "code": receipt.verification_code}
    )

    assert statuses == [400] * 10
    assert response.status_code == 429
    assert "Too many attempts. Try again in" in response.content.decode()
    assert "govservice_tracked_request" not in response.wsgi_request.session


def rated(grade: int, code: str = "510114", officer: Any = None) -> EnterpriseRequest:
    request = receive(code).request
    for action in ("dispatch", "handle", "answer", "close"):
        request = green_channel.request_act(
            request=request, action=action, actor=officer, text="已答复"
        )
    return green_channel.request_act(
        request=request, action="rate", actor=None, grade=grade, text="答复太慢"
    )


def test_poor_rating_of_request_listed_for_district_supervisor(gov: GovWorld, limits: None) -> None:
    request = rated(1, officer=gov.users["xd_clerk"])

    xindu = client_for(gov.users["xd_supervisor"]).get("/govservice/follow-ups/")
    jiulongpo = client_for(gov.users["jlp_supervisor"]).get("/govservice/follow-ups/")

    html = xindu.content.decode()
    assert xindu.status_code == 200
    assert f'data-follow-up="{request.number}" data-kind="request"' in html
    assert "引进焊接工程师" in html and "答复太慢" in html
    assert "data-follow-up=" not in jiulongpo.content.decode()


def test_request_follow_up_close_page_by_supervisor(gov: GovWorld, limits: None) -> None:
    request = rated(2, officer=gov.users["xd_clerk"])
    follow_up = FollowUp.objects.get(request=request)
    client = client_for(gov.users["xd_supervisor"])

    page = client.get(f"/govservice/follow-ups/{follow_up.pk}/close/")
    closed = client.post(
        f"/govservice/follow-ups/{follow_up.pk}/close/", {"response": "已回访并说明原因。"}
    )

    follow_up.refresh_from_db()
    assert page.status_code == 200
    assert request.number in page.content.decode()
    assert (closed.status_code, closed["Location"]) == (302, "/govservice/follow-ups/")
    assert follow_up.response == "已回访并说明原因。"


def test_queue_sorted_by_limit_with_overdue_and_nearly_due(gov: GovWorld, limits: None) -> None:
    from django.utils import timezone

    now = timezone.now()
    general = receive(now=now).request  # due in five working days
    overdue = receive(now=at(2025, 9, 1)).request
    nearly = receive(limit_class=LimitClass.URGENT, now=now).request
    EnterpriseRequest.objects.filter(pk=nearly.pk).update(remind_at=now)

    html = client_for(gov.users["xd_clerk"]).get("/govservice/green-channel/").content.decode()

    rows = re.findall(r'data-request="([^"]+)" data-due="([a-z]+)"', html)
    assert rows == [(overdue.number, "overdue"), (nearly.number, "nearly"), (general.number, "ok")]


def test_officer_moves_request_through_the_page(gov: GovWorld, limits: None) -> None:
    request = receive().request
    client = client_for(gov.users["xd_reviewer"])

    dispatched = client.post(
        f"/govservice/green-channel/{request.pk}/dispatch/",
        {"dispatch-text": "新都区人才工作领导小组办公室", "dispatch-limit_class": "general"},
    )
    empty = client.post(f"/govservice/green-channel/{request.pk}/handle/", {"handle-text": ""})
    page = client.get(f"/govservice/green-channel/{request.pk}/").content.decode()

    request.refresh_from_db()
    assert dispatched.status_code == 302
    assert empty.status_code == 400
    assert request.state == RequestState.DISPATCHED
    assert re.findall(r'data-action-form="([a-z]+)"', page) == ["handle"]


@pytest.mark.parametrize(("role", "shown"), [("xd_clerk", "王工"), ("analyst", "王*")])
def test_request_contact_name_masked_outside_the_district(
    gov: GovWorld, limits: None, role: str, shown: str
) -> None:
    gov.users["analyst"] = make_user("analyst", Role.ANALYST)
    request = receive().request
    client = client_for(gov.users[role])

    page = client.get(f"/govservice/green-channel/{request.pk}/").content.decode()
    api = client.get(f"/api/v1/govservice/requests/{request.pk}/").json()

    assert f"{shown} · 138****8000" in page
    assert (api["contact_name"], api["contact_phone"]) == (shown, "138****8000")


def test_api_request_actions_through_the_same_service(gov: GovWorld, limits: None) -> None:
    request = receive().request
    client = client_for(gov.users["xd_clerk"])

    ok = client.post(
        f"/api/v1/govservice/requests/{request.pk}/actions/dispatch/",
        data=json.dumps({"text": "新都区金融工作局", "limit_class": "urgent"}),
        content_type="application/json",
    )
    refused = client.post(
        f"/api/v1/govservice/requests/{request.pk}/actions/close/",
        data=json.dumps({}),
        content_type="application/json",
    )

    assert ok.status_code == 200
    assert (ok.json()["state"], ok.json()["limit_class"], ok.json()["allowed_actions"]) == (
        "dispatched",
        "urgent",
        ["handle"],
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "transition_not_allowed"


@pytest.mark.parametrize("rows", [1, 3])
def test_queue_and_api_query_counts_constant(
    gov: GovWorld, limits: None, django_assert_num_queries: Any, rows: int
) -> None:
    for _ in range(rows):
        green_channel.requests_remind(now=at(2030, 1, 1))
        receive(now=at(2025, 9, 1))
    client = client_for(gov.users["xd_clerk"])
    client.get("/govservice/green-channel/")
    client.get("/api/v1/govservice/requests/")

    with django_assert_num_queries(QUEUE_QUERIES):
        page = client.get("/govservice/green-channel/")
    with django_assert_num_queries(API_QUERIES):
        api = client.get("/api/v1/govservice/requests/")

    assert page.content.decode().count("data-request=") == rows
    assert api.json()["count"] == rows


QUEUE_QUERIES = 7
API_QUERIES = 8


def test_pairing_page_shows_the_agreement(gov: GovWorld) -> None:
    PairingAgreement.objects.create(
        title_zh="政务服务“跨省通办”结对共建协议",
        first_party=region("500107"),
        second_party=region("510114"),
        signatories_zh="九龙坡区政务服务部门；新都区政务服务部门",
        scope_zh="审批结果互认",
        source_reference_zh="原报道第二篇",
        origin=Origin.FACT,
    )

    html = Client().get("/govservice/pairing/").content.decode()

    assert "政务服务“跨省通办”结对共建协议" in html
    assert "data-signed-on" in html and "九龙坡区政务服务中心跨省通办窗口" in html


def test_green_channel_figures_match_hand_computed(gov: GovWorld, limits: None) -> None:
    from xiqia.govservice import selectors

    gov.users["analyst"] = make_user("analyst", Role.ANALYST)
    officer = gov.users["xd_clerk"]
    received = at(2025, 9, 26)  # general class: due by the end of 10 October 2025
    answered = []
    for answer_day in (9, 13):  # one answered in time, one late
        item = receive(now=received).request
        for action in ("dispatch", "handle", "answer"):
            item = green_channel.request_act(
                request=item, action=action, actor=officer, text="x", now=at(2025, 10, answer_day)
            )
        answered.append(item)
    EnterpriseRequest.objects.filter(pk__in=[a.pk for a in answered]).update(kind="financing")
    green_channel.request_receive(  # still open on 20 October: overdue
        region=region("510114"),
        kind="policy",
        enterprise_name="x",
        contact_name="y",
        contact_phone="13800138000",
        subject="s",
        body="b",
        actor=None,
        now=received,
    )
    receive("500107", now=at(2025, 10, 20))  # Jiulongpo, talent, not yet due

    xindu = selectors.green_channel_figures(who=officer, now=at(2025, 10, 20, 12))
    everyone = selectors.green_channel_figures(who=gov.users["analyst"], now=at(2025, 10, 20, 12))

    assert [(r["kind"], r["count"]) for r in xindu.per_kind] == [
        ("policy", 1),
        ("complaint", 0),
        ("financing", 2),
        ("talent", 0),
    ]
    assert (xindu.answered, xindu.answered_within_limit, xindu.open_overdue) == (2, 1, 1)
    assert xindu.share_within_limit == 0.5
    assert [r["count"] for r in everyone.per_kind] == [1, 0, 2, 1]
    assert everyone.open_overdue == 1

    html = client_for(officer).get("/govservice/supervision/").content.decode()
    assert 'data-green-within="1/2"' in html
