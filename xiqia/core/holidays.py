"""The statutory public holidays of a year, for estimating a year not yet published.

Plain Python, no Django. The source is the national holiday regulation, 《全国年节及纪念日放假办法》
(State Council), in the version in force for the year:

* as amended on 18 September 1999 (国务院令第270号), used here for 2000–2007: New Year's Day 1 day,
  Spring Festival 3 days (the 1st to the 3rd of the first lunar month), Labour Day 3 days
  (1–3 May), National Day 3 days (1–3 October); 10 days;
* as amended on 14 December 2007 (国务院令第513号), in force 2008–2013: New Year's Day 1,
  Spring Festival 3 (New Year's Eve, the 1st and the 2nd), Qingming 1 (the solar term),
  Labour Day 1 (1 May), Dragon Boat 1 (5th of the 5th lunar month), Mid-Autumn 1 (15th of the
  8th lunar month), National Day 3; 11 days;
* as amended on 11 December 2013 (国务院令第644号), in force 2014–2024: the same, but the Spring
  Festival is the 1st to the 3rd of the first lunar month; 11 days;
* as amended on 10 November 2024 (国务院令第795号), in force from 1 January 2025: Spring Festival
  4 days (New Year's Eve to the 3rd), Labour Day 2 days (1–2 May); 13 days.

Article 6 (第六条) of every version: a holiday for all citizens that falls on a Saturday or a
Sunday is made up on a working day (应当在工作日补假). The estimate gives that make-up day on the
first weekday after the holiday that is not itself a holiday or a make-up day.

What the estimate cannot know is the State Council's yearly arrangement (调休: weekends worked
to join holidays into long breaks). It is therefore only ever used for a year whose
arrangement has not been published, and every deadline that depends on it is provisional
(see ``core.workdays``). Lunar dates come from ``lunardate``; Qingming is the solar term 清明
as ``chinese-calendar`` computes it.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import chinese_calendar
from lunardate import LunarDate

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class HolidayRegulation:
    """One version of 《全国年节及纪念日放假办法》: the days off for all citizens."""

    in_force_from: int  # the first calendar year it applies to
    citation: str
    # Spring Festival days as offsets from the 1st of the first lunar month (-1: New Year's Eve).
    spring_festival: tuple[int, ...]
    labour_days: int
    traditional: bool  # Qingming, Dragon Boat and Mid-Autumn are holidays
    national_days: int = 3


REGULATIONS = (
    HolidayRegulation(2000, "国务院令第270号 (1999)", (0, 1, 2), 3, traditional=False),
    HolidayRegulation(2008, "国务院令第513号 (2007)", (-1, 0, 1), 1, traditional=True),
    HolidayRegulation(2014, "国务院令第644号 (2013)", (0, 1, 2), 1, traditional=True),
    HolidayRegulation(2025, "国务院令第795号 (2024)", (-1, 0, 1, 2), 2, traditional=True),
)

# lunardate covers lunar years 1900 to 2099.
FIRST_YEAR = REGULATIONS[0].in_force_from
LAST_YEAR = 2099


def regulation_for(year: int) -> HolidayRegulation:
    """Return the version of the regulation in force for ``year``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"no statutory holidays known for {year}")
    return [r for r in REGULATIONS if r.in_force_from <= year][-1]


def _lunar(year: int, month: int, day: int) -> datetime.date:
    return LunarDate(year, month, day).to_solar_date()


def _qingming(year: int) -> datetime.date:
    terms = chinese_calendar.get_solar_terms(datetime.date(year, 4, 1), datetime.date(year, 4, 10))
    return next(day for day, name in terms if name == "清明")


@functools.cache
def statutory_holidays(year: int) -> Mapping[datetime.date, str]:
    """Return the statutory holidays of ``year``: ``{date: name}`` (names are identifiers).

    Holidays of the lunar calendar are those whose date falls in ``year``: New Year's Eve and
    the Spring Festival always do (from late January), as do Dragon Boat and Mid-Autumn.
    """
    rule = regulation_for(year)
    days: dict[datetime.date, str] = {datetime.date(year, 1, 1): "new_year"}
    spring = _lunar(year, 1, 1)
    for offset in rule.spring_festival:
        days[spring + datetime.timedelta(offset)] = "spring_festival"
    if rule.traditional:
        days[_qingming(year)] = "qingming"
        days[_lunar(year, 5, 5)] = "dragon_boat"
        days.setdefault(_lunar(year, 8, 15), "mid_autumn")  # in 2020 it was 1 October
    for i in range(rule.labour_days):
        days[datetime.date(year, 5, 1 + i)] = "labour_day"
    for i in range(rule.national_days):
        days.setdefault(datetime.date(year, 10, 1 + i), "national_day")
    return MappingProxyType(dict(sorted(days.items())))  # cached: read-only


@functools.cache
def estimated_days_off(year: int) -> Mapping[datetime.date, str]:
    """Return the statutory holidays of ``year`` and their make-up days (``"make_up"``).

    Weekends are not listed: they are rest days anyway.
    """
    holidays = statutory_holidays(year)
    off = dict(holidays)
    for day in holidays:
        if day.weekday() >= 5:  # Article 6: made up on a working day
            make_up = day + ONE_DAY
            while make_up.weekday() >= 5 or make_up in off:
                make_up += ONE_DAY
            off[make_up] = "make_up"
    return MappingProxyType(dict(sorted(off.items())))


def estimated_is_working_day(day: datetime.date) -> bool:
    """Return whether ``day`` is a working day on the estimate: not a weekend, nor off."""
    return day.weekday() < 5 and day not in estimated_days_off(day.year)
