"""Shared fixtures: a small world of regions, organisations and one user per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from xiqia.accounts import services as account_services
from xiqia.accounts.models import Role, User
from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.core.regions import sync_regions
from xiqia.directory import services as directory_services
from xiqia.directory.models import Industry, Organisation

# No time limit per example: timing belongs in benchmarks, and the suite runs on shared machines
# and in parallel workers, where a slow moment is not a failure.
hypothesis_settings.register_profile(
    "xiqia", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("xiqia")

PASSWORD = "correct-horse-battery-staple"

# Tests that open many database connections at once (races and storms: up to 64 threads each)
# are marked ``concurrency``. ``make test`` runs them on their own after the parallel run
# (``-m concurrency``, no workers), so nothing else competes for the cores or for PostgreSQL's
# connections while they run; under pytest-xdist they would all go to one worker.
CONCURRENCY_MODULES = ("_race.py", "_storm.py")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if str(item.fspath).endswith(CONCURRENCY_MODULES):
            item.add_marker(pytest.mark.concurrency)
            item.add_marker(pytest.mark.xdist_group("concurrency"))


@pytest.fixture(autouse=True)
def _fresh_caches() -> Any:
    """Start each test with empty caches: ids are reused after a rollback on SQLite."""
    from django.core.cache import cache

    from xiqia.fair.selectors import forget_gates

    cache.clear()
    forget_gates()
    yield
    cache.clear()
    forget_gates()


@pytest.fixture(scope="module")
def demo_db(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[str]:
    """The whole demo, loaded once for a module and rolled back after the module's last test.

    Loading the demo takes seconds; a module that only reads it loads it once. Each test still
    runs in its own savepoint (the ``db`` fixture) inside this transaction, so what one test
    writes the next does not see. Yields what ``load_demo`` printed. The demo's files go to a
    temporary media folder.
    """
    media = tmp_path_factory.mktemp("demo-media")
    settings = override_settings(MEDIA_ROOT=str(media))
    with settings, django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def region(code: str, year: int = 2021) -> Region:
    if not Region.objects.exists():  # a transactional test before this one flushed the table
        sync_regions(Region)
    return Region.objects.valid_in(year).get(code=code)


@dataclass
class World:
    yubei_org: Organisation
    jiulongpo_org: Organisation
    xindu_org: Organisation
    industry: Industry
    users: dict[str, User]
    fair: Any = None
    gate: Any = None
    pending: Any = None  # the Yubei member's registration, waiting for a decision
    badge_token: str = ""  # the participant's approved badge

    def client_for(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


def make_org(name: str, code: str, **extra: Any) -> Organisation:
    return directory_services.organisation_create(
        actor=None,
        origin=Origin.FACT,
        kind=extra.pop("kind", "enterprise"),
        name_zh=name,
        name_en=extra.pop("name_en", name),
        region=region(code),
        **extra,
    )


def make_user(username: str, role: str | None = None, **scope: Any) -> User:
    user = account_services.user_create(
        username=username,
        password=PASSWORD,
        full_name=username.title(),
        is_superuser=role == Role.PLATFORM_ADMIN,
    )
    if role:
        account_services.membership_grant(user=user, role=role, **scope)
    return user


# The roles of the access matrix, each with the scope a real user of that role would have.
ROLES = [
    "anonymous",
    "admin",
    "organiser",
    "yubei_officer",
    "liangjiang_officer",
    "jiulongpo_officer",
    "yubei_member",
    "participant",
    "analyst",
]


@pytest.fixture
def world(db: Any) -> World:
    industry = Industry.objects.create(code="C39", name_zh="电子设备制造业", name_en="Electronics")
    yubei_org = make_org("渝北测试企业", "500112")
    jiulongpo_org = make_org("九龙坡测试企业", "500107")
    xindu_org = make_org("新都测试企业", "510114")
    users = {
        "admin": make_user("admin", Role.PLATFORM_ADMIN),
        "organiser": make_user("organiser", Role.FAIR_ORGANISER),
        "yubei_officer": make_user("yubei_officer", Role.DISTRICT_OFFICER, region=region("500112")),
        "liangjiang_officer": make_user(
            "liangjiang_officer", Role.DISTRICT_OFFICER, region=Region.objects.get(code="500157")
        ),
        "jiulongpo_officer": make_user(
            "jiulongpo_officer", Role.DISTRICT_OFFICER, region=region("500107")
        ),
        "yubei_member": make_user("yubei_member", Role.ORG_MEMBER, organisation=yubei_org),
        "participant": make_user("participant", Role.PARTICIPANT),
        "analyst": make_user("analyst", Role.ANALYST),
    }
    account_services.membership_grant(
        user=make_user("jiulongpo_member"), role=Role.ORG_MEMBER, organisation=jiulongpo_org
    )
    world = World(yubei_org, jiulongpo_org, xindu_org, industry, users)
    add_fair(world)
    return world


def add_fair(world: World) -> None:
    """Give the world a published fair with a gate, one pending and one approved registration."""
    import datetime

    from xiqia.fair import services as fair_services
    from xiqia.fair.models import Fair, Gate

    world.fair = Fair.objects.create(
        slug="fair-2021",
        name_zh="测试洽谈会",
        region=region("500000"),
        starts_on=datetime.date(2021, 5, 20),
        ends_on=datetime.date(2021, 5, 23),
        is_published=True,
    )
    world.gate = Gate.objects.create(fair=world.fair, code="A", name_zh="北门")
    member = world.users["yubei_member"]
    world.pending = fair_services.registration_create(
        fair=world.fair, person=member, organisation=world.yubei_org, actor=member
    )
    participant = world.users["participant"]
    approved = fair_services.registration_create(
        fair=world.fair, person=participant, actor=participant
    )
    fair_services.registration_approve(registration=approved, actor=None)
    approved.refresh_from_db()
    world.badge_token = fair_services.badge_token(approved.badge)
