"""Government-service API: the catalogue, scoped cases, actions through the same services."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import make_user
from tests.govservice.conftest import GovWorld, make_matter
from xiqia.accounts.models import Role
from xiqia.govservice.models import CaseState, CaseTransition


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_api_matters_lists_current_version_and_materials(gov: GovWorld) -> None:
    response = Client().get("/api/v1/govservice/matters/")

    rows = {row["code"]: row for row in response.json()["results"]}
    assert response.status_code == 200
    assert rows["XD-0001"]["region"] == "510114"
    assert rows["XD-0001"]["current_version"]["committed_days"] == 5
    assert [m["name_zh"] for m in rows["XD-0001"]["current_version"]["materials"]] == [
        "申请书",
        "营业执照",
    ]


def test_api_cases_scoped_to_district(gov: GovWorld) -> None:
    local = gov.receive(matter=gov.jiulongpo_matter)
    cross = gov.receive()

    xindu = client_for(gov.users["xd_reviewer"]).get("/api/v1/govservice/cases/").json()
    jiulongpo = client_for(gov.users["jlp_clerk"]).get("/api/v1/govservice/cases/").json()

    assert [row["number"] for row in xindu["results"]] == [cross.number]
    assert {row["number"] for row in jiulongpo["results"]} == {local.number, cross.number}
    assert jiulongpo["results"][0]["applicant_phone"] == "138****8000"


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("jlp_clerk", "张三"),  # receiving district's staff
        ("xd_reviewer", "张三"),  # handling district's staff
        ("analyst", "张*"),
        ("admin", "张*"),
    ],
)
def test_api_case_applicant_name_full_only_for_the_case_districts_staff(
    gov: GovWorld, role: str, shown: str
) -> None:
    gov.users["analyst"] = make_user("analyst", Role.ANALYST)
    gov.users["admin"] = make_user("admin", Role.PLATFORM_ADMIN)
    case = gov.receive()

    rows = client_for(gov.users[role]).get("/api/v1/govservice/cases/").json()["results"]
    one = client_for(gov.users[role]).get(f"/api/v1/govservice/cases/{case.pk}/").json()

    assert [row["applicant_name"] for row in rows] == [shown]
    assert one["applicant_name"] == shown
    assert one["applicant_phone"] == "138****8000"


def test_api_case_action_dispatch(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.ACCEPTED)

    response = client_for(gov.users["jlp_clerk"]).post(
        f"/api/v1/govservice/cases/{case.pk}/actions/dispatch/",
        data=json.dumps({"courier": "EMS", "waybill": "1187654321"}),
        content_type="application/json",
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["state"], body["waybill"], body["allowed_actions"]) == (
        "in_transit",
        "1187654321",
        ["withdraw"],
    )


def test_api_case_action_not_in_table_refused_with_code(gov: GovWorld) -> None:
    case = gov.receive()

    response = client_for(gov.users["jlp_clerk"]).post(
        f"/api/v1/govservice/cases/{case.pk}/actions/decide/",
        data=json.dumps({"decision": "approved", "document": "1"}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "transition_not_allowed"
    assert CaseTransition.objects.filter(case=case).count() == 1


def test_api_case_action_invalid_input_changes_nothing(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.ACCEPTED)

    response = client_for(gov.users["jlp_clerk"]).post(
        f"/api/v1/govservice/cases/{case.pk}/actions/dispatch/",
        data=json.dumps({"courier": "EMS"}),
        content_type="application/json",
    )

    case.refresh_from_db()
    assert response.status_code == 400
    assert case.state == CaseState.ACCEPTED


@pytest.mark.parametrize("rows", [1, 3])
def test_api_cases_query_count_constant(
    gov: GovWorld, django_assert_num_queries: Any, rows: int
) -> None:
    for _ in range(rows):
        gov.receive()
    client = client_for(gov.users["jlp_clerk"])
    client.get("/api/v1/govservice/cases/")

    with django_assert_num_queries(CASES_QUERIES):
        response = client.get("/api/v1/govservice/cases/")

    assert response.json()["count"] == rows


CASES_QUERIES = 8  # one of them reads the user's window posts (whose names show in full)


@pytest.mark.parametrize("rows", [1, 3])
def test_api_matters_query_count_constant(
    gov: GovWorld, django_assert_num_queries: Any, rows: int
) -> None:
    for i in range(rows - 1):
        make_matter(f"XD-1{i:03d}", "510114")
    client = Client()

    with django_assert_num_queries(MATTERS_QUERIES):
        response = client.get("/api/v1/govservice/matters/")

    assert response.json()["count"] == rows + 1  # and the Jiulongpo matter


MATTERS_QUERIES = 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"courier": {"name": "EMS"}, "waybill": "1187654321"}, "courier"),
        ({"courier": "EMS", "waybill": ["1187654321"]}, "waybill"),
        (["EMS", "1187654321"], "non_field_errors"),
    ],
)
def test_api_case_action_wrong_json_types_refused_at_the_boundary(
    gov: GovWorld, body: Any, field: str
) -> None:
    case = gov.advance(gov.receive(), CaseState.ACCEPTED)

    response = client_for(gov.users["jlp_clerk"]).post(
        f"/api/v1/govservice/cases/{case.pk}/actions/dispatch/",
        data=json.dumps(body),
        content_type="application/json",
    )

    case.refresh_from_db()
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert case.state == CaseState.ACCEPTED


def test_api_case_action_number_where_text_expected_is_read_as_text(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.ACCEPTED)

    response = client_for(gov.users["jlp_clerk"]).post(
        f"/api/v1/govservice/cases/{case.pk}/actions/dispatch/",
        data=json.dumps({"courier": "EMS", "waybill": 1187654321}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["waybill"] == "1187654321"
