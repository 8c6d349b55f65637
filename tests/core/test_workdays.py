"""Working days on the official calendar: expectations computed by hand from the 2021 calendar.

The 2021 arrangement (State Council, 国办发明电〔2020〕27号), as used below:

* Spring Festival: Thu 11 – Wed 17 February off; Sun 7 and Sat 20 February worked.
* Labour Day: Sat 1 – Wed 5 May off; Sun 25 April and Sat 8 May worked.
* Mid-Autumn: Sun 19 – Tue 21 September off; Sat 18 September worked.
* National Day: Fri 1 – Thu 7 October off; Sun 26 September and Sat 9 October worked.
"""

from __future__ import annotations

import datetime

import chinese_calendar
import pytest

from tests.conftest import World
from xiqia.accounts import access
from xiqia.core import workdays
from xiqia.core.errors import DomainError
from xiqia.core.models import CalendarDay, CalendarYear
from xiqia.core.workdays import CalendarRangeError, CalendarUnknown, WorkingCalendar

# The years the migration marks published (chinese-calendar 1.11 knows them).
PUBLISHED = range(2004, 2027)


def official() -> WorkingCalendar:
    """The calendar of the published years, without entries (the package alone)."""
    return WorkingCalendar(published_years=PUBLISHED)


def d(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day)


def days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(i) for i in range((last - first).days + 1)]


HOLIDAYS_2021 = [
    *days(d(2021, 2, 11), d(2021, 2, 17)),
    *days(d(2021, 5, 1), d(2021, 5, 5)),
    *days(d(2021, 9, 19), d(2021, 9, 21)),
    *days(d(2021, 10, 1), d(2021, 10, 7)),
]
ADJUSTED_WORKING_DAYS_2021 = [
    d(2021, 2, 7),
    d(2021, 2, 20),
    d(2021, 4, 25),
    d(2021, 5, 8),
    d(2021, 9, 18),
    d(2021, 9, 26),
    d(2021, 10, 9),
]


@pytest.fixture(scope="module", autouse=True)
def official_2021_cross_check() -> None:
    """Cross-check the hand-written calendar above with the package (setup only)."""
    for day in HOLIDAYS_2021:
        assert not chinese_calendar.is_workday(day), day
    for day in ADJUSTED_WORKING_DAYS_2021:
        assert day.weekday() >= 5 and chinese_calendar.is_workday(day), day


# The plain calendar (no database): the package alone.


@pytest.mark.parametrize("day", HOLIDAYS_2021, ids=str)
def test_is_working_day_false_on_2021_holidays(day: datetime.date) -> None:
    assert official().is_working_day(day) is False


@pytest.mark.parametrize("day", ADJUSTED_WORKING_DAYS_2021, ids=str)
def test_is_working_day_true_on_2021_adjusted_weekends(day: datetime.date) -> None:
    assert official().is_working_day(day) is True


def test_add_working_days_across_labour_day_2021() -> None:
    # Accepted Thu 29 Apr: Fri 30 Apr (1); 1–5 May off; Thu 6 (2), Fri 7 (3), Sat 8 worked (4);
    # Sun 9 off; Mon 10 (5).
    assert official().add_working_days(d(2021, 4, 29), 5) == d(2021, 5, 10)


def test_add_working_days_across_spring_festival_2021_ends_on_worked_saturday() -> None:
    # Accepted Wed 10 Feb: 11–17 off; Thu 18 (1), Fri 19 (2), Sat 20 worked (3).
    assert official().add_working_days(d(2021, 2, 10), 3) == d(2021, 2, 20)


def test_add_working_days_zero_returns_start_even_on_a_holiday() -> None:
    assert official().add_working_days(d(2021, 5, 1), 0) == d(2021, 5, 1)


def test_add_working_days_from_a_holiday_counts_from_the_next_working_day() -> None:
    # Accepted on Sat 1 May (a holiday): Thu 6 May is the first working day.
    assert official().add_working_days(d(2021, 5, 1), 1) == d(2021, 5, 6)


def test_add_working_days_negative_is_refused() -> None:
    with pytest.raises(ValueError):
        official().add_working_days(d(2021, 5, 1), -1)


