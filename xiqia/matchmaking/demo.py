"""Demo matchmaking for the 2021 fair: generated profiles, requests, a published schedule.

Everything here is generated (``Origin.GENERATED``): the source document names the clusters
and organisations (intelligent terminals around OPPO and its component makers, aviation
logistics, software, the consumption corridor, Chalco Sapa supplying CRRC), never who met whom.
Profiles follow each registration's organisation and its industries; requests follow the
recommendations; the schedule is computed by the real scheduler. Idempotent: each step runs
only when its records are missing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from xiqia.accounts.models import User
from xiqia.core.errors import DomainError
from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.directory.models import Industry, Organisation
from xiqia.fair import services as fair_services
from xiqia.fair.models import Fair, Registration, RegistrationStatus
from xiqia.matchmaking import selectors, services
from xiqia.matchmaking.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    PlanStatus,
    Profile,
    SchedulePlan,
    Slot,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
FAIR = "xiqia-2021"
DAYS = (20, 21, 22)
HALF_DAYS = ((9, 0, 6), (14, 0, 6))  # start hour, minute, number of 30-minute slots
TABLES = 8


@dataclass(frozen=True)
class Archetype:
    role: str
    industries: tuple[str, ...]
    offers: tuple[str, ...]
    seeks: tuple[str, ...]
    offers_text: str
    seeks_text: str
    size: str = ""


ARCHETYPES = {
    "terminal_brand": Archetype(
        "enterprise",
        ("C39",),
        ("manufacturing", "market"),
        ("components", "technology"),
        "智能手机整机研发制造，品牌与销售渠道覆盖全国",
        "寻找摄像头模组、显示屏、精密结构件等零部件供应商，落户临空前沿科技城周边",
        "over_1b",
    ),
    "terminal_components": Archetype(
        "enterprise",
        ("C39",),
        ("components", "manufacturing"),
        ("market", "land"),
        "手机精密结构件、摄像头模组、精密模具生产，为整机品牌配套",
        "寻找智能终端整机品牌客户，需要标准厂房",
        "100m_1b",
    ),
    "logistics_operator": Archetype(
        "enterprise",
        ("G59", "G60"),
        ("logistics",),
        ("land", "policy"),
        "航空货运、快递分拣中转、冷链仓储与智能配送",
        "寻找物流园用地、保税仓库和政策支持",
        "100m_1b",
    ),
    "trader": Archetype(
        "enterprise",
        ("F51", "F52"),
        ("market",),
        ("logistics", "partnership"),
        "跨境电商与进出口贸易，农产品与水产品批发",
        "寻找航空物流、保税仓储和快递配送合作伙伴",
        "10m_100m",
    ),
    "software": Archetype(
        "enterprise",
        ("I65",),
        ("technology", "talent"),
        ("market", "policy"),
        "软件外包、工业互联网平台、大数据与行业应用开发",
        "寻找智能制造和物流企业的应用场景，以及人才政策支持",
        "10m_100m",
    ),
    "auto_maker": Archetype(
        "enterprise",
        ("C36",),
        ("manufacturing", "market"),
        ("components", "technology"),
        "汽车与摩托车整车制造",
        "寻找电驱电控、座椅内饰、铝合金车身材料等零部件供应商",
        "over_1b",
    ),
    "aluminium": Archetype(
        "enterprise",
        ("C32", "C33"),
        ("raw_materials", "components"),
        ("market",),
        "铝合金型材、车体材料与精密铝加工",
        "寻找轨道交通、汽车整车制造客户",
        "100m_1b",
    ),
    "rail": Archetype(
        "enterprise",
        ("C37",),
        ("manufacturing",),
        ("raw_materials", "components"),
        "机车车辆与市域列车制造",
        "寻找铝合金车体材料和零部件供应商",
        "over_1b",
    ),
    "business_services": Archetype(
        "service",
        ("L72",),
        ("market", "partnership"),
        ("land",),
        "品牌连锁、商务服务与会展",
        "寻找写字楼与商业空间，入驻国际商务中心",
        "10m_100m",
    ),
    "investor": Archetype(
        "investor",
        ("C39", "G59"),
        ("capital",),
        ("projects",),
        "产业投资基金，关注智能终端、航空物流项目，单笔投资数亿元",
        "寻找智能终端、航空物流、软件信息服务领域的优质项目",
        "100m_1b",
    ),
    "promotion_office": Archetype(
        "promotion_office",
        ("C39", "G59", "I65"),
        ("projects", "land", "policy"),
        ("capital", "partnership"),
        "临空前沿科技城、空港工业园招商项目，标准厂房，智能终端与航空物流产业政策支持",
        "寻找投资方和龙头企业落户",
    ),
}

# Which archetypes suit an organisation with these industries.
BY_INDUSTRY = {
    "C39": ("terminal_brand", "terminal_components", "terminal_components"),
    "C36": ("auto_maker",),
    "C32": ("aluminium",),
    "C33": ("aluminium",),
    "C37": ("rail",),
    "F51": ("trader",),
    "F52": ("trader",),
    "G56": ("logistics_operator",),
    "G59": ("logistics_operator",),
    "G60": ("logistics_operator",),
    "I65": ("software",),
    "L72": ("business_services",),
    "N78": ("business_services",),
}


def _archetype(registration: Registration, rng: random.Random) -> Archetype:
    organisation = registration.organisation
    if organisation is not None and organisation.kind in ("government", "park"):
        return ARCHETYPES["promotion_office"]
    if organisation is not None and organisation.kind == "investor":
        return ARCHETYPES["investor"]
    if registration.category == "investor":
        return ARCHETYPES["investor"]
    codes = [i.code for i in organisation.industries.all()] if organisation else []
    options = [name for code in codes for name in BY_INDUSTRY.get(code, ())]
    return ARCHETYPES[rng.choice(options or list(ARCHETYPES))]


def _at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2021, 5, day, hour, minute, tzinfo=SHANGHAI)


def _register_demo_accounts(fair: Fair) -> int:
    """The demo's ``participant`` and ``oppo`` take part, so they have something to explore."""
    made = 0
    for username, organisation, category in (
        ("participant", None, "investor"),
        ("oppo", "OPPO", "exhibitor"),
    ):
        person = User.objects.filter(username=username).first()
        if person is None or Registration.objects.filter(fair=fair, person=person).exists():
            continue
        registration = fair_services.registration_create(
            fair=fair,
            person=person,
            category=category,
            organisation=Organisation.objects.filter(name_zh=organisation).first()
            if organisation
            else None,
            origin=Origin.GENERATED,
            actor=None,
            now=_at(12, 10),
        )
        fair_services.registration_approve(registration=registration, actor=None, now=_at(16, 9))
        made += 1
    return made


