"""The supervision figures, against values computed by hand from a small set of cases.

Four cases, all received at the Jiulongpo window on Friday 26 September 2025:

====  ==============  ========  =========  ========================  =====================
case  matter          received  accepted   deadline (5 working days)  decided / rated
====  ==============  ========  =========  ========================  =====================
A     Xindu XD-0001   09:00     09:12      10 October                9 October (in time), 5
B     Xindu XD-0001   09:00     09:30      10 October                13 October (late), 1
C     Jiulongpo       10:00     10:20      10 October                not yet: overdue on 20 Oct
D     Jiulongpo       10:00     —          —                         —
====  ==============  ========  =========  ========================  =====================

Minutes from intake to acceptance: 12, 30, 20 → median 20. Decided 2, in time 1 → 50 %.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from tests.govservice.conftest import GovWorld, at
from xiqia.govservice import selectors, services
from xiqia.govservice.models import CaseState

TODAY = datetime.date(2025, 10, 20)


@pytest.fixture
def four(gov: GovWorld) -> dict[str, Any]:
    a = gov.receive(now=at(2025, 9, 26, 9, 0))
    gov.advance(a, CaseState.ACCEPTED, now=at(2025, 9, 26, 9, 12))
    gov.advance(a, CaseState.DECIDED, now=at(2025, 10, 9, 15))
    gov.advance(a, CaseState.RATED, now=at(2025, 10, 10, 9))
    b = gov.receive(now=at(2025, 9, 26, 9, 0))
    gov.advance(b, CaseState.ACCEPTED, now=at(2025, 9, 26, 9, 30))
    gov.advance(b, CaseState.CLOSED, now=at(2025, 10, 13, 15))
    services.case_rate(case=b, grade=1, now=at(2025, 10, 14))
    c = gov.receive(matter=gov.jiulongpo_matter, now=at(2025, 9, 26, 10, 0))
    gov.advance(c, CaseState.ACCEPTED, now=at(2025, 9, 26, 10, 20))
    d = gov.receive(matter=gov.jiulongpo_matter, now=at(2025, 9, 26, 10, 0))
    return {"a": a, "b": b, "c": c, "d": d}


def test_supervision_figures_match_hand_computed(gov: GovWorld, four: dict[str, Any]) -> None:
    figures = selectors.supervision(who=gov.users["jlp_supervisor"], today=TODAY)

    assert [(r["matter"], r["district"], r["count"]) for r in figures.per_matter_district] == [
        ("JLP-0001", "500107", 2),
        ("XD-0001", "500107", 2),
    ]
    assert (figures.decided, figures.decided_within_limit, figures.share_within_limit) == (
        2,
        1,
        0.5,
    )
    assert [case.number for case in figures.overdue] == [four["c"].number]
    assert figures.median_minutes_to_acceptance == 20
    assert [(g["grade"], g["count"]) for g in figures.grades] == [
        (5, 1),
        (4, 0),
        (3, 0),
        (2, 0),
        (1, 1),
    ]


def test_supervision_figures_scoped_to_xindu(gov: GovWorld, four: dict[str, Any]) -> None:
    figures = selectors.supervision(who=gov.users["xd_reviewer"], today=TODAY)

    assert [(r["matter"], r["count"]) for r in figures.per_matter_district] == [("XD-0001", 2)]
    assert figures.overdue == []
    assert figures.median_minutes_to_acceptance == 21  # median of 12 and 30


def test_supervision_figures_empty(gov: GovWorld) -> None:
    figures = selectors.supervision(who=gov.users["jlp_clerk"], today=TODAY)

    assert (figures.decided, figures.share_within_limit, figures.median_minutes_to_acceptance) == (
        0,
        None,
        None,
    )


def test_supervision_page_shows_figures_and_tables(gov: GovWorld, four: dict[str, Any]) -> None:
    client = Client()
    client.force_login(gov.users["jlp_supervisor"])

    html = client.get("/govservice/supervision/").content.decode()

    assert 'data-share-within="1/2"' in html
    assert 'data-median-minutes="20' in html
    assert 'data-row="XD-0001-500107"' in html
    assert 'data-chart="matter-chart"' in html and 'id="matter-chart"' in html


@pytest.mark.parametrize(("username", "status"), [("participant", 403), ("analyst", 200)])
def test_supervision_page_access(gov: GovWorld, username: str, status: int) -> None:
    from tests.conftest import make_user
    from xiqia.accounts.models import Role

    user = make_user(username, Role.PARTICIPANT if username == "participant" else Role.ANALYST)
    client = Client()
    client.force_login(user)

    assert client.get("/govservice/supervision/").status_code == status
