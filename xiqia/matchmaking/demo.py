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
import itertools
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection

from xiqia.accounts.models import User
from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.directory.models import Industry, Organisation
from xiqia.fair import services as fair_services
from xiqia.fair.models import Badge, Fair, Registration, RegistrationStatus
from xiqia.matchmaking import planning, scheduling, services
from xiqia.matchmaking.models import (
    Attendance,
    AvailabilityWindow,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    NoticeKind,
    Notification,
    PlanKind,
    PlanStatus,
    Profile,
    RequestStatus,
    SchedulePlan,
    Slot,
    Table,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
FAIR = "xiqia-2021"
DAYS = (20, 21, 22)
HALF_DAYS = ((9, 0, 6), (14, 0, 6))  # start hour, minute, number of 30-minute slots


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


# The generated crowd: people from the fair's companies, parks and funds, marked as generated.
CROWD = 400
CROWD_PREFIX = "mm-"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志鹏飞宇浩然晨曦"
# The demo fair's limits: busier than the default, as a large fair sets them.
MAX_OPEN_REQUESTS, MAX_MEETINGS = 20, 24
TABLES = 100
OWN_ACCOUNTS = ("participant", "oppo")


def _crowd(fair: Fair, rng: random.Random) -> int:
    """Add the generated crowd: users, approved registrations and their badges, in bulk."""
    if User.objects.filter(username__startswith=CROWD_PREFIX).exists():
        return 0
    organisations = list(
        Organisation.objects.filter(kind__in=("company", "investor", "park", "government"))
        .order_by("pk")
        .values_list("pk", "kind")
    )
    people = User.objects.bulk_create(
        User(
            username=f"{CROWD_PREFIX}{n:03d}",
            full_name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, k=rng.choice((1, 2)))),
            # "!" marks an unusable password: nobody signs in as a generated person
            password="!generated",  # noqa: S106
            origin=Origin.GENERATED,
        )
        for n in range(1, CROWD + 1)
    )
    decided = _at(16, 9)
    registrations = []
    for n, person in enumerate(people):
        organisation, kind = rng.choice(organisations) if organisations else (None, "")
        registrations.append(
            Registration(
                fair=fair,
                person=person,
                organisation_id=organisation,
                category="investor" if kind == "investor" or n % 7 == 0 else "exhibitor",
                status=RegistrationStatus.APPROVED,
                decided_at=decided,
                created_at=_at(10 + n % 5, 9),
                origin=Origin.GENERATED,
            )
        )
    Registration.objects.bulk_create(registrations)
    # As approval does for everyone else: an approved registration carries a badge.
    Badge.objects.bulk_create(Badge(registration=r, issued_at=decided) for r in registrations)
    return len(registrations)


def _profiles(fair: Fair, rng: random.Random) -> int:
    """A profile for every approved registration that has none, in bulk."""
    industries = {i.code: i.pk for i in Industry.objects.all()}
    chongqing = Region.objects.valid_in(2021).get(code="500000").pk
    chengdu = Region.objects.valid_in(2021).get(code="510100").pk
    registrations = list(
        Registration.objects.filter(fair=fair, status=RegistrationStatus.APPROVED)
        .filter(matchmaking_profile__isnull=True)
        .select_related("organisation", "person")
        .prefetch_related("organisation__industries")
        .order_by("pk")
    )
    profiles, plans = [], []
    for registration in registrations:
        username = registration.person.username
        if username == "oppo":
            kind = ARCHETYPES["terminal_brand"]
        elif username == "participant":
            kind = ARCHETYPES["investor"]
        else:
            kind = _archetype(registration, rng)
        # Half the people are there throughout; the others give the two days they are there.
        days = sorted(rng.sample(DAYS, k=2)) if rng.random() < 0.5 else []
        regions = [chongqing, chengdu] if rng.random() < 0.3 else [chongqing]
        profiles.append(
            Profile(
                registration=registration,
                role=kind.role,
                offers=list(kind.offers),
                seeks=list(kind.seeks),
                offers_text=kind.offers_text,
                seeks_text=kind.seeks_text,
                investment_size=kind.size,
                languages=["zh", "en"] if rng.random() < 0.4 else ["zh"],
                origin=Origin.GENERATED,
            )
        )
        plans.append((kind, days, regions))
    Profile.objects.bulk_create(profiles)
    Industries = Profile.industries.through
    Regions = Profile.regions.through
    Industries.objects.bulk_create(
        Industries(profile_id=p.pk, industry_id=industries[code])
        for p, (kind, _d, _r) in zip(profiles, plans, strict=True)
        for code in kind.industries
        if code in industries
    )
    Regions.objects.bulk_create(
        Regions(profile_id=p.pk, region_id=region)
        for p, (_k, _d, regions) in zip(profiles, plans, strict=True)
        for region in regions
    )
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(profile=p, starts_at=_at(day, 8), ends_at=_at(day, 18))
        for p, (_k, days, _r) in zip(profiles, plans, strict=True)
        for day in days
    )
    return len(profiles)


