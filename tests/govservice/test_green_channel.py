"""The enterprise green channel: due days by class, the request table, reminders."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import region
from tests.govservice.conftest import GovWorld, at
from xiqia.core.errors import DomainError
from xiqia.govservice import green_channel
from xiqia.govservice.models import EnterpriseRequest, LimitClass, RequestState, TimeLimit


@pytest.fixture
def limits(db: Any) -> None:
    TimeLimit.objects.create(limit_class=LimitClass.URGENT, working_days=1, remind_days_before=0)
    TimeLimit.objects.create(limit_class=LimitClass.GENERAL, working_days=5, remind_days_before=1)
    TimeLimit.objects.create(limit_class=LimitClass.COMPLEX, working_days=15, remind_days_before=3)


def receive(actor: Any, limit_class: str = LimitClass.GENERAL, **extra: Any) -> EnterpriseRequest:
    return green_channel.request_receive(
        region=region("510114"),
        kind="financing",
        enterprise_name="成都宝钢制罐",
        contact_name="刘经理",
        contact_phone="13800138000",
        subject="技改贷款贴息",
        body="咨询技改项目贷款贴息政策及申报流程。",
        limit_class=limit_class,
        actor=actor,
        now=extra.pop("now", at(2025, 9, 26)),
        **extra,
    )


@pytest.mark.parametrize(
    ("limit_class", "due", "remind"),
    [
        # Friday 26 September 2025; Sunday 28 September and Saturday 11 October are worked,
        # 1–8 October are off.
        (LimitClass.URGENT, datetime.date(2025, 9, 28), datetime.date(2025, 9, 28)),
        (LimitClass.GENERAL, datetime.date(2025, 10, 10), datetime.date(2025, 10, 9)),
        (LimitClass.COMPLEX, datetime.date(2025, 10, 23), datetime.date(2025, 10, 20)),
    ],
)
def test_request_receive_due_by_class(
    gov: GovWorld, limits: None, limit_class: str, due: datetime.date, remind: datetime.date
) -> None:
    request = receive(gov.users["xd_clerk"], limit_class)

    assert (request.due_on, request.remind_on, request.state) == (due, remind, "received")
    assert str(request.contact_phone) == "138****8000"


def test_request_receive_by_other_district_refused(gov: GovWorld, limits: None) -> None:
    with pytest.raises(PermissionDenied):
        receive(gov.users["jlp_clerk"])

    assert EnterpriseRequest.objects.count() == 0


def test_request_receive_bad_phone_changes_nothing(gov: GovWorld, limits: None) -> None:
    with pytest.raises(DomainError) as refused:
        green_channel.request_receive(
            region=region("510114"),
            kind="financing",
            enterprise_name="x",
            contact_name="y",
            contact_phone="123",
            subject="s",
            body="b",
            actor=None,
        )

    assert set(refused.value.fields) == {"contact_phone"}
    assert EnterpriseRequest.objects.count() == 0


def test_request_path_to_rated(gov: GovWorld, limits: None) -> None:
    officer = gov.users["xd_reviewer"]
    request = receive(officer)

    for action, text in (
        ("dispatch", "新都区金融工作局"),
        ("handle", "已对接两家银行"),
        ("answer", "符合贴息条件，已告知申报材料。"),
        ("close", ""),
    ):
        request = green_channel.request_act(
            request=request, action=action, actor=officer, text=text
        )
    request = green_channel.request_act(request=request, action="rate", actor=None, grade=5)

    assert (request.state, request.department, request.grade) == (
        RequestState.RATED,
        "新都区金融工作局",
        5,
    )


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (s, a)
        for s in RequestState
        for a in ("dispatch", "handle", "answer", "close", "rate")
        if (s, a) not in green_channel.TABLE
    ],
)
def test_request_action_not_in_table_refused(
    gov: GovWorld, limits: None, state: str, action: str
) -> None:
    request = receive(None)
    EnterpriseRequest.objects.filter(pk=request.pk).update(state=state)

    with pytest.raises(DomainError) as refused:
        green_channel.request_act(request=request, action=action, actor=None, text="x", grade=5)

    request.refresh_from_db()
    assert refused.value.code == "transition_not_allowed"
    assert request.state == state


def test_requests_remind_once_on_the_day(gov: GovWorld, limits: None) -> None:
    general = receive(None)
    urgent = receive(None, LimitClass.URGENT)

    before = green_channel.requests_remind(today=datetime.date(2025, 9, 27))
    on_day = green_channel.requests_remind(today=datetime.date(2025, 10, 9))
    again = green_channel.requests_remind(today=datetime.date(2025, 10, 9))

    assert before == []
    assert [r.number for r in on_day] == [urgent.number, general.number]
    assert again == []
