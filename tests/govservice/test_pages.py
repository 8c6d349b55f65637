"""Government-service pages: tracking and rating, the queue, case actions, follow-ups."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import make_user
from tests.govservice.conftest import GovWorld, at
from xiqia.accounts.models import Role
from xiqia.govservice import green_channel, services
from xiqia.govservice.models import (
    Case,
    CaseState,
    CaseTransition,
    FollowUp,
    LimitClass,
    Rating,
    TimeLimit,
)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tracked(gov: GovWorld, case: Case) -> Client:
    client = Client()
    response = client.post(
        "/govservice/track/", {"number": case.number, "code": gov.codes[case.number]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/govservice/track/status/"
    return client


# The applicant ---------------------------------------------------------------------------------


def test_track_right_code_shows_steps_and_deadline(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.IN_TRANSIT)

    response = tracked(gov, case).get("/govservice/track/status/")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="in_transit"' in body
    assert body.count("data-step=") == 4
    assert 'data-deadline="2025-10-10"' in body
    assert "13800138000" not in body and "张三" not in body


def test_track_wrong_code_refused_without_hint(gov: GovWorld) -> None:
    case = gov.receive()
    wrong = "000000" if gov.codes[case.number] != "000000" else "111111"

    response = Client().post("/govservice/track/", {"number": case.number, "code": wrong})
    unknown = Client().post("/govservice/track/", {"number": "nope", "code": wrong})

    assert response.status_code == 400
    assert unknown.status_code == 400
    assert "data-case-number" not in response.content.decode()


def test_track_without_session_redirects_to_form(gov: GovWorld) -> None:
    response = Client().get("/govservice/track/status/")

    assert (response.status_code, response["Location"]) == (302, "/govservice/track/")


def test_track_too_many_attempts_on_one_case_limited(gov: GovWorld) -> None:
    case = gov.receive()
    right = gov.codes[case.number]
    wrong = "000000" if right != "000000" else "111111"
    statuses = [
        Client(REMOTE_ADDR=f"10.0.0.{i}")
        .post("/govservice/track/", {"number": case.number, "code": wrong})
        .status_code
        for i in range(10)
    ]

    response = Client(REMOTE_ADDR="10.0.1.1").post(
        "/govservice/track/", {"number": case.number, "code": right}
    )

    assert statuses == [400] * 10
    assert response.status_code == 429


def test_track_rate_once_poor_opens_follow_up(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.CLOSED)
    client = tracked(gov, case)

    first = client.post("/govservice/track/status/", {"grade": "1", "comment": "太慢"})
    second = client.post("/govservice/track/status/", {"grade": "5"})

    assert first.status_code == 302
    assert second.status_code == 400  # a second rating is refused
    assert "data-rated" in client.get("/govservice/track/status/").content.decode()
    assert Rating.objects.get().grade == 1
    assert FollowUp.objects.get().rating.case == case


def test_track_rate_before_closing_refused(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.DECIDED)

    response = tracked(gov, case).post("/govservice/track/status/", {"grade": "5"})

    assert response.status_code == 400
    assert not Rating.objects.exists()


# Officers --------------------------------------------------------------------------------------


def test_receive_page_shows_code_once_and_logs(gov: GovWorld) -> None:
    client = client_for(gov.users["jlp_clerk"])

    response = client.post(
        "/govservice/cases/new/",
        {
            "window": gov.jiulongpo_window.pk,
            "matter": gov.xindu_matter.pk,
            "applicant_name": "李四",
            "applicant_phone": "139 0000 1111",
            "applicant_id_number": "",
        },
    )

    case = Case.objects.get()
    body = response.content.decode()
    assert response.status_code == 200
    assert "data-receipt-code" in body
    assert "139****1111" in body and "13900001111" not in body
    assert (case.receiving_region.code, case.handling_region.code, case.state) == (
        "500107",
        "510114",
        "received",
    )


def _receive_with_id_number(gov: GovWorld, id_number: str) -> Any:
    return client_for(gov.users["jlp_clerk"]).post(
        "/govservice/cases/new/",
        {
            "window": gov.jiulongpo_window.pk,
            "matter": gov.xindu_matter.pk,
            "applicant_name": "李四",
            "applicant_phone": "139 0000 1111",
            "applicant_id_number": id_number,
        },
    )


def test_receive_page_accepts_jiulongpo_resident_born_1985_with_500107(gov: GovWorld) -> None:
    from stdnum.cn import ric

    body = "50010719850101123"  # a 1985 birth under the code Jiulongpo has since 1997
    number = body + ric.calc_check_digit(body + "0")

    response = _receive_with_id_number(gov, f"{number[:6]} {number[6:14]} {number[14:]}")

    assert response.status_code == 200
    assert Case.objects.get().applicant_id_number.reveal() == number


def test_receive_page_names_what_is_wrong_with_the_id_number(gov: GovWorld) -> None:
    from stdnum.cn import ric

    body = "51021320000101123"  # Sichuan's Jiulongpo code, retired before 2000
    response = _receive_with_id_number(gov, body + ric.calc_check_digit(body + "0"))

    errors = re.findall(r'data-error-for="applicant_id_number">([^<]*)<', response.content.decode())
    assert response.status_code == 400
    assert errors == ["前六位（地址码）不是号码中出生日期当天或之后施行过的行政区划代码。"]
    assert not Case.objects.exists()


def test_receive_page_reviewer_without_window_refused(gov: GovWorld) -> None:
    response = client_for(gov.users["xd_reviewer"]).get("/govservice/cases/new/")

    assert response.status_code == 403


def test_case_detail_shows_only_allowed_actions(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.IN_TRANSIT)

    clerk = client_for(gov.users["jlp_clerk"]).get(f"/govservice/cases/{case.pk}/")
    reviewer = client_for(gov.users["xd_reviewer"]).get(f"/govservice/cases/{case.pk}/")

    assert clerk.status_code == reviewer.status_code == 200
    assert _actions(clerk) == ["withdraw"]
    assert _actions(reviewer) == ["deliver", "pause", "extend"]


@pytest.mark.parametrize(("role", "shown"), [("xd_reviewer", "张三"), ("analyst", "张*")])
def test_case_detail_masks_applicant_name_outside_the_case_districts_staff(
    gov: GovWorld, role: str, shown: str
) -> None:
    gov.users["analyst"] = make_user("analyst", Role.ANALYST)
    case = gov.receive()

    html = client_for(gov.users[role]).get(f"/govservice/cases/{case.pk}/").content.decode()

    assert f"{shown} · 138****8000" in html
    assert ("张三" in html) == (shown == "张三")


def _actions(response: Any) -> list[str]:
    import re

    return re.findall(r'data-action-form="([a-z_]+)"', response.content.decode())


def test_case_action_dispatch_records_waybill(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.ACCEPTED)

    response = client_for(gov.users["jlp_clerk"]).post(
        f"/govservice/cases/{case.pk}/dispatch/",
        {"dispatch-courier": "EMS", "dispatch-waybill": "1187654321"},
    )

    case.refresh_from_db()
    assert response.status_code == 302
    assert (case.state, case.courier, case.waybill) == ("in_transit", "EMS", "1187654321")


def test_case_action_not_in_table_refused(gov: GovWorld) -> None:
    case = gov.receive()

    response = client_for(gov.users["jlp_clerk"]).post(f"/govservice/cases/{case.pk}/close/")

    case.refresh_from_db()
    assert response.status_code == 400
    assert case.state == "received"


def test_case_action_missing_waybill_changes_nothing(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.ACCEPTED)

    response = client_for(gov.users["jlp_clerk"]).post(
        f"/govservice/cases/{case.pk}/dispatch/", {"dispatch-courier": "EMS"}
    )

    case.refresh_from_db()
    assert response.status_code == 400
    assert case.state == "accepted"


def test_case_action_other_side_refused(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.IN_TRANSIT)
    materials = [str(m.pk) for m in case.matter_version.materials.all()]

    response = client_for(gov.users["jlp_clerk"]).post(
        f"/govservice/cases/{case.pk}/deliver/", {"deliver-received": materials}
    )

    case.refresh_from_db()
    assert response.status_code == 403
    assert case.state == "in_transit"


def test_case_detail_hides_rating(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.CLOSED)
    services.case_rate(case=case, grade=1, comment="态度很差")

    response = client_for(gov.users["jlp_clerk"]).get(f"/govservice/cases/{case.pk}/")

    assert "态度很差" not in response.content.decode()
    assert (
        client_for(gov.users["jlp_clerk"])
        .get("/govservice/follow-ups/")
        .content.decode()
        .count("data-follow-up=")
        == 0
    )


def test_follow_up_close_page_by_supervisor(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.CLOSED)
    services.case_rate(case=case, grade=2, comment="等太久")
    follow_up = FollowUp.objects.get()
    client = client_for(gov.users["jlp_supervisor"])

    listed = client.get("/govservice/follow-ups/")
    empty = client.post(f"/govservice/follow-ups/{follow_up.pk}/close/", {"response": ""})
    closed = client.post(
        f"/govservice/follow-ups/{follow_up.pk}/close/", {"response": "已回访并说明原因。"}
    )

    follow_up.refresh_from_db()
    assert 'data-open="yes"' in listed.content.decode()
    assert (empty.status_code, closed.status_code) == (400, 302)
    assert follow_up.response == "已回访并说明原因。"


def test_queue_sorted_by_deadline_with_highlights(gov: GovWorld) -> None:
    today = timezone.localdate()
    late = gov.advance(gov.receive(), CaseState.ACCEPTED, now=at(2025, 9, 26))
    Case.objects.filter(pk=late.pk).update(deadline=today - datetime.timedelta(days=1))
    soon = gov.advance(gov.receive(), CaseState.ACCEPTED, now=at(2025, 9, 26))
    Case.objects.filter(pk=soon.pk).update(deadline=today)
    fresh = gov.receive()

    response = client_for(gov.users["jlp_clerk"]).get("/govservice/")

    import re

    rows = re.findall(r'data-case="(\d+)" data-due="(\w+)"', response.content.decode())
    assert rows == [(late.number, "overdue"), (soon.number, "nearly"), (fresh.number, "ok")]


def test_queue_reviewer_sees_cases_waiting_on_handling_side(gov: GovWorld) -> None:
    waiting = gov.advance(gov.receive(), CaseState.IN_TRANSIT)
    gov.advance(gov.receive(), CaseState.ACCEPTED)  # waiting on the clerk

    response = client_for(gov.users["xd_reviewer"]).get("/govservice/")

    assert response.content.decode().count("data-case=") == 1
    assert waiting.number in response.content.decode()


@pytest.mark.parametrize("rows", [1, 3])
def test_queue_query_count_constant(
    gov: GovWorld, django_assert_num_queries: Any, rows: int
) -> None:
    for _ in range(rows):
        gov.advance(gov.receive(), CaseState.ACCEPTED)
    client = client_for(gov.users["jlp_clerk"])
    client.get("/govservice/")  # warm the session and the principal

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get("/govservice/")

    assert response.content.decode().count("data-case=") == rows


# The calendar warning and the "nearly due" limit each read the entries and the published years.
QUEUE_QUERIES = 12


@pytest.mark.parametrize("rows", [1, 3])
def test_follow_up_list_query_count_constant(
    gov: GovWorld, django_assert_num_queries: Any, rows: int
) -> None:
    TimeLimit.objects.create(limit_class=LimitClass.GENERAL, amount=5, remind_before=1)
    for _ in range(rows):
        case = gov.advance(gov.receive(), CaseState.CLOSED)
        services.case_rate(case=case, grade=1)
        request = green_channel.request_receive(
            region=gov.jiulongpo_window.region,
            kind="policy",
            enterprise_name="重庆某制造企业",
            contact_name="李经理",
            contact_phone="13800138000",
            subject="用地政策咨询",
            body="咨询用地政策。",
            actor=None,
        ).request
        for action in ("dispatch", "handle", "answer", "close"):
            request = green_channel.request_act(
                request=request, action=action, actor=gov.users["jlp_clerk"], text="已答复"
            )
        green_channel.request_act(request=request, action="rate", actor=None, grade=1)
    client = client_for(gov.users["jlp_supervisor"])
    client.get("/govservice/follow-ups/")

    with django_assert_num_queries(FOLLOW_UP_QUERIES):
        response = client.get("/govservice/follow-ups/")

    assert response.content.decode().count("data-follow-up=") == 2 * rows


FOLLOW_UP_QUERIES = 6


def test_transition_log_has_no_update_path(gov: GovWorld) -> None:
    case = gov.receive()

    response = client_for(gov.users["jlp_clerk"]).post(f"/govservice/cases/{case.pk}/receive/")

    assert response.status_code == 404
    assert CaseTransition.objects.filter(case=case).count() == 1
