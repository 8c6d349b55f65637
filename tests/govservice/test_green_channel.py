"""The enterprise green channel: time limits by class (days or hours), the table, reminders."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from tests.conftest import region
from tests.govservice.conftest import SHANGHAI, GovWorld, at
from xiqia.core.errors import DomainError
from xiqia.govservice import green_channel, services
from xiqia.govservice.models import (
    EnterpriseRequest,
    FollowUp,
    LimitClass,
    LimitUnit,
    ReminderKind,
    RequestReminder,
    RequestState,
    RequestStep,
    TimeLimit,
)

DAYS, HOURS = LimitUnit.WORKING_DAYS, LimitUnit.WORKING_HOURS


@pytest.fixture
def limits(db: Any) -> None:
    TimeLimit.objects.create(limit_class=LimitClass.URGENT, unit=HOURS, amount=24, remind_before=4)
    TimeLimit.objects.create(limit_class=LimitClass.GENERAL, unit=DAYS, amount=5, remind_before=1)
    TimeLimit.objects.create(limit_class=LimitClass.COMPLEX, unit=DAYS, amount=15, remind_before=3)


def receive(
    actor: Any, limit_class: str = LimitClass.GENERAL, **extra: Any
) -> green_channel.RequestReceipt:
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


def local(moment: datetime.datetime) -> tuple[int, int, int, int, int]:
    moment = moment.astimezone(SHANGHAI)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute)


@pytest.mark.parametrize(
    ("limit_class", "due", "remind"),
    [
        # Friday 26 September 2025, 10:00. Sunday 28 September and Saturday 11 October are
        # worked; 1–8 October and Saturday 27 September are off.
        # 24 working hours: 14 h on Friday, 10 h on the worked Sunday; reminder 4 h earlier.
        (LimitClass.URGENT, (2025, 9, 28, 10, 0), (2025, 9, 28, 6, 0)),
        # 5 working days: 28 Sep, 29, 30, 9 Oct, 10 Oct → end of 10 October; reminder on 9 Oct.
        (LimitClass.GENERAL, (2025, 10, 10, 23, 59), (2025, 10, 9, 0, 0)),
        (LimitClass.COMPLEX, (2025, 10, 23, 23, 59), (2025, 10, 20, 0, 0)),
    ],
)
def test_request_receive_time_limit_by_class(
    gov: GovWorld, limits: None, limit_class: str, due: tuple, remind: tuple
) -> None:
    request = receive(gov.users["xd_clerk"], limit_class).request

    assert (local(request.due_at), local(request.remind_at)) == (due, remind)
    assert (request.state, request.due_provisional) == ("received", False)
    assert str(request.contact_phone) == "138****8000"


def test_request_time_limit_in_hours_skips_the_spring_festival(gov: GovWorld, limits: None) -> None:
    # Friday 13 February 2026, 16:00: 15–23 February are off, Saturday 14 February is worked.
    request = receive(None, LimitClass.URGENT, now=at(2026, 2, 13, 16)).request

    assert local(request.due_at) == (2026, 2, 14, 16, 0)

    TimeLimit.objects.filter(limit_class=LimitClass.URGENT).update(amount=48, remind_before=1)
    later = receive(None, LimitClass.URGENT, now=at(2026, 2, 13, 16)).request

    assert local(later.due_at) == (2026, 2, 24, 16, 0)


def test_request_time_limit_past_the_calendar_is_provisional(gov: GovWorld, limits: None) -> None:
    request = receive(None, LimitClass.COMPLEX, now=at(2026, 12, 24)).request

    assert request.due_provisional is True


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


def test_request_found_only_with_its_code(gov: GovWorld, limits: None) -> None:
    receipt = receive(None)
    number = receipt.request.number

    assert green_channel.request_by_number_and_code(number, receipt.verification_code) == (
        receipt.request
    )
    wrong = "000000" if receipt.verification_code != "000000" else "111111"
    assert green_channel.request_by_number_and_code(number, wrong) is None
    assert green_channel.request_by_number_and_code("GC0", receipt.verification_code) is None


def test_request_path_to_rated_logs_every_step(gov: GovWorld, limits: None) -> None:
    officer = gov.users["xd_reviewer"]
    request = receive(None).request

    for action, text in (
        ("dispatch", "新都区金融工作局"),
        ("handle", "已对接两家银行"),
        ("answer", "符合贴息条件，已告知申报材料。"),
        ("close", ""),
    ):
        request = green_channel.request_act(
            request=request, action=action, actor=officer, text=text
        )
    request = green_channel.request_act(
        request=request, action="rate", actor=None, grade=2, text="答复太慢"
    )

    steps = list(RequestStep.objects.filter(request=request).values_list("from_state", "to_state"))
    assert (request.state, request.department, request.grade) == (
        RequestState.RATED,
        "新都区金融工作局",
        2,
    )
    assert steps == [
        ("", "received"),
        ("received", "dispatched"),
        ("dispatched", "handled"),
        ("handled", "answered"),
        ("answered", "closed"),
        ("closed", "rated"),
    ]
    assert not RequestStep.objects.filter(note="答复太慢").exists()  # the staff never see it


def closed(actor: Any) -> EnterpriseRequest:
    request = receive(None).request
    for action in ("dispatch", "handle", "answer", "close"):
        request = green_channel.request_act(
            request=request, action=action, actor=actor, text="新都区金融工作局"
        )
    return request


@pytest.mark.parametrize("grade", [1, 2])
def test_request_rate_poor_opens_follow_up(gov: GovWorld, limits: None, grade: int) -> None:
    request = closed(gov.users["xd_clerk"])

    green_channel.request_act(
        request=request,
        action="rate",
        actor=None,
        grade=grade,
        text="答复太慢",
        now=at(2025, 10, 9),
    )

    follow_up = FollowUp.objects.get()
    assert (follow_up.request, follow_up.rating, follow_up.region.code) == (request, None, "510114")
    assert (follow_up.opened_at, follow_up.closed_at) == (at(2025, 10, 9), None)
    assert (follow_up.number, follow_up.comment) == (request.number, "答复太慢")


@pytest.mark.parametrize("grade", [3, 4, 5])
def test_request_rate_good_opens_no_follow_up(gov: GovWorld, limits: None, grade: int) -> None:
    request = closed(gov.users["xd_clerk"])

    green_channel.request_act(request=request, action="rate", actor=None, grade=grade)

    assert FollowUp.objects.count() == 0


def test_request_follow_up_closed_by_district_supervisor_only(gov: GovWorld, limits: None) -> None:
    request = closed(gov.users["xd_clerk"])
    green_channel.request_act(request=request, action="rate", actor=None, grade=1)
    follow_up = FollowUp.objects.get()

    for username in ("jlp_supervisor", "xd_clerk"):
        with pytest.raises(PermissionDenied):
            services.follow_up_close(
                follow_up=follow_up, actor=gov.users[username], response="已回访"
            )
    services.follow_up_close(
        follow_up=follow_up, actor=gov.users["xd_supervisor"], response="已回访并说明原因。"
    )

    follow_up.refresh_from_db()
    assert (follow_up.response, follow_up.closed_by) == (
        "已回访并说明原因。",
        gov.users["xd_supervisor"],
    )


def test_follow_up_without_rating_or_request_refused(gov: GovWorld) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(region=region("510114"), opened_at=at(2025, 10, 9))


def test_request_dispatch_reclassifies_from_receipt(gov: GovWorld, limits: None) -> None:
    request = receive(None).request

    request = green_channel.request_act(
        request=request,
        action="dispatch",
        actor=gov.users["xd_clerk"],
        text="新都区人才办",
        limit_class=LimitClass.COMPLEX,
    )

    assert (request.limit_class, local(request.due_at)) == ("complex", (2025, 10, 23, 23, 59))


def test_request_officer_action_by_nobody_or_other_district_refused(
    gov: GovWorld, limits: None
) -> None:
    request = receive(None).request

    with pytest.raises(PermissionDenied):
        green_channel.request_act(request=request, action="dispatch", actor=None, text="x")
    with pytest.raises(PermissionDenied):
        green_channel.request_act(
            request=request, action="dispatch", actor=gov.users["jlp_clerk"], text="x"
        )

    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED


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
    request = receive(None).request
    EnterpriseRequest.objects.filter(pk=request.pk).update(state=state)

    with pytest.raises(DomainError) as refused:
        green_channel.request_act(
            request=request, action=action, actor=gov.users["xd_clerk"], text="x", grade=5
        )

    request.refresh_from_db()
    assert refused.value.code == "transition_not_allowed"
    assert request.state == state


def test_requests_remind_once_per_kind(gov: GovWorld, limits: None) -> None:
    general = receive(None).request
    urgent = receive(None, LimitClass.URGENT).request

    before = green_channel.requests_remind(now=at(2025, 9, 27, 12))
    near = green_channel.requests_remind(now=at(2025, 10, 9, 8))
    again = green_channel.requests_remind(now=at(2025, 10, 9, 9))
    overdue = green_channel.requests_remind(now=at(2025, 10, 11, 8))

    assert before == []
    assert [(r.request.number, r.kind) for r in near] == [
        (urgent.number, ReminderKind.BEFORE_DUE),
        (general.number, ReminderKind.BEFORE_DUE),
        (urgent.number, ReminderKind.OVERDUE),
    ]
    assert again == []
    assert [(r.request.number, r.kind) for r in overdue] == [(general.number, ReminderKind.OVERDUE)]
    assert RequestReminder.objects.count() == 4


def test_requests_remind_skips_answered_requests(gov: GovWorld, limits: None) -> None:
    officer = gov.users["xd_clerk"]
    request = receive(None).request
    for action in ("dispatch", "handle", "answer"):
        request = green_channel.request_act(request=request, action=action, actor=officer, text="x")

    assert green_channel.requests_remind(now=at(2025, 12, 1)) == []


def test_remind_command_is_idempotent(gov: GovWorld, limits: None) -> None:
    import io

    from django.core.management import call_command

    receive(None, now=at(2025, 1, 2))
    first, second = io.StringIO(), io.StringIO()

    call_command("govservice_remind", stdout=first)
    call_command("govservice_remind", stdout=second)

    assert first.getvalue().splitlines()[-1] == "2 reminder(s) recorded."
    assert second.getvalue().splitlines()[-1] == "0 reminder(s) recorded."