def test_working_days_between_across_national_day_2021() -> None:
    # After Fri 24 Sep: Sat 25 off; Sun 26 worked (1); Mon 27 – Thu 30 (2–5); 1–7 Oct off;
    # Fri 8 (6); Sat 9 worked (7); Sun 10 off; Mon 11 (8).
    assert official().working_days_between(d(2021, 9, 24), d(2021, 10, 11)) == 8


def test_working_days_between_counts_end_but_not_start() -> None:
    calendar = official()
    assert calendar.working_days_between(d(2021, 9, 30), d(2021, 10, 8)) == 1
    assert calendar.working_days_between(d(2021, 10, 8), d(2021, 10, 8)) == 0
    assert calendar.working_days_between(d(2021, 10, 11), d(2021, 10, 8)) == 0


def test_working_days_between_inverts_add_working_days_through_2021() -> None:
    calendar = official()
    for start in days(d(2021, 1, 1), d(2021, 11, 30)):
        for n in (1, 5, 20):
            assert calendar.working_days_between(start, calendar.add_working_days(start, n)) == n


def test_working_deadline_paused_period_adds_the_working_days_it_holds() -> None:
    # March 2021 has no holidays. Accepted Mon 1 Mar, 10 working days: Mon 15 Mar unpaused.
    # Paused Mon 8 – Wed 10 Mar (3 working days): 2–5 Mar (4), 11, 12, 15, 16, 17, 18 (10).
    calendar = official()
    assert calendar.working_deadline(d(2021, 3, 1), 10) == d(2021, 3, 15)
    paused = [(d(2021, 3, 8), d(2021, 3, 10))]
    assert calendar.working_deadline(d(2021, 3, 1), 10, paused) == d(2021, 3, 18)


def test_working_deadline_pause_over_a_holiday_counts_only_working_days() -> None:
    # Accepted Thu 29 Apr, 5 days, paused Fri 30 Apr – Thu 6 May (working days: 30 Apr, 6 May):
    # Fri 7 (1), Sat 8 worked (2), Mon 10 (3), Tue 11 (4), Wed 12 (5).
    paused = [(d(2021, 4, 30), d(2021, 5, 6))]
    assert official().working_deadline(d(2021, 4, 29), 5, paused) == d(2021, 5, 12)


def test_working_deadline_ignores_weekend_pauses_and_pauses_after_the_deadline() -> None:
    calendar = official()
    paused = [(d(2021, 3, 6), d(2021, 3, 7)), (d(2021, 3, 20), d(2021, 3, 31))]
    assert calendar.working_deadline(d(2021, 3, 1), 10, paused) == d(2021, 3, 15)


def test_working_deadline_overlapping_pauses_count_once() -> None:
    paused = [(d(2021, 3, 8), d(2021, 3, 9)), (d(2021, 3, 9), d(2021, 3, 10))]
    assert official().working_deadline(d(2021, 3, 1), 10, paused) == d(2021, 3, 18)


def test_working_deadline_refuses_a_period_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError):
        official().working_deadline(d(2021, 3, 1), 10, [(d(2021, 3, 10), d(2021, 3, 8))])


def test_override_mapping_wins_over_the_package() -> None:
    calendar = WorkingCalendar({d(2021, 5, 6): False}, PUBLISHED)
    # Fri 30 Apr (1); Fri 7 May (2); Sat 8 (3); Mon 10 (4); Tue 11 (5).
    assert calendar.add_working_days(d(2021, 4, 29), 5) == d(2021, 5, 11)


def test_unknown_year_raises_calendar_unknown_never_weekends() -> None:
    with pytest.raises(CalendarUnknown) as caught:
        WorkingCalendar({d(2099, 1, 5): False}, PUBLISHED).is_working_day(d(2099, 1, 5))

    assert isinstance(caught.value, DomainError)
    assert caught.value.code == "calendar_unknown"
    assert caught.value.year == 2099
    assert "2099" in str(caught.value.message)


