"""The published years of the official calendar and the estimate of the years not published.

Hand-checked 2027 (not published when this was written): 1 January is a Friday; the first day
of the first lunar month (正月初一) is Saturday 6 February, so under the 2025 amendment of
《全国年节及纪念日放假办法》 the Spring Festival is Friday 5 (除夕) to Monday 8 February, and the
weekend days 6 and 7 are made up on Tuesday 9 and Wednesday 10 (Article 6). Qingming is Monday
5 April; Labour Day Saturday 1 and Sunday 2 May (made up Monday 3 and Tuesday 4); Dragon Boat
Wednesday 9 June; Mid-Autumn Wednesday 15 September; National Day Friday 1 to Sunday 3 October
(made up Monday 4 and Tuesday 5).
"""

from __future__ import annotations

import datetime
from typing import Any

import chinese_calendar
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import World
from xiqia.core import holidays, services, workdays
from xiqia.core.errors import DomainError
from xiqia.core.models import CalendarDay, CalendarYear
from xiqia.core.origin import Origin
from xiqia.govservice.deadlines import case_deadline, working_hours_deadline

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))

# The statutory holidays of 2027 that fall on a weekday: what the notice must at least contain.
WEEKDAY_HOLIDAYS_2027 = [
    datetime.date(2027, 1, 1),
    datetime.date(2027, 2, 5),
    datetime.date(2027, 2, 8),
    datetime.date(2027, 4, 5),
    datetime.date(2027, 6, 9),
    datetime.date(2027, 9, 15),
    datetime.date(2027, 10, 1),
]


def d(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day)


@pytest.fixture
def november_2026() -> Any:
    """Today is 20 November 2026: the notice on 2027 has just been published."""
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=SHANGHAI), tick=False):
        yield


def enter_2027_holidays() -> None:
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, kind=CalendarDay.Kind.HOLIDAY) for day in WEEKDAY_HOLIDAYS_2027
    )


# The statutory holidays (plain Python) ---------------------------------------------------------


def test_statutory_holidays_2027_hand_checked() -> None:
    assert holidays.statutory_holidays(2027) == {
        d(2027, 1, 1): "new_year",
        d(2027, 2, 5): "spring_festival",
        d(2027, 2, 6): "spring_festival",
        d(2027, 2, 7): "spring_festival",
        d(2027, 2, 8): "spring_festival",
        d(2027, 4, 5): "qingming",
        d(2027, 5, 1): "labour_day",
        d(2027, 5, 2): "labour_day",
        d(2027, 6, 9): "dragon_boat",
        d(2027, 9, 15): "mid_autumn",
        d(2027, 10, 1): "national_day",
        d(2027, 10, 2): "national_day",
        d(2027, 10, 3): "national_day",
    }


def test_estimated_days_off_2027_add_make_up_days_for_weekend_holidays() -> None:
    make_up = [day for day, name in holidays.estimated_days_off(2027).items() if name == "make_up"]

    assert make_up == [
        d(2027, 2, 9),
        d(2027, 2, 10),
        d(2027, 5, 3),
        d(2027, 5, 4),
        d(2027, 10, 4),
        d(2027, 10, 5),
    ]


@pytest.mark.parametrize(
    ("year", "count", "spring_festival"),
    [
        (2013, 11, [d(2013, 2, 9), d(2013, 2, 10), d(2013, 2, 11)]),  # 2007 text: 除夕 to 初二
        (2024, 11, [d(2024, 2, 10), d(2024, 2, 11), d(2024, 2, 12)]),  # 2013 text: 初一 to 初三
        (2025, 13, [d(2025, 1, 28), d(2025, 1, 29), d(2025, 1, 30), d(2025, 1, 31)]),  # 2024
    ],
)
def test_statutory_holidays_follow_the_version_in_force(
    year: int, count: int, spring_festival: list[datetime.date]
) -> None:
    days = holidays.statutory_holidays(year)

    assert len(days) == count
    assert [day for day, name in days.items() if name == "spring_festival"] == spring_festival


@pytest.mark.parametrize("year", range(2004, 2027))
def test_statutory_holidays_are_days_off_in_every_published_year(year: int) -> None:
    # The State Council's arrangements always give the statutory holidays: a cross-check of the
    # regulation's versions, the lunar dates and Qingming against chinese-calendar.
    worked = [day for day in holidays.statutory_holidays(year) if chinese_calendar.is_workday(day)]
    assert worked == []