def _profiles(fair: Fair, rng: random.Random) -> int:
    industries = {i.code: i for i in Industry.objects.all()}
    chongqing = Region.objects.valid_in(2021).get(code="500000")
    chengdu = Region.objects.valid_in(2021).get(code="510100")
    registrations = (
        Registration.objects.filter(fair=fair, status=RegistrationStatus.APPROVED)
        .filter(matchmaking_profile__isnull=True)
        .select_related("organisation", "person")
        .prefetch_related("organisation__industries")
        .order_by("pk")
    )
    made = 0
    for registration in registrations:
        username = registration.person.username
        if username == "oppo":
            kind = ARCHETYPES["terminal_brand"]
        elif username == "participant":
            kind = ARCHETYPES["investor"]
        else:
            kind = _archetype(registration, rng)
        # Half the people arrive for the whole fair; the others give the days they are there.
        windows = None
        if rng.random() < 0.5:
            days = sorted(rng.sample(DAYS, k=2))
            windows = [(_at(day, 8), _at(day, 18)) for day in days]
        services.profile_update(
            registration=registration,
            actor=None,
            role=kind.role,
            industries=[industries[c] for c in kind.industries if c in industries],
            offers=list(kind.offers),
            seeks=list(kind.seeks),
            offers_text=kind.offers_text,
            seeks_text=kind.seeks_text,
            investment_size=kind.size,
            regions=[chongqing, chengdu] if rng.random() < 0.3 else [chongqing],
            languages=["zh", "en"] if rng.random() < 0.4 else ["zh"],
            windows=windows,
            origin=Origin.GENERATED,
        )
        made += 1
    return made