def test_published_year_unknown_to_the_package_uses_its_entries_then_the_week() -> None:
    calendar = WorkingCalendar({d(2099, 1, 1): False}, published_years=[2099])
    assert calendar.is_working_day(d(2099, 1, 1)) is False  # Thursday, New Year
    assert calendar.is_working_day(d(2099, 1, 2)) is True  # Friday
    assert calendar.is_working_day(d(2099, 1, 3)) is False  # Saturday


def test_loaded_range_refuses_dates_outside_it() -> None:
    calendar = WorkingCalendar(loaded=(d(2021, 5, 1), d(2021, 5, 31)))
    with pytest.raises(CalendarRangeError):
        calendar.is_working_day(d(2021, 6, 1))


# The Django layer: overrides from the CalendarDay table.


def add_day(day: datetime.date, kind: str, name_zh: str = "", name_en: str = "") -> CalendarDay:
    return CalendarDay.objects.create(date=day, kind=kind, name_zh=name_zh, name_en=name_en)


@pytest.mark.django_db
def test_db_add_working_days_across_labour_day_2021() -> None:
    assert workdays.add_working_days(d(2021, 4, 29), 5) == d(2021, 5, 10)
    assert workdays.add_working_days(d(2021, 4, 29), 0) == d(2021, 4, 29)


@pytest.mark.django_db
def test_db_working_days_between_across_national_day_2021() -> None:
    assert workdays.working_days_between(d(2021, 9, 24), d(2021, 10, 11)) == 8
    assert workdays.working_days_between(d(2021, 10, 11), d(2021, 9, 24)) == 0


@pytest.mark.django_db
def test_db_working_deadline_with_pause() -> None:
    paused = [(d(2021, 3, 8), d(2021, 3, 10))]
    assert workdays.working_deadline(d(2021, 3, 1), 10, paused) == d(2021, 3, 18)


@pytest.mark.django_db
def test_db_working_deadline_for_a_year_long_limit() -> None:
    # 2021 has 250 working days; accepted on 31 Dec 2020, the 250th is the last one of 2021.
    assert workdays.working_deadline(d(2020, 12, 31), 250) == d(2021, 12, 31)


@pytest.mark.django_db
def test_db_working_deadline_loads_a_longer_range_when_the_first_is_short(
    django_assert_num_queries,
) -> None:
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, kind=CalendarDay.Kind.HOLIDAY)
        for day in days(d(2021, 3, 1), d(2021, 3, 31))
    )

    # Accepted Sun 28 Feb, 10 days, all of March off: Thu 1 Apr (1), Fri 2 (2); 3–5 Apr off
    # (Qingming); Tue 6 – Fri 9 (3–6); Mon 12 – Thu 15 (7–10). The first range (35 days) ends
    # on 4 Apr, so a second load (two queries) reads 70 days.
    with django_assert_num_queries(4):
        assert workdays.working_deadline(d(2021, 2, 28), 10) == d(2021, 4, 15)


@pytest.mark.django_db
def test_calendar_day_holiday_override_changes_the_deadline() -> None:
    add_day(d(2021, 5, 6), CalendarDay.Kind.HOLIDAY, "劳动节（延长）", "Labour Day (extended)")

    assert workdays.is_working_day(d(2021, 5, 6)) is False
    assert workdays.add_working_days(d(2021, 4, 29), 5) == d(2021, 5, 11)


@pytest.mark.django_db
def test_calendar_day_working_day_override_on_a_holiday() -> None:
    add_day(d(2021, 5, 5), CalendarDay.Kind.WORKING_DAY)

    # Fri 30 Apr (1); Wed 5 May worked (2); Thu 6 (3); Fri 7 (4); Sat 8 (5).
    assert workdays.add_working_days(d(2021, 4, 29), 5) == d(2021, 5, 8)


@pytest.mark.django_db
def test_calendar_for_loads_in_two_queries(django_assert_num_queries) -> None:
    add_day(d(2021, 5, 6), CalendarDay.Kind.HOLIDAY)
    add_day(d(2021, 12, 31), CalendarDay.Kind.REST_DAY)  # outside the range: not an override

    with django_assert_num_queries(2):
        calendar = workdays.calendar_for(d(2021, 5, 1), d(2021, 5, 31))

    assert calendar.overrides == {d(2021, 5, 6): False}
    assert calendar.published_years == frozenset({2021})


