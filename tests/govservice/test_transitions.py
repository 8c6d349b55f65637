"""The case state machine: the table, every refused pair, the log and the actors."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from tests.govservice.conftest import GovWorld, at
from xiqia.core.errors import DomainError
from xiqia.govservice import services
from xiqia.govservice.models import (
    Case,
    CaseExtension,
    CaseState,
    CaseTransition,
    FollowUp,
    Rating,
)
from xiqia.govservice.transitions import TABLE, Action, actions_from

NOW = at(2025, 9, 29, 11)


def call(action: Action, gov: GovWorld, case: Case) -> Any:
    """Perform ``action`` on ``case`` with valid input and an actor of the right side."""
    clerk, reviewer = gov.users["jlp_clerk"], gov.users["xd_reviewer"]
    materials = [m.pk for m in case.matter_version.materials.all()]
    calls: dict[Action, Callable[[], Any]] = {
        Action.PRECHECK: lambda: services.case_precheck(case=case, actor=clerk, now=NOW),
        Action.REJECT: lambda: services.case_reject(case=case, actor=clerk, reason="x", now=NOW),
        Action.REQUEST_SUPPLEMENT: lambda: services.case_request_supplement(
            case=case, actor=clerk, missing=["a"], now=NOW
        ),
        Action.RESUBMIT: lambda: services.case_resubmit(case=case, actor=clerk, now=NOW),
        Action.ACCEPT: lambda: services.case_accept(case=case, actor=clerk, now=NOW),
        Action.DISPATCH: lambda: services.case_dispatch(
            case=case, actor=clerk, courier="EMS", waybill="1", now=NOW
        ),
        Action.DELIVER: lambda: services.case_deliver(
            case=case, actor=reviewer, received_material_ids=materials, now=NOW
        ),
        Action.PAUSE: lambda: services.case_pause(
            case=case, actor=reviewer, kind="expert_review", reason="x", now=NOW
        ),
        Action.RESUME: lambda: services.case_resume(case=case, actor=reviewer, now=NOW),
        Action.EXTEND: lambda: services.case_extend(
            case=case, actor=reviewer, days=1, reason="x", now=NOW
        ),
        Action.SCHEDULE_REVIEW: lambda: services.case_schedule_review(
            case=case, actor=reviewer, at=NOW, participants="x", now=NOW
        ),
        Action.RECORD_REVIEW: lambda: services.case_record_review(
            case=case, actor=reviewer, minutes="x", now=NOW
        ),
        Action.DECIDE: lambda: services.case_decide(
            case=case, actor=reviewer, decision="approved", document="x", now=NOW
        ),
        Action.ISSUE_RESULT: lambda: services.case_issue_result(case=case, actor=reviewer, now=NOW),
        Action.RECOGNISE: lambda: services.case_recognise(case=case, actor=clerk, now=NOW),
        Action.CLOSE: lambda: services.case_close(case=case, actor=clerk, now=NOW),
        Action.RATE: lambda: services.case_rate(case=case, grade=5, now=NOW),
        Action.WITHDRAW: lambda: services.case_withdraw(
            case=case, actor=clerk, reason="x", now=NOW
        ),
    }
    return calls[action]()


REFUSED_PAIRS = [
    (state, action) for state in CaseState for action in Action if (state, action) not in TABLE
]
ALLOWED_PAIRS = [
    (state, action)
    for (state, action) in TABLE
    if action not in (Action.RESUME,)  # needs an open pause: tested on its own
]


def test_table_every_state_but_the_last_has_a_way_out() -> None:
    terminal = {s for s in CaseState if not actions_from(s)}

    assert terminal == {CaseState.RATED, CaseState.WITHDRAWN}


@pytest.mark.parametrize(("state", "action"), REFUSED_PAIRS, ids=lambda v: str(v))
def test_transition_not_in_table_refused(gov: GovWorld, state: str, action: Action) -> None:
    case = gov.advance(gov.receive(), state)
    log_before = CaseTransition.objects.filter(case=case).count()

    with pytest.raises(DomainError) as refused:
        call(action, gov, case)

    case.refresh_from_db()
    assert refused.value.code == "transition_not_allowed"
    assert case.state == state
    assert CaseTransition.objects.filter(case=case).count() == log_before


@pytest.mark.parametrize(("state", "action"), ALLOWED_PAIRS, ids=lambda v: str(v))
def test_transition_in_table_moves_and_logs(gov: GovWorld, state: str, action: Action) -> None:
    case = gov.advance(gov.receive(), state)

    call(action, gov, case)

    case.refresh_from_db()
    last = CaseTransition.objects.filter(case=case).last()
    assert case.state == TABLE[(state, action)].target
    assert (last.action, last.from_state, last.to_state) == (
        action,
        state,
        TABLE[(state, action)].target,
    )


def test_transition_refusal_message_translated(gov: GovWorld) -> None:
    from django.utils import translation

    case = gov.receive()
    with translation.override("zh-hans"), pytest.raises(DomainError) as refused:
        services.case_close(case=case, actor=gov.users["jlp_clerk"], now=NOW)

    assert "Close" not in str(refused.value.message)


def test_case_path_logs_who_role_district(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.RATED)

    log = list(
        CaseTransition.objects.filter(case=case).values_list(
            "action", "from_state", "to_state", "actor__username", "role", "region__code"
        )
    )

    assert log == [
        ("receive", "", "received", "jlp_clerk", "clerk", "500107"),
        ("precheck", "received", "precheck", "jlp_clerk", "clerk", "500107"),
        ("accept", "precheck", "accepted", "jlp_clerk", "clerk", "500107"),
        ("dispatch", "accepted", "in_transit", "jlp_clerk", "clerk", "500107"),
        ("deliver", "in_transit", "delivered", "xd_reviewer", "reviewer", "510114"),
        ("schedule_review", "delivered", "review_scheduled", "xd_reviewer", "reviewer", "510114"),
        ("record_review", "review_scheduled", "reviewed", "xd_reviewer", "reviewer", "510114"),
        ("decide", "reviewed", "decided", "xd_reviewer", "reviewer", "510114"),
        ("issue_result", "decided", "result_issued", "xd_reviewer", "reviewer", "510114"),
        ("recognise", "result_issued", "recognised", "jlp_clerk", "clerk", "500107"),
        ("close", "recognised", "closed", "jlp_clerk", "clerk", "500107"),
        ("rate", "closed", "rated", None, "applicant", None),
    ]


@pytest.mark.parametrize(
    ("username", "action"),
    [
        ("xd_reviewer", Action.PRECHECK),  # the handling district does not take in
        ("jlp_reviewer", Action.PRECHECK),  # a reviewer is not a clerk
        ("xd_clerk", Action.PRECHECK),  # nor is the other district's clerk
        ("jlp_clerk", Action.DELIVER),  # the receiving district does not take delivery
        ("jlp_reviewer", Action.DELIVER),  # a Jiulongpo reviewer does not review Xindu matters
    ],
)
def test_transition_wrong_side_refused(gov: GovWorld, username: str, action: Action) -> None:
    state = CaseState.RECEIVED if action == Action.PRECHECK else CaseState.IN_TRANSIT
    case = gov.advance(gov.receive(), state)
    user = gov.users[username]

    with pytest.raises(PermissionDenied):
        if action == Action.PRECHECK:
            services.case_precheck(case=case, actor=user, now=NOW)
        else:
            services.case_deliver(case=case, actor=user, received_material_ids=[], now=NOW)

    case.refresh_from_db()
    assert case.state == state


def test_case_rate_by_staff_refused(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.CLOSED)

    with pytest.raises(PermissionDenied):
        services.case_rate(case=case, grade=1, actor=gov.users["jlp_clerk"], now=NOW)

    assert not Rating.objects.exists()


def test_case_rate_poor_opens_follow_up(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.CLOSED)

    services.case_rate(case=case, grade=2, comment="等太久", now=NOW)

    follow_up = FollowUp.objects.get()
    assert (follow_up.rating.case, follow_up.region.code, follow_up.closed_at) == (
        case,
        "500107",
        None,
    )


def test_case_rate_good_opens_no_follow_up(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.CLOSED)

    services.case_rate(case=case, grade=3, now=NOW)

    assert FollowUp.objects.count() == 0


def test_case_rate_twice_refused(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.RATED)

    with pytest.raises(DomainError):
        services.case_rate(case=case, grade=1, now=NOW)

    assert Rating.objects.get().grade == 5


def test_follow_up_close_needs_response(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.CLOSED)
    services.case_rate(case=case, grade=1, now=NOW)
    follow_up = FollowUp.objects.get()

    with pytest.raises(DomainError):
        services.follow_up_close(
            follow_up=follow_up, actor=gov.users["jlp_supervisor"], response="  "
        )
    services.follow_up_close(
        follow_up=follow_up, actor=gov.users["jlp_supervisor"], response="已致电说明并改进。"
    )

    follow_up.refresh_from_db()
    assert follow_up.response == "已致电说明并改进。"
    assert follow_up.closed_by == gov.users["jlp_supervisor"]


@pytest.mark.parametrize("username", ["jlp_clerk", "xd_supervisor"])
def test_follow_up_close_by_other_than_district_supervisor_refused(
    gov: GovWorld, username: str
) -> None:
    case = gov.advance(gov.receive(), CaseState.CLOSED)
    services.case_rate(case=case, grade=1, now=NOW)

    with pytest.raises(PermissionDenied):
        services.follow_up_close(
            follow_up=FollowUp.objects.get(), actor=gov.users[username], response="好"
        )

    assert FollowUp.objects.get().closed_at is None


def test_case_request_supplement_empty_list_refused(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.PRECHECK)

    with pytest.raises(DomainError):
        services.case_request_supplement(
            case=case, actor=gov.users["jlp_clerk"], missing=["", " "], now=NOW
        )

    case.refresh_from_db()
    assert case.state == CaseState.PRECHECK


def test_case_request_supplement_lists_everything_and_pauses(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.PRECHECK)

    services.case_request_supplement(
        case=case, actor=gov.users["jlp_clerk"], missing=["营业执照复印件", "委托书"], now=NOW
    )
    services.case_resubmit(case=case, actor=gov.users["jlp_clerk"], now=at(2025, 9, 30))

    pause = case.pauses.get()
    assert case.state == CaseState.PRECHECK
    assert (pause.kind, pause.first_day, pause.last_day) == (
        "supplement",
        datetime.date(2025, 9, 29),
        datetime.date(2025, 9, 30),
    )
    assert CaseTransition.objects.get(case=case, action="request_supplement").reason == (
        "营业执照复印件\n委托书"
    )


def test_case_deliver_missing_material_refused(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.IN_TRANSIT)
    first = case.matter_version.materials.first()

    with pytest.raises(DomainError) as refused:
        services.case_deliver(
            case=case, actor=gov.users["xd_reviewer"], received_material_ids=[first.pk], now=NOW
        )

    case.refresh_from_db()
    assert "营业执照" in str(refused.value.message)
    assert case.state == CaseState.IN_TRANSIT


def test_case_extend_beyond_ten_days_refused(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.DELIVERED)
    reviewer = gov.users["xd_reviewer"]
    services.case_extend(case=case, actor=reviewer, days=7, reason="需要现场核查", now=NOW)

    with pytest.raises(DomainError):
        services.case_extend(case=case, actor=reviewer, days=4, reason="再延", now=NOW)

    case.refresh_from_db()
    assert case.extension_days == 7
    assert CaseExtension.objects.filter(case=case).count() == 1


def test_case_decide_while_paused_refused(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.REVIEWED)
    reviewer = gov.users["xd_reviewer"]
    services.case_pause(case=case, actor=reviewer, kind="expert_review", reason="专家评审", now=NOW)

    with pytest.raises(DomainError):
        services.case_decide(case=case, actor=reviewer, decision="approved", document="1", now=NOW)

    case.refresh_from_db()
    assert case.state == CaseState.REVIEWED


def test_case_receive_invalid_phone_changes_nothing(gov: GovWorld) -> None:
    with pytest.raises(DomainError) as refused:
        services.case_receive(
            window=gov.jiulongpo_window,
            matter=gov.xindu_matter,
            applicant_name="张三",
            applicant_phone="12345",
            actor=gov.users["jlp_clerk"],
        )

    assert set(refused.value.fields) == {"applicant_phone"}
    assert Case.objects.count() == 0


def test_case_receive_by_other_district_clerk_refused(gov: GovWorld) -> None:
    with pytest.raises(PermissionDenied):
        services.case_receive(
            window=gov.jiulongpo_window,
            matter=gov.xindu_matter,
            applicant_name="张三",
            applicant_phone="13800138000",
            actor=gov.users["xd_clerk"],
        )

    assert Case.objects.count() == 0


def test_case_receive_code_stored_hashed(gov: GovWorld) -> None:
    case = gov.receive()
    code = gov.codes[case.number]

    assert code not in case.verification_code_hash
    assert services.case_by_number_and_code(case.number, code) == case
    assert (
        services.case_by_number_and_code(case.number, "000000" if code != "000000" else "1") is None
    )
    assert services.case_by_number_and_code("nope", code) is None


def test_case_accept_freezes_version_in_force(gov: GovWorld) -> None:
    from tests.govservice.conftest import make_matter  # noqa: F401  (same builder)

    case = gov.advance(gov.receive(), CaseState.ACCEPTED)
    first = case.matter_version
    services.matter_version_publish(
        matter=gov.xindu_matter,
        name_zh="食品经营许可（第二版）",
        matter_type="licence",
        department_zh="市场监督管理局",
        handling_mode="joint",
        statutory_days=20,
        committed_days=3,
        result_type="licence",
    )

    case.refresh_from_db()
    assert case.matter_version == first
    assert gov.xindu_matter.current_version.number == 2
