"""Overdue means a running clock past its deadline: the work queue and the supervision page agree.

Four cases of the Xindu matter (5 working days), all accepted at the Jiulongpo window on Friday
26 September 2025, so all due on Friday 10 October 2025 (1–8 October off, Sunday 28 September
and Saturday 11 October worked). Today is Monday 20 October 2025.

=========  ==========================================  ===========================  =======
case       what happened                               whose queue                  overdue
=========  ==========================================  ===========================  =======
running    accepted, nothing since                     Jiulongpo clerk (dispatch)   yes
answered   decided on 9 October, before the deadline   Xindu reviewer (issue)       no
issued     decided on 13 October (late), issued        Jiulongpo clerk (deliver)    no
paused     delivered, paused on 9 October, still       Xindu reviewer (review)      no
=========  ==========================================  ===========================  =======
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.govservice.conftest import SHANGHAI, GovWorld, at
from xiqia.govservice import selectors, services
from xiqia.govservice.models import Case, CaseState

TODAY = datetime.datetime(2025, 10, 20, 10, tzinfo=SHANGHAI)


@pytest.fixture
def cases(gov: GovWorld) -> dict[str, Case]:
    running = gov.advance(gov.receive(), CaseState.ACCEPTED, now=at(2025, 9, 26))
    answered = gov.advance(gov.receive(), CaseState.REVIEWED, now=at(2025, 9, 26))
    answered = gov.advance(answered, CaseState.DECIDED, now=at(2025, 10, 9))
    issued = gov.advance(gov.receive(), CaseState.REVIEWED, now=at(2025, 9, 26))
    issued = gov.advance(issued, CaseState.RESULT_ISSUED, now=at(2025, 10, 13))
    paused = gov.advance(gov.receive(), CaseState.DELIVERED, now=at(2025, 9, 26))
    services.case_pause(
        case=paused,
        actor=gov.users["xd_reviewer"],
        kind="expert_review",
        reason="专家评审",
        now=at(2025, 10, 9),
    )
    found = {"running": running, "answered": answered, "issued": issued, "paused": paused}
    for case in found.values():
        case.refresh_from_db()
    return found


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_cases_all_due_on_10_october(cases: dict[str, Case]) -> None:
    assert {name: case.deadline for name, case in cases.items()} == {
        name: datetime.date(2025, 10, 10) for name in cases
    }


def test_overdue_queue_and_supervision_agree_only_running_clock(
    gov: GovWorld, cases: dict[str, Case]
) -> None:
    with time_machine.travel(TODAY, tick=False):
        queued = selectors.work_queue(who=gov.users["jlp_clerk"]) + selectors.work_queue(
            who=gov.users["xd_reviewer"]
        )
        figures = selectors.supervision(who=gov.users["jlp_supervisor"])

    assert sorted(case.number for case in queued) == sorted(c.number for c in cases.values())
    assert [case.number for case in queued if case.overdue] == [cases["running"].number]
    assert [case.number for case in queued if case.nearly_due] == []
    assert [case.number for case in figures.overdue] == [cases["running"].number]


def test_overdue_pages_agree_answered_case_not_overdue(
    gov: GovWorld, cases: dict[str, Case]
) -> None:
    with time_machine.travel(TODAY, tick=False):
        clerk = client_for(gov.users["jlp_clerk"]).get("/govservice/").content.decode()
        reviewer = client_for(gov.users["xd_reviewer"]).get("/govservice/").content.decode()
        supervision = (
            client_for(gov.users["jlp_supervisor"]).get("/govservice/supervision/").content.decode()
        )

    rows = dict(re.findall(r'data-case="(\d+)" data-due="(\w+)"', clerk + reviewer))
    overdue_table = supervision.split("data-overdue>", 1)[1].split("</table>", 1)[0]
    assert rows == {
        cases["running"].number: "overdue",
        cases["answered"].number: "ok",
        cases["issued"].number: "ok",
        cases["paused"].number: "ok",
    }
    assert re.findall(r">(\d{6,})</a>", overdue_table) == [cases["running"].number]
    assert "data-overdue-count>1<" in supervision


def test_overdue_paused_after_the_deadline_stays_overdue(gov: GovWorld) -> None:
    late = gov.advance(gov.receive(), CaseState.DELIVERED, now=at(2025, 9, 26))
    services.case_pause(
        case=late,
        actor=gov.users["xd_reviewer"],
        kind="expert_review",
        reason="专家评审",
        now=at(2025, 10, 14),
    )

    with time_machine.travel(TODAY, tick=False):
        queued = selectors.work_queue(who=gov.users["xd_reviewer"])
        figures = selectors.supervision(who=gov.users["jlp_supervisor"])

    assert [(case.number, case.overdue) for case in queued] == [(late.number, True)]
    assert [case.number for case in figures.overdue] == [late.number]