def _slots_and_tables(fair: Fair) -> int:
    if Slot.objects.filter(fair=fair).exists():
        return 0
    services.settings_update(
        fair=fair, actor=None, max_open_requests=MAX_OPEN_REQUESTS, max_meetings=MAX_MEETINGS
    )
    slots = [
        Slot(
            fair=fair,
            starts_at=_at(day, hour, minute) + datetime.timedelta(minutes=30 * i),
            ends_at=_at(day, hour, minute) + datetime.timedelta(minutes=30 * (i + 1)),
            origin=Origin.GENERATED,
        )
        for day in DAYS
        for hour, minute, count in HALF_DAYS
        for i in range(count)
    ]
    Slot.objects.bulk_create(slots)
    Table.objects.bulk_create(
        Table(fair=fair, code=f"T{n:03d}", seats=4, origin=Origin.GENERATED)
        for n in range(1, TABLES + 1)
    )
    return len(slots)


def _affinity(sender: Archetype, recipient: Archetype) -> int:
    """How much ``sender`` wants to meet ``recipient``: what the recommender rewards most."""
    return (
        3 * len(set(sender.seeks) & set(recipient.offers))
        + len(set(sender.offers) & set(recipient.seeks))
        + len(set(sender.industries) & set(recipient.industries))
    )


def _requests(fair: Fair, rng: random.Random) -> int:
    """Each person asks counterparts whose offer meets their need; popular ones are asked often.

    Within the fair's limits: at most ``MAX_OPEN_REQUESTS`` pending per sender and
    ``MAX_MEETINGS`` meetings per person. The demo's own accounts keep one incoming request
    each to answer themselves.
    """
    if MeetingRequest.objects.filter(sender__registration__fair=fair).exists():
        return 0
    profiles = list(
        Profile.objects.filter(registration__fair=fair)
        .select_related("registration__person")
        .order_by("pk")
    )
    by_text = {a.offers_text: a for a in ARCHETYPES.values()}
    kinds = [by_text.get(p.offers_text, ARCHETYPES["investor"]) for p in profiles]
    # Heavy-tailed popularity: a few investors and brands are wanted by very many.
    popularity = [rng.paretovariate(1.3) for _p in profiles]
    own = {i for i, p in enumerate(profiles) if p.registration.person.username in OWN_ACCOUNTS}
    pairs: set[frozenset[int]] = set()
    meetings = [0] * len(profiles)
    pending_sent = [0] * len(profiles)
    kept_for_own: set[int] = set()
    requests: list[MeetingRequest] = []
    accepted: list[tuple[int, int, int]] = []  # (request index, sender, recipient)
    moment = _at(17, 9)
    order = list(range(len(profiles)))
    rng.shuffle(order)
    # Who each archetype asks, weighted: cumulative weights per archetype, computed once.
    names = sorted(ARCHETYPES)
    cumulative = {
        name: list(
            itertools.accumulate(
                _affinity(ARCHETYPES[name], kinds[r]) * popularity[r] for r in range(len(profiles))
            )
        )
        for name in names
    }
    name_of = {id(a): n for n, a in ARCHETYPES.items()}
    everyone = range(len(profiles))
    for s in order:
        weights = cumulative[name_of[id(kinds[s])]]
        if not weights[-1]:
            continue
        wanted = rng.randint(6, 14)
        for r in dict.fromkeys(rng.choices(everyone, cum_weights=weights, k=wanted)):
            if r == s or frozenset((s, r)) in pairs:
                continue
            pairs.add(frozenset((s, r)))
            moment += datetime.timedelta(seconds=37)
            roll = rng.random()
            if r in own and r not in kept_for_own:
                status = RequestStatus.PENDING  # theirs to answer
                kept_for_own.add(r)
            elif roll < 0.8 and max(meetings[s], meetings[r]) < MAX_MEETINGS:
                status = RequestStatus.ACCEPTED
            elif roll < 0.93 or pending_sent[s] >= MAX_OPEN_REQUESTS:
                status = RequestStatus.DECLINED
            else:
                status = RequestStatus.PENDING
            if status == RequestStatus.PENDING:
                pending_sent[s] += 1
            elif status == RequestStatus.ACCEPTED:
                meetings[s] += 1
                meetings[r] += 1
                accepted.append((len(requests), s, r))
            requests.append(
                MeetingRequest(
                    sender=profiles[s],
                    recipient=profiles[r],
                    message="期待在西洽会上面谈合作。",
                    status=status,
                    created_at=moment,
                    decided_at=None
                    if status == RequestStatus.PENDING
                    else moment + datetime.timedelta(hours=5),
                    origin=Origin.GENERATED,
                )
            )
    MeetingRequest.objects.bulk_create(requests, batch_size=1000)
    Meeting.objects.bulk_create(
        (
            Meeting(
                request=requests[i],
                fair=fair,
                a=profiles[s],
                b=profiles[r],
                accepted_at=requests[i].decided_at,
                origin=Origin.GENERATED,
            )
            for i, s, r in accepted
        ),
        batch_size=1000,
    )
    Notification.objects.bulk_create(
        services._notify(
            request.recipient,
            NoticeKind.REQUEST_RECEIVED,
            counterpart=request.sender,
            request=request,
        )
        for request in requests
        if request.status == RequestStatus.PENDING
        and request.recipient.registration.person.username in OWN_ACCOUNTS
    )
    return len(requests)