@given(st.integers(min_value=2025, max_value=2099))
def test_statutory_holidays_2025_text_in_every_later_year(year: int) -> None:
    days = holidays.statutory_holidays(year)
    names = list(days.values())

    assert all(day.year == year for day in days)
    assert names.count("spring_festival") == 4 and names.count("labour_day") == 2
    assert [d(year, 1, 1), d(year, 10, 1), d(year, 10, 2), d(year, 10, 3)] == [
        day for day in days if (day.month, day.day) in {(1, 1), (10, 1), (10, 2), (10, 3)}
    ]
    # 12 when Mid-Autumn falls within National Day (as in 2028), 13 otherwise
    assert len(days) in (12, 13)


def test_statutory_holidays_refused_outside_the_regulations() -> None:
    with pytest.raises(ValueError):
        holidays.statutory_holidays(1999)
    with pytest.raises(ValueError):
        holidays.statutory_holidays(2100)


def test_estimating_calendar_counts_2027_from_the_statutory_holidays() -> None:
    calendar = workdays.WorkingCalendar(published_years=[2026], estimate=True)

    # Thu 4 Feb 2027 accepted: 5 Feb off, weekend, 8 off, 9 and 10 made up: Thu 11 Feb.
    assert calendar.working_deadline(d(2027, 2, 4), 1) == d(2027, 2, 11)
    # Wed 29 Sep 2027: Thu 30 (1); 1–5 Oct off; Wed 6 (2).
    assert calendar.working_deadline(d(2027, 9, 29), 2) == d(2027, 10, 6)
    assert calendar.estimated_years == {2027}