@pytest.mark.django_db
def test_unknown_year_raises_calendar_unknown_from_the_database_layer() -> None:
    with pytest.raises(CalendarUnknown) as caught:
        workdays.add_working_days(d(2099, 1, 1), 3)

    assert caught.value.code == "calendar_unknown"
    assert "2099" in str(caught.value.message)


@pytest.mark.django_db
def test_year_with_entries_but_not_published_stays_unknown() -> None:
    add_day(d(2099, 1, 1), CalendarDay.Kind.HOLIDAY, "元旦", "New Year's Day")
    add_day(d(2099, 1, 4), CalendarDay.Kind.ADJUSTED_WORKING_DAY)

    with pytest.raises(CalendarUnknown):
        workdays.is_working_day(d(2099, 1, 4))
    with pytest.raises(CalendarUnknown):
        workdays.is_working_day(d(2099, 1, 1))


@pytest.mark.django_db
def test_published_2099_computable_with_weekends_as_rest() -> None:
    add_day(d(2099, 1, 1), CalendarDay.Kind.HOLIDAY, "元旦", "New Year's Day")
    CalendarYear.objects.create(
        year=2099, published=True, notice_number="国办发明电〔2098〕1号", notice_date=d(2098, 11, 1)
    )

    assert workdays.is_working_day(d(2099, 1, 1)) is False  # Thursday, the holiday
    assert workdays.is_working_day(d(2099, 1, 3)) is False  # Saturday
    # Thu 1 Jan accepted: Fri 2 (1); Sat 3, Sun 4 off; Mon 5 (2); Tue 6 (3).
    assert workdays.add_working_days(d(2099, 1, 1), 3) == d(2099, 1, 6)

    add_day(d(2099, 1, 4), CalendarDay.Kind.ADJUSTED_WORKING_DAY)

    # Fri 2 (1); Sun 4 worked (2); Mon 5 (3).
    assert workdays.add_working_days(d(2099, 1, 1), 3) == d(2099, 1, 5)


@pytest.mark.django_db
def test_calendar_day_str_and_name() -> None:
    day = add_day(d(2021, 5, 1), CalendarDay.Kind.HOLIDAY, "劳动节", "Labour Day")

    assert day.name_zh == "劳动节" and day.is_working_day is False
    assert str(day).startswith("2021-05-01 ")


# The back office and access.


def test_admin_calendar_day_list_opens_with_filters(world: World) -> None:
    add_day(d(2021, 5, 1), CalendarDay.Kind.HOLIDAY, "劳动节", "Labour Day")
    add_day(d(2022, 1, 1), CalendarDay.Kind.HOLIDAY, "元旦", "New Year's Day")
    client = world.client_for("admin")

    response = client.get("/admin/core/calendarday/")
    assert response.status_code == 200
    assert "劳动节" in response.content.decode()

    response = client.get("/admin/core/calendarday/?year=2021&kind=holiday")
    html = response.content.decode()
    assert response.status_code == 200
    assert "劳动节" in html and "元旦" not in html

    response = client.get("/admin/core/calendarday/?q=Labour")
    assert response.status_code == 200
    assert "劳动节" in response.content.decode()


def test_calendar_day_policy_everyone_views_only_admins_change(world: World) -> None:
    day = add_day(d(2021, 5, 1), CalendarDay.Kind.HOLIDAY, "劳动节", "Labour Day")

    for role in ("organiser", "yubei_officer", "participant", "analyst"):
        user = world.users[role]
        assert access.allows(user, access.Action.VIEW, day)
        assert not access.allows(user, access.Action.CHANGE, day)
        assert not access.allows(user, access.Action.DELETE, day)
        assert not access.can_create(user, CalendarDay)
    admin_user = world.users["admin"]
    assert access.allows(admin_user, access.Action.CHANGE, day)
    assert access.can_create(admin_user, CalendarDay)
    assert list(access.scope(access.ANONYMOUS, CalendarDay.objects.all())) == [day]