def _slots_and_tables(fair: Fair) -> int:
    if Slot.objects.filter(fair=fair).exists():
        return 0
    made = 0
    for day in DAYS:
        for hour, minute, count in HALF_DAYS:
            start = _at(day, hour, minute)
            for i in range(count):
                begins = start + datetime.timedelta(minutes=30 * i)
                services.slot_create(
                    fair=fair,
                    starts_at=begins,
                    ends_at=begins + datetime.timedelta(minutes=30),
                    actor=None,
                    origin=Origin.GENERATED,
                )
                made += 1
    for n in range(1, TABLES + 1):
        services.table_create(
            fair=fair, code=f"T{n:02d}", seats=4, actor=None, origin=Origin.GENERATED
        )
    return made


def _requests(fair: Fair, rng: random.Random) -> int:
    """Each person asks their best recommendations; most say yes."""
    if MeetingRequest.objects.filter(sender__registration__fair=fair).exists():
        return 0
    profiles = list(
        Profile.objects.filter(registration__fair=fair)
        .select_related("registration__person")
        .order_by("pk")
    )
    sent = 0
    moment = _at(17, 9)
    for profile in profiles:
        for suggestion in selectors.recommendations(profile, limit=4)[:3]:
            moment += datetime.timedelta(minutes=7)
            try:
                request = services.request_send(
                    sender=profile,
                    recipient=suggestion.profile,
                    actor=None,
                    message="期待在西洽会上面谈合作。",
                    origin=Origin.GENERATED,
                    now=moment,
                )
            except DomainError:
                continue  # the other side asked first, or a limit was reached
            sent += 1
            # The demo's own accounts keep one request each to answer themselves.
            recipient = suggestion.profile
            if recipient.registration.person.username in ("participant", "oppo") and not (
                MeetingRequest.objects.filter(recipient=recipient, status="pending")
                .exclude(pk=request.pk)
                .exists()
            ):
                continue
            roll = rng.random()
            later = moment + datetime.timedelta(hours=5)
            if roll < 0.75:
                services.request_accept(
                    request=request, actor=None, origin=Origin.GENERATED, now=later
                )
            elif roll < 0.9:
                services.request_decline(request=request, actor=None, now=later)
    return sent


def _schedule(fair: Fair, rng: random.Random) -> int:
    if SchedulePlan.objects.filter(fair=fair, status=PlanStatus.PUBLISHED).exists():
        return 0
    if not Meeting.objects.filter(fair=fair).exists():
        return 0
    now = _at(19, 18)  # the evening before the fair opens
    plan = services.schedule_preview(fair=fair, actor=None, time_limit_s=2.0, now=now)
    services.schedule_publish(plan=plan, actor=None, now=now)
    # The fair took place: most meetings were held, a few were no-shows, some had outcomes.
    placed = Meeting.objects.filter(fair=fair, status=MeetingStatus.PUBLISHED).select_related(
        "slot", "a__registration", "b__registration"
    )
    for meeting in placed.order_by("slot__starts_at", "pk"):
        if meeting.a.registration.person.username in ("participant", "oppo") or (
            meeting.b.registration.person.username in ("participant", "oppo")
        ):
            continue  # their own meetings stay for them to check in and record
        roll = rng.random()
        if roll < 0.85:
            arrived = meeting.slot.starts_at - datetime.timedelta(minutes=3)
            for side in (meeting.a, meeting.b):
                services.meeting_check_in(meeting=meeting, profile=side, actor=None, now=arrived)
            if rng.random() < 0.5:
                services.meeting_outcome_record(
                    meeting=meeting,
                    actor=None,
                    outcome="negotiating" if rng.random() < 0.4 else "follow_up",
                    note="双方约定会后继续对接。",
                    now=meeting.slot.ends_at,
                )
        else:
            services.meeting_no_show(
                meeting=meeting,
                actor=None,
                now=meeting.slot.ends_at + datetime.timedelta(minutes=1),
            )
    return plan.placed


def load_generated(rng: random.Random) -> dict[str, int]:
    """Profiles, requests, slots, tables and a published schedule for the 2021 fair."""
    fair = Fair.objects.filter(slug=FAIR).first()
    if fair is None:
        return {}
    # Our own stream, derived from the shared one without drawing from it: the modules after
    # this one generate the same data whether or not matchmaking runs.
    local = random.Random(hash(rng.getstate()[1]))  # noqa: S311 (demo data)
    return {
        "registrations": _register_demo_accounts(fair),
        "profiles": _profiles(fair, local),
        "slots": _slots_and_tables(fair),
        "requests": _requests(fair, local),
        "meetings placed": _schedule(fair, local),
    }