def _write(meetings: list[Meeting], names: list[str]) -> None:
    """Update these fields of many meetings with one prepared statement (``executemany``).

    Django's ``bulk_update`` builds one CASE per field and row, which takes seconds for a few
    thousand meetings; generated data needs no more than the plain UPDATE.
    """
    fields = [Meeting._meta.get_field(name) for name in names]
    columns = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    table = connection.ops.quote_name(Meeting._meta.db_table)
    sql = f"UPDATE {table} SET {columns} WHERE id = %s"  # noqa: S608 (names from the model)
    rows = [
        [f.get_db_prep_save(getattr(m, f.attname), connection) for f in fields] + [m.pk]
        for m in meetings
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _schedule(fair: Fair, rng: random.Random) -> int:
    """Run the scheduler directly, publish its plan, then play the fair: held or no-show."""
    if SchedulePlan.objects.filter(fair=fair, status=PlanStatus.PUBLISHED).exists():
        return 0
    if not Meeting.objects.filter(fair=fair).exists():
        return 0
    now = _at(19, 18)  # the evening before the fair opens
    loaded = planning.load(fair, now)
    bound = scheduling.upper_bound(loaded.problem, method="flow")
    result = scheduling.schedule(loaded.problem, time_limit_s=0.5, bound=bound)
    fcfs = scheduling.greedy_fcfs(loaded.problem).placed
    services._store_plan(
        fair,
        loaded,
        result,
        kind=PlanKind.FULL,
        status=PlanStatus.PUBLISHED,
        fcfs=fcfs,
        actor=None,
        now=now,
    )
    slots = {s.pk: s for s in loaded.slots}
    tables = {t.pk: t for t in loaded.tables}
    notices = []
    # The fair took place: most meetings were held, a few were no-shows, some had outcomes.
    for mid, (slot_id, table_id) in loaded.to_rows(result.assignments).items():
        meeting = loaded.meetings[mid]
        meeting.status = MeetingStatus.PUBLISHED
        meeting.slot, meeting.table = slots[slot_id], tables[table_id]
        names = {
            meeting.a.registration.person.username,
            meeting.b.registration.person.username,
        }
        if names & set(OWN_ACCOUNTS):
            # their own meetings stay for them to check in and record
            for side, other in ((meeting.a, meeting.b), (meeting.b, meeting.a)):
                if side.registration.person.username in OWN_ACCOUNTS:
                    notices.append(
                        services._notify(
                            side, NoticeKind.PLACED, counterpart=other, meeting=meeting
                        )
                    )
            continue
        if rng.random() < 0.85:
            arrived = meeting.slot.starts_at - datetime.timedelta(minutes=3)
            meeting.a_checked_in_at = meeting.b_checked_in_at = arrived
            meeting.attendance = Attendance.HELD
            if rng.random() < 0.5:
                meeting.outcome = "negotiating" if rng.random() < 0.4 else "follow_up"
                meeting.outcome_note = "双方约定会后继续对接。"
                meeting.outcome_recorded_at = meeting.slot.ends_at
        else:
            meeting.attendance = Attendance.NO_SHOW
    _write(
        [m for m in loaded.meetings.values() if m.status == MeetingStatus.PUBLISHED],
        [
            "status",
            "slot",
            "table",
            "a_checked_in_at",
            "b_checked_in_at",
            "attendance",
            "outcome",
            "outcome_note",
            "outcome_recorded_at",
        ],
    )
    Notification.objects.bulk_create(notices)
    return result.placed


def load_generated(rng: random.Random) -> dict[str, int]:
    """Profiles, requests, slots, tables and a published schedule for the 2021 fair."""
    fair = Fair.objects.filter(slug=FAIR).first()
    if fair is None:
        return {}
    # Our own stream, derived from the shared one without drawing from it: the modules after
    # this one generate the same data whether or not matchmaking runs.
    local = random.Random(hash(rng.getstate()[1]))  # noqa: S311 (demo data)
    return {
        "registrations": _register_demo_accounts(fair) + _crowd(fair, local),
        "profiles": _profiles(fair, local),
        "slots": _slots_and_tables(fair),
        "requests": _requests(fair, local),
        "meetings placed": _schedule(fair, local),
    }