# The published flag -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_calendar_year_seeded_published_2004_to_2026() -> None:
    published = CalendarYear.objects.filter(published=True)

    assert sorted(published.values_list("year", flat=True)) == list(range(2004, 2027))
    assert set(published.values_list("origin", "notice_number")) == {(Origin.FACT, "")}
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_year_with_one_day_entered_not_published() -> None:
    CalendarDay.objects.create(date=d(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY)

    calendar = workdays.calendar_for(d(2027, 1, 1), d(2027, 1, 31))

    assert calendar.covers_year(2027) is False
    with pytest.raises(workdays.CalendarUnknown):
        workdays.working_deadline(d(2026, 12, 24), 10)


@pytest.mark.django_db
def test_calendar_year_set_publishes_with_notice_and_days_become_exact(
    world: World, november_2026: None
) -> None:
    enter_2027_holidays()
    CalendarDay.objects.create(date=d(2027, 2, 20), kind=CalendarDay.Kind.ADJUSTED_WORKING_DAY)

    row = services.calendar_year_set(
        actor=world.users["admin"],
        year=2027,
        published=True,
        notice_number=" 国办发明电〔2026〕9号 ",
        notice_date=d(2026, 11, 12),
    )

    assert (row.published, row.notice_number, row.notice_date, row.origin) == (
        True,
        "国办发明电〔2026〕9号",
        d(2026, 11, 12),
        Origin.ENTERED,
    )
    assert row.history.get().history_user == world.users["admin"]
    # Exact now: the entries and the week; Saturday 20 February is worked.
    assert workdays.working_deadline(d(2026, 12, 24), 10) == d(2027, 1, 8)
    assert workdays.is_working_day(d(2027, 2, 20)) is True
    assert workdays.is_working_day(d(2027, 2, 9)) is True  # no estimated make-up day
    assert case_deadline(d(2027, 2, 4), 1) == (d(2027, 2, 9), False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("notice_number", "notice_date", "field"),
    [
        ("", d(2026, 11, 12), "notice_number"),
        ("国办发明电〔2026〕9号", None, "notice_date"),
        ("国办发明电〔2026〕9号", d(2026, 11, 21), "notice_date"),  # after today
    ],
)
def test_calendar_year_set_refuses_an_incomplete_notice(
    world: World,
    november_2026: None,
    notice_number: str,
    notice_date: datetime.date | None,
    field: str,
) -> None:
    enter_2027_holidays()

    with pytest.raises(DomainError) as caught:
        services.calendar_year_set(
            actor=world.users["admin"],
            year=2027,
            published=True,
            notice_number=notice_number,
            notice_date=notice_date,
        )

    assert list(caught.value.fields) == [field]
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_calendar_year_set_refuses_until_the_statutory_holidays_are_entered(
    world: World, november_2026: None
) -> None:
    CalendarDay.objects.create(date=d(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY)

    with pytest.raises(DomainError) as caught:
        services.calendar_year_set(
            actor=world.users["admin"],
            year=2027,
            published=True,
            notice_number="国办发明电〔2026〕9号",
            notice_date=d(2026, 11, 12),
        )

    assert list(caught.value.fields) == ["published"]
    message = str(caught.value.fields["published"][0])
    assert "2027-02-05" in message and "2027-10-01" in message and "2027-01-01" not in message
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_calendar_year_set_unpublish_makes_deadlines_provisional_again(world: World) -> None:
    services.calendar_year_set(actor=world.users["admin"], year=2026, published=False)

    assert case_deadline(d(2026, 3, 2), 3) == (d(2026, 3, 5), True)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["organiser", "analyst", "participant"])
def test_calendar_year_set_refused_to_others(world: World, role: str) -> None:
    enter_2027_holidays()

    with pytest.raises(PermissionDenied):
        services.calendar_year_set(
            actor=world.users[role],
            year=2027,
            published=True,
            notice_number="国办发明电〔2026〕9号",
            notice_date=d(2026, 11, 12),
        )

    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_calendar_year_published_entered_without_notice_refused_by_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarYear.objects.create(year=2027, published=True, origin=Origin.ENTERED)


def test_admin_calendar_year_add_refused_then_published(world: World, november_2026: None) -> None:
    client = world.client_for("admin")
    form = {"year": "2027", "published": "on", "notice_number": "", "notice_date": "", "note": ""}

    listed = client.get("/admin/core/calendaryear/")
    refused = client.post("/admin/core/calendaryear/add/", form)
    enter_2027_holidays()
    form |= {"notice_number": "国办发明电〔2026〕9号", "notice_date": "2026-11-12"}
    saved = client.post("/admin/core/calendaryear/add/", form)

    assert listed.status_code == 200 and "2026" in listed.content.decode()
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert saved.status_code == 302
    row = CalendarYear.objects.get(year=2027)
    assert (row.published, row.notice_number, row.history.get().history_user) == (
        True,
        "国办发明电〔2026〕9号",
        world.users["admin"],
    )


def test_admin_calendar_year_change_page_in_chinese(world: World) -> None:
    client = world.client_for("admin")
    row = CalendarYear.objects.get(year=2026)

    html = client.get(
        f"/admin/core/calendaryear/{row.pk}/change/", headers={"accept-language": "zh-hans"}
    ).content.decode()

    assert "通知文号" in html and "已发布" in html


# Provisional only when the counted span reaches an unpublished year -----------------------------


@pytest.mark.django_db
def test_working_hours_deadline_within_2026_exact_on_30_december() -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 30, 10, tzinfo=SHANGHAI), tick=False):
        due, provisional = working_hours_deadline(timezone.now(), 24)

    assert (timezone.localtime(due).replace(tzinfo=None), provisional) == (
        datetime.datetime(2026, 12, 31, 10),
        False,
    )


@pytest.mark.django_db
def test_working_hours_deadline_into_2027_provisional() -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 31, 10, tzinfo=SHANGHAI), tick=False):
        due, provisional = working_hours_deadline(timezone.now(), 24)

    # 1 January 2027 is New Year's Day on the estimate, 2 and 3 the weekend: Monday 4, 10:00.
    assert (timezone.localtime(due).replace(tzinfo=None), provisional) == (
        datetime.datetime(2027, 1, 4, 10),
        True,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (3, (d(2026, 12, 29), False)),
        (5, (d(2026, 12, 31), False)),  # the last working day of 2026: still exact
        (6, (d(2027, 1, 4), True)),  # 1 January off on the estimate
    ],
)
def test_case_deadline_provisional_only_past_31_december(
    limit: int, expected: tuple[datetime.date, bool]
) -> None:
    assert case_deadline(d(2026, 12, 24), limit) == expected


@pytest.mark.django_db
@given(
    accepted=st.dates(min_value=d(2026, 1, 1), max_value=d(2026, 12, 31)),
    limit=st.integers(min_value=0, max_value=40),
)
def test_case_deadline_provisional_exactly_when_it_passes_2026(
    accepted: datetime.date, limit: int
) -> None:
    deadline, provisional = case_deadline(accepted, limit)

    assert provisional is (deadline.year == 2027)
    if not provisional:
        assert deadline == workdays.working_deadline(accepted, limit)
