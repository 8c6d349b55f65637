"""Fixtures for matchmaking: a fair with approved participants, slots and tables."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from tests.conftest import make_user
from tests.fair.conftest import make_fair
from xiqia.accounts.models import Role
from xiqia.fair import services as fair_services
from xiqia.fair.models import Fair
from xiqia.matchmaking import services
from xiqia.matchmaking.models import Profile, Slot, Table

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2021, 5, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class MatchWorld:
    fair: Fair
    organiser: Any
    slots: list[Slot] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def person(self, username: str, **profile: Any) -> Profile:
        """Register, approve and give a profile to a new participant."""
        user = make_user(username, Role.PARTICIPANT)
        registration = fair_services.registration_create(fair=self.fair, person=user, actor=user)
        fair_services.registration_approve(registration=registration, actor=None)
        return services.profile_update(registration=registration, actor=user, **profile)

    def add_slots(self, n: int, day: int = 20) -> list[Slot]:
        start = len([s for s in self.slots if s.starts_at.day == day])
        for i in range(start, start + n):
            begins = at(day, 9) + datetime.timedelta(minutes=30 * i)
            self.slots.append(
                services.slot_create(
                    fair=self.fair,
                    starts_at=begins,
                    ends_at=begins + datetime.timedelta(minutes=30),
                    actor=self.organiser,
                )
            )
        return self.slots

    def add_tables(self, n: int) -> list[Table]:
        for i in range(len(self.tables), len(self.tables) + n):
            self.tables.append(
                services.table_create(fair=self.fair, code=f"T{i + 1:02d}", actor=self.organiser)
            )
        return self.tables


@pytest.fixture
def mw(db: Any) -> MatchWorld:
    return MatchWorld(
        fair=make_fair(slug="match-fair"), organiser=make_user("organiser", Role.FAIR_ORGANISER)
    )


def user_of(profile: Profile) -> Any:
    return profile.registration.person


@pytest.fixture(autouse=True)
def english() -> Any:
    """Read messages in English (pages: see ``client_for``, which asks for English too)."""
    with translation.override("en"):
        yield
