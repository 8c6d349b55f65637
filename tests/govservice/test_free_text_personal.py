"""ID and mobile numbers typed into a green-channel request: masked for all but its officers.

The district's officers (who read the contact in full) read the numbers as typed; analysts,
administrators and everyone else read them masked, on the page, in the API and in an export
(``dumpdata``). The database holds them only encrypted; the submitter is warned on the form.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.conftest import make_user
from tests.govservice.conftest import ID_NUMBER, GovWorld
from tests.govservice.test_green_channel_pages import client_for, limits, submit
from xiqia.accounts.models import Role
from xiqia.govservice import green_channel
from xiqia.govservice.models import EnterpriseRequest, RequestStep

__all__ = ["limits"]  # the fixture, imported for these tests

PHONE = "13912345678"
BODY = f"法人张伟，身份证号 {ID_NUMBER}，请回电 139 1234 5678 商量贴息材料。订单号 20210520123。"
MASKED_BODY = (
    "法人张伟，身份证号 110105********002X，请回电 139****5678 商量贴息材料。订单号 20210520123。"
)


@pytest.fixture
def typed(gov: GovWorld, limits: None) -> EnterpriseRequest:
    response = submit(Client(), body=BODY)
    assert response.status_code == 200
    assert "data-numbers-masked" in response.content.decode()
    gov.users["analyst"] = make_user("analyst", Role.ANALYST)
    gov.users["admin"] = make_user("admin", Role.PLATFORM_ADMIN)
    return EnterpriseRequest.objects.get()


def stored(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - fixed names
        return " ".join(row[0] for row in cursor.fetchall())


def test_submit_form_warns_about_numbers_in_the_text(gov: GovWorld, limits: None) -> None:
    html = Client().get("/govservice/green-channel/submit/").content.decode()
    assert "请勿在此填写身份证号或手机号" in html
    # No number typed, no warning on the receipt.
    receipt = submit(Client()).content.decode()
    assert "data-numbers-masked" not in receipt


def test_request_text_is_stored_without_plaintext_numbers(typed: EnterpriseRequest) -> None:
    raw = stored("govservice_enterpriserequest", "body")
    assert raw.startswith(MASKED_BODY)
    for needle in (ID_NUMBER, PHONE, "1234 5678", "19491231"):
        assert needle not in raw
    assert typed.body == MASKED_BODY
    assert typed.body.reveal() == BODY


@pytest.mark.parametrize("role", ["analyst", "admin", "xd_clerk"])
def test_request_page_shows_numbers_only_to_the_district_officers(
    gov: GovWorld, typed: EnterpriseRequest, role: str
) -> None:
    html = client_for(gov.users[role]).get(f"/govservice/green-channel/{typed.pk}/")
    page = html.content.decode()
    assert html.status_code == 200
    if role == "xd_clerk":
        assert f"<p data-body>{BODY}</p>" in page
    else:
        assert f"<p data-body>{MASKED_BODY}</p>" in page
        assert ID_NUMBER not in page
        assert "1234 5678" not in page


@pytest.mark.parametrize("role", ["analyst", "admin", "xd_reviewer"])
def test_request_api_shows_numbers_only_to_the_district_officers(
    gov: GovWorld, typed: EnterpriseRequest, role: str
) -> None:
    client = client_for(gov.users[role])
    one = client.get(f"/api/v1/govservice/requests/{typed.pk}/").json()
    listed = client.get("/api/v1/govservice/requests/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    expected = BODY if role == "xd_reviewer" else MASKED_BODY
    assert one["body"] == expected
    assert [row["body"] for row in rows] == [expected]


def test_answer_and_step_notes_are_masked_for_others(
    gov: GovWorld, typed: EnterpriseRequest
) -> None:
    officer = gov.users["xd_clerk"]
    request = typed
    for action, text in (
        ("dispatch", "新都区经信局"),
        ("handle", f"已电话联系 {PHONE}"),
        ("answer", f"已电话联系 {PHONE}"),
    ):
        request = green_channel.request_act(
            request=request, action=action, actor=officer, text=text
        )
    analyst_page = client_for(gov.users["analyst"]).get(f"/govservice/green-channel/{typed.pk}/")
    officer_page = client_for(officer).get(f"/govservice/green-channel/{typed.pk}/")
    analyst_api = client_for(gov.users["analyst"]).get(f"/api/v1/govservice/requests/{typed.pk}/")
    assert PHONE not in analyst_page.content.decode()
    assert "已电话联系 139****5678" in analyst_page.content.decode()
    # The handling note, the answer, and the two steps' notes.
    assert officer_page.content.decode().count(f"已电话联系 {PHONE}") == 4
    assert analyst_api.json()["answer"] == "已电话联系 139****5678"
    assert PHONE not in stored("govservice_requeststep", "note")
    assert PHONE not in stored("govservice_enterpriserequest", "answer")
    assert RequestStep.objects.filter(request=typed).count() == 4


def test_export_writes_the_masked_text(typed: EnterpriseRequest) -> None:
    out = io.StringIO()
    call_command("dumpdata", "govservice.enterpriserequest", "govservice.requeststep", stdout=out)
    dumped = out.getvalue()
    assert "110105********002X" in dumped
    assert ID_NUMBER not in dumped
    assert PHONE not in dumped


def test_subject_keeps_a_typed_number_masked_only(gov: GovWorld, limits: None) -> None:
    submit(Client(), subject=f"贴息 联系{PHONE}")
    request = EnterpriseRequest.objects.get()
    assert request.subject == "贴息 联系139****5678"
    assert PHONE not in stored("govservice_enterpriserequest", "subject")


def test_request_text_keeps_a_number_that_is_not_personal(typed: EnterpriseRequest) -> None:
    # An order number of 11 digits starting 20… is no mobile number: shown as typed to all.
    assert typed.body.masked.endswith("订单号 20210520123。")
