"""The government-service demo: facts and generated cases, every state, the 20-minute case."""

from __future__ import annotations

from typing import Any

import pytest

from xiqia.core.origin import Origin
from xiqia.govservice import demo, services
from xiqia.govservice.models import Case, CaseState, Matter, Window

# The demo is loaded once for the module (demo_db), on the worker that runs the demo tests.
pytestmark = pytest.mark.xdist_group("demo")


@pytest.fixture
def loaded(demo_db: str, db: Any) -> None:
    """The whole demo, as ``load_demo`` left it (each test in its own savepoint)."""


def test_demo_windows_of_both_districts_are_facts(loaded: None) -> None:
    windows = Window.objects.filter(origin=Origin.FACT).values_list("region__code", flat=True)

    assert sorted(windows) == ["500107", "510114"]


def test_demo_matters_marked_illustrative(loaded: None) -> None:
    assert Matter.objects.count() == len(demo.MATTERS)
    assert all(m.is_illustrative for m in Matter.objects.all())


def test_demo_cases_in_every_state(loaded: None) -> None:
    states = set(Case.objects.values_list("state", flat=True))

    assert states == set(CaseState.values)


def test_demo_first_case_from_intake_to_result_under_twenty_minutes(loaded: None) -> None:
    case = Case.objects.get(number=demo.FIRST_CASE)

    minutes = (case.result_issued_at - case.received_at).total_seconds() / 60
    assert (case.receiving_region.code, case.handling_region.code) == ("500107", "510114")
    assert minutes == 18


def test_demo_cases_trackable_with_demo_code(loaded: None) -> None:
    case = Case.objects.get(number=demo.FIRST_CASE)

    assert services.case_by_number_and_code(case.number, demo.DEMO_CODE) == case


def test_demo_green_channel_in_every_state_and_the_pairing_as_fact(loaded: None) -> None:
    from xiqia.govservice.models import EnterpriseRequest, PairingAgreement, RequestState

    requests = EnterpriseRequest.objects.all()
    agreement = PairingAgreement.objects.select_related("first_party", "second_party").get()

    assert set(requests.values_list("state", flat=True)) == set(RequestState.values)
    assert set(requests.values_list("origin", flat=True)) == {Origin.GENERATED}
    assert (agreement.first_party.code, agreement.second_party.code) == ("500107", "510114")
    assert (agreement.origin, agreement.signed_on) == (Origin.FACT, None)
    assert agreement.title_zh == "政务服务“跨省通办”结对共建协议"
