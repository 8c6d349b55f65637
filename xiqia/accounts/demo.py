"""Demo accounts, one per role, and generated participants. Idempotent.

Generated ID numbers pass the GB 11643 checksum but are obviously synthetic: every one
carries the birth date 1 January 1900, which no living person has, after the code of Chengdu
(510100), a code already in force then (the checksum library checks the code against the
birth year). Generated phone numbers
use the 199 0000 xxxx range, which is not issued to the public.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker
from stdnum.cn import ric

from xiqia.accounts import services
from xiqia.accounts.models import Role, User
from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.directory.models import Organisation

DEMO_PASSWORD = "xiqia-demo"  # noqa: S105 (documented demo credential, printed by make demo)
SYNTHETIC_BIRTH_DATE = "19000101"


SYNTHETIC_REGION = "510100"


def synthetic_id_number(sequence: int) -> str:
    """Return a checksum-valid resident ID number that is obviously not a real person's."""
    body = f"{SYNTHETIC_REGION}{SYNTHETIC_BIRTH_DATE}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # the function expects a check slot


def synthetic_phone(sequence: int) -> str:
    return f"1990000{sequence % 10000:04d}"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: Role
    region: str = ""
    organisation: str = ""
    title: str = ""


ACCOUNTS = [
    DemoAccount("admin", "平台管理员", Role.PLATFORM_ADMIN),
    DemoAccount("organiser", "西洽会组委会", Role.FAIR_ORGANISER, title="会务组"),
    DemoAccount("yubei", "渝北招商专员", Role.DISTRICT_OFFICER, region="500112", title="招商专员"),
    DemoAccount(
        "jiulongpo", "九龙坡招商专员", Role.DISTRICT_OFFICER, region="500107", title="招商专员"
    ),
    DemoAccount("xindu", "新都招商专员", Role.DISTRICT_OFFICER, region="510114", title="招商专员"),
    DemoAccount("oppo", "OPPO 对接人", Role.ORG_MEMBER, organisation="OPPO", title="政府事务"),
    DemoAccount("participant", "参会嘉宾", Role.PARTICIPANT),
    DemoAccount("analyst", "数据分析员", Role.ANALYST),
]


def _region(code: str) -> Region:
    return Region.objects.valid_in(2021).get(code=code)


def load_generated(rng: random.Random, participants: int = 24) -> dict[str, int]:
    """Create one account per role, then generated participants in generated organisations."""
    created = 0
    for n, account in enumerate(ACCOUNTS, start=1):
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = services.user_create(
                username=account.username,
                password=DEMO_PASSWORD,
                full_name=account.full_name,
                email=f"{account.username}@demo.xiqia.invalid",
                phone=synthetic_phone(n),
                is_superuser=account.role == Role.PLATFORM_ADMIN,
                origin=Origin.GENERATED,
                check_password=False,
            )
            created += 1
        services.membership_grant(
            user=user,
            role=account.role,
            region=_region(account.region) if account.region else None,
            organisation=Organisation.objects.get(name_zh=account.organisation)
            if account.organisation
            else None,
            title=account.title,
            origin=Origin.GENERATED,
        )
    fake = Faker("zh_CN")
    fake.seed_instance(rng.randint(0, 2**31))
    organisations = list(Organisation.objects.filter(origin=Origin.GENERATED).order_by("pk"))
    for i in range(participants):
        username = f"guest{i + 1:03d}"
        full_name = fake.name()
        if User.objects.filter(username=username).exists() or not organisations:
            continue
        organisation = organisations[i % len(organisations)]
        user = services.user_create(
            username=username,
            password=None,
            full_name=full_name,
            email=f"{username}@demo.xiqia.invalid",
            phone=synthetic_phone(100 + i),
            id_number=synthetic_id_number(i + 1),
            origin=Origin.GENERATED,
        )
        services.membership_grant(
            user=user, role=Role.ORG_MEMBER, organisation=organisation, origin=Origin.GENERATED
        )
        services.membership_grant(user=user, role=Role.PARTICIPANT, origin=Origin.GENERATED)
        created += 1
    return {"users": created}
