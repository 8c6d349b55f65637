"""Fixtures for the fair: a published fair with events and gates, and people to register."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_user, region
from xiqia.accounts.models import Role
from xiqia.fair import services
from xiqia.fair.models import Event, Fair, Gate

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class FairWorld:
    fair: Fair
    forum: Event
    race: Event
    entrance: Gate
    side_gate: Gate
    race_gate: Gate
    organiser: Any

    def register(self, username: str, *events: Event, approve: bool = True) -> Any:
        person = make_user(username)
        registration = services.registration_create(
            fair=self.fair, person=person, events=events, actor=person
        )
        if approve:
            services.registration_approve(registration=registration, actor=self.organiser)
        registration.refresh_from_db()
        return registration


def make_fair(**extra: Any) -> Fair:
    return Fair.objects.create(
        slug=extra.pop("slug", "test-fair"),
        name_zh="测试洽谈会",
        name_en="Test Fair",
        region=region("500000"),
        starts_on=datetime.date(2021, 5, 20),
        ends_on=datetime.date(2021, 5, 23),
        is_published=True,
        **extra,
    )


def make_event(fair: Fair, title: str, capacity: int | None = None, day: int = 20) -> Event:
    return Event.objects.create(
        fair=fair,
        kind="forum",
        title_zh=title,
        title_en=title,
        starts_at=datetime.datetime(2021, 5, day, 9, 0, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2021, 5, day, 11, 0, tzinfo=SHANGHAI),
        capacity=capacity,
    )


@pytest.fixture
def fair_world(db: Any) -> FairWorld:
    fair = make_fair()
    forum = make_event(fair, "开放型经济论坛")
    race = make_event(fair, "金卡纳技巧绕桩赛", capacity=2, day=23)
    return FairWorld(
        fair=fair,
        forum=forum,
        race=race,
        entrance=Gate.objects.create(fair=fair, code="A", name_zh="北门"),
        side_gate=Gate.objects.create(fair=fair, code="B", name_zh="南门"),
        race_gate=Gate.objects.create(fair=fair, code="R", name_zh="赛场", event=race),
        organiser=make_user("organiser", Role.FAIR_ORGANISER),
    )
