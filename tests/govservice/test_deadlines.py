"""Legal deadlines of cases in working days: the two checks of the issue and the properties."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import make_user
from tests.govservice.conftest import GovWorld, at, make_matter
from xiqia.accounts.models import Role
from xiqia.core import workdays
from xiqia.core.models import CalendarDay, CalendarYear
from xiqia.govservice import services
from xiqia.govservice.deadlines import case_deadline
from xiqia.govservice.models import CaseState


def d(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day)


def test_case_accept_2025_09_26_plus_20_is_2025_10_30(gov: GovWorld) -> None:
    matter = make_matter("XD-0020", "510114", committed=20, statutory=20)
    case = gov.receive(matter=matter, now=at(2025, 9, 26, 9))

    gov.advance(case, CaseState.ACCEPTED, now=at(2025, 9, 26, 10))

    case.refresh_from_db()
    assert (case.accepted_on, case.deadline, case.deadline_provisional) == (
        d(2025, 9, 26),
        d(2025, 10, 30),
        False,
    )


def test_case_accept_2026_02_12_plus_5_is_2026_02_26(gov: GovWorld) -> None:
    case = gov.receive(now=at(2026, 2, 12, 9))

    gov.advance(case, CaseState.ACCEPTED, now=at(2026, 2, 12, 10))

    case.refresh_from_db()
    assert (case.deadline, case.deadline_provisional) == (d(2026, 2, 26), False)


def test_case_pause_moves_deadline_by_paused_working_days(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.DELIVERED, now=at(2025, 9, 26, 10))
    reviewer = gov.users["xd_reviewer"]
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October worked. Accepted
    # Friday 26 September: 28, 29, 30 September, 9, 10 October are days 1 to 5.
    before = case.deadline

    services.case_pause(
        case=case, actor=reviewer, kind="expert_review", reason="专家评审", now=at(2025, 9, 29)
    )
    services.case_resume(case=case, actor=reviewer, now=at(2025, 9, 30))

    case.refresh_from_db()
    assert before == d(2025, 10, 10)
    # 29 and 30 September paused: 28 Sep, 9, 10, 11 (Saturday worked), 13 October
    assert case.deadline == d(2025, 10, 13)


def test_case_extend_moves_deadline_by_extension(gov: GovWorld) -> None:
    case = gov.advance(gov.receive(), CaseState.DELIVERED, now=at(2025, 9, 26, 10))

    services.case_extend(
        case=case, actor=gov.users["xd_reviewer"], days=3, reason="现场核查", now=at(2025, 9, 29)
    )

    case.refresh_from_db()
    # 10 October + 3: Saturday 11 (worked), Monday 13, Tuesday 14
    assert (case.extension_days, case.deadline) == (3, d(2025, 10, 14))


def test_case_deadline_past_calendar_horizon_provisional(db: Any) -> None:
    deadline, provisional = case_deadline(d(2026, 12, 24), 10)

    assert provisional is True
    # 25, 28–31 December 2026, then 2027 estimated: Friday 1 January is New Year's Day, so
    # 4, 5, 6, 7, 8 January
    assert deadline == d(2027, 1, 8)


def test_case_deadline_one_day_entered_stays_provisional(db: Any) -> None:
    CalendarDay.objects.create(date=d(2027, 1, 4), kind=CalendarDay.Kind.HOLIDAY)

    deadline, provisional = case_deadline(d(2026, 12, 24), 10)

    # The entry is used in the estimate, but 2027 is not published: 5–8, 11 January.
    assert (deadline, provisional) == (d(2027, 1, 11), True)


def test_case_deadline_exact_once_next_year_published(db: Any) -> None:
    CalendarDay.objects.create(date=d(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY)
    CalendarYear.objects.create(
        year=2027, published=True, notice_number="国办发明电〔2026〕1号", notice_date=d(2026, 11, 5)
    )

    deadline, provisional = case_deadline(d(2026, 12, 24), 10)

    assert (deadline, provisional) == (d(2027, 1, 8), False)  # New Year's Day not counted


def test_workdays_past_horizon_refused(db: Any) -> None:
    with pytest.raises(workdays.CalendarUnknown):
        workdays.working_deadline(d(2026, 12, 24), 10)


# Properties on the official calendar the package knows (2005–2026) ------------------------------

KNOWN = st.dates(min_value=d(2019, 1, 1), max_value=d(2026, 9, 30))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(accepted=KNOWN, limit=st.integers(min_value=1, max_value=30))
def test_case_deadline_always_working_day(db: Any, accepted: datetime.date, limit: int) -> None:
    deadline, provisional = case_deadline(accepted, limit)

    assert not provisional
    assert workdays.is_working_day(deadline)
    assert workdays.working_days_between(accepted, deadline) == limit


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    accepted=KNOWN,
    limit=st.integers(min_value=1, max_value=30),
    offset=st.integers(min_value=1, max_value=40),
    length=st.integers(min_value=0, max_value=20),
)
def test_case_pause_of_k_working_days_moves_deadline_by_k(
    db: Any, accepted: datetime.date, limit: int, offset: int, length: int
) -> None:
    first = accepted + datetime.timedelta(offset)
    last = first + datetime.timedelta(length)
    before, _ = case_deadline(accepted, limit)
    assume(last < before)  # a pause that ends before the deadline it would move
    k = workdays.working_days_between(first - datetime.timedelta(1), last)

    after, _ = case_deadline(accepted, limit, [(first, last)])

    assert workdays.is_working_day(after)
    assert workdays.working_days_between(before, after) == k


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    accepted=KNOWN,
    limit=st.integers(min_value=1, max_value=30),
    gap=st.integers(min_value=0, max_value=20),
)
def test_case_pause_after_deadline_changes_nothing(
    db: Any, accepted: datetime.date, limit: int, gap: int
) -> None:
    before, _ = case_deadline(accepted, limit)
    first = before + datetime.timedelta(1 + gap)

    after, _ = case_deadline(accepted, limit, [(first, first + datetime.timedelta(3))])

    assert after == before


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (d(2026, 10, 31), None),  # before November: no warning yet
        (d(2026, 11, 1), 2027),  # 2027 not published
        (d(2025, 11, 20), None),  # 2026 is known
    ],
)
def test_calendar_warning_from_november_when_next_year_missing(
    db: Any, today: datetime.date, expected: int | None
) -> None:
    from xiqia.govservice.selectors import calendar_warning_year

    assert calendar_warning_year(today) == expected


def test_calendar_warning_stays_while_next_year_only_has_entries(db: Any) -> None:
    from xiqia.govservice.selectors import calendar_warning_year

    CalendarDay.objects.create(date=d(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY)

    assert calendar_warning_year(d(2026, 11, 1)) == 2027


def test_calendar_warning_gone_once_next_year_published(db: Any) -> None:
    from xiqia.govservice.selectors import calendar_warning_year

    CalendarYear.objects.create(
        year=2027, published=True, notice_number="国办发明电〔2026〕1号", notice_date=d(2026, 11, 5)
    )

    assert calendar_warning_year(d(2026, 11, 1)) is None


WEEKDAY_HOLIDAYS_2027 = [
    d(2027, 1, 1),
    d(2027, 2, 5),
    d(2027, 2, 8),
    d(2027, 4, 5),
    d(2027, 6, 9),
    d(2027, 9, 15),
    d(2027, 10, 1),
]


def test_case_deadline_recomputed_when_2027_published_and_unpublished(gov: GovWorld) -> None:
    from xiqia.core import services as core_services

    matter = make_matter("XD-0010", "510114", committed=10, statutory=20)
    received = gov.receive(matter=matter, now=at(2026, 12, 24, 9))
    case = gov.advance(received, CaseState.ACCEPTED, now=at(2026, 12, 24, 10))
    case.refresh_from_db()
    assert (case.deadline, case.deadline_provisional) == (d(2027, 1, 8), True)
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, kind=CalendarDay.Kind.HOLIDAY) for day in WEEKDAY_HOLIDAYS_2027
    )
    CalendarDay.objects.create(date=d(2027, 1, 4), kind=CalendarDay.Kind.REST_DAY)  # the notice's
    admin = make_user("calendar_admin", Role.PLATFORM_ADMIN)

    with time_machine.travel(at(2026, 11, 20), tick=False):
        core_services.calendar_year_set(
            actor=admin,
            year=2027,
            published=True,
            notice_number="国办发明电〔2026〕9号",
            notice_date=d(2026, 11, 12),
        )
    case.refresh_from_db()
    published = (case.deadline, case.deadline_provisional)
    core_services.calendar_year_set(actor=admin, year=2027, published=False)
    case.refresh_from_db()

    # 25, 28–31 December, then 1 and 4 January off: 5, 6, 7, 8, 11 January
    assert published == (d(2027, 1, 11), False)
    assert (case.deadline, case.deadline_provisional) == (d(2027, 1, 11), True)
