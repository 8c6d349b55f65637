"""Demo data for the fair: the 2021 edition and its ten programme items (facts), then gates,
capacities, registrations, seats and check-ins (generated). Idempotent."""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

from xiqia.accounts.models import User
from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.fair import services
from xiqia.fair.models import Event, EventKind, Fair, Gate, Registration

SHANGHAI = ZoneInfo("Asia/Shanghai")
SLUG = "xiqia-2021"

# The programme as the source document lists it. It gives no times or rooms: the demo
# spreads the items over the four days and marks every time as illustrative.
PROGRAMME = [
    (
        EventKind.CEREMONY,
        "开幕式暨2021陆海新通道国际合作论坛",
        "Opening ceremony and 2021 New International Land-Sea Trade Corridor "
        "International Cooperation Forum",
        (20, 9, 30),
        (20, 12, 0),
    ),
    (
        EventKind.FORUM,
        "中国（重庆）开放型经济发展国际合作论坛",
        "China (Chongqing) International Cooperation Forum on Open-Economy Development",
        (20, 14, 0),
        (20, 17, 0),
    ),
    (
        EventKind.SUMMIT,
        "2021车联网与智能交通高峰论坛",
        "2021 Summit on the Internet of Vehicles and Intelligent Transport",
        (21, 9, 30),
        (21, 12, 0),
    ),
    (
        EventKind.SUMMIT,
        "大健康产业高峰论坛",
        "Big-Health Industry Summit",
        (21, 14, 0),
        (21, 17, 0),
    ),
    (
        EventKind.CONFERENCE,
        "2021亚洲企业大会·重庆",
        "2021 Asia Business Conference · Chongqing",
        (22, 9, 30),
        (22, 12, 0),
    ),
    (
        EventKind.PROMOTION,
        "重庆—阿尔及利亚经贸合作推介会",
        "Chongqing–Algeria Economic and Trade Cooperation Promotion Meeting",
        (22, 14, 0),
        (22, 16, 0),
    ),
    (
        EventKind.FORUM,
        "跨国经营高质量发展论坛",
        "Forum on High-Quality Development of Transnational Operations",
        (22, 16, 0),
        (22, 18, 0),
    ),
    (
        EventKind.ANNUAL_MEETING,
        "第二届“一带一路”侨商组织年会",
        "2nd Annual Meeting of Belt and Road Overseas-Chinese Business Organisations",
        (23, 9, 30),
        (23, 12, 0),
    ),
    (
        EventKind.COMPETITION,
        "金卡纳技巧绕桩赛",
        "Gymkhana slalom skills race",
        (23, 14, 0),
        (23, 16, 0),
    ),
    (
        EventKind.SUMMIT,
        "中国（重庆）新能源智能汽车产业峰会",
        "China (Chongqing) New-Energy and Intelligent Vehicle Industry Summit",
        (23, 14, 30),
        (23, 17, 30),
    ),
]


def _at(day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(2021, 5, day, hour, minute, tzinfo=SHANGHAI)


def load_facts() -> dict[str, int]:
    """Load the 3rd Western China International Fair for Investment and Trade and its programme."""
    fair, created = Fair.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name_zh": "第三届中国西部国际投资贸易洽谈会",
            "name_en": "3rd Western China International Fair for Investment and Trade",
            "short_name_zh": "西洽会",
            "short_name_en": "Xiqia Fair",
            "slogan_zh": "走进西部 洽谈未来",
            "slogan_en": "Walk into the West, Negotiate the Future",
            "region": Region.objects.valid_in(2021).get(code="500000"),
            "starts_on": datetime.date(2021, 5, 20),
            "ends_on": datetime.date(2021, 5, 23),
            "is_published": True,
            "requires_approval": True,
            "origin": Origin.FACT,
        },
    )
    events = 0
    for sequence, (kind, zh, en, start, end) in enumerate(PROGRAMME, start=1):
        _event, was_created = Event.objects.get_or_create(
            fair=fair,
            title_zh=zh,
            defaults={
                "kind": kind,
                "title_en": en,
                "starts_at": _at(*start),
                "ends_at": _at(*end),
                "times_illustrative": True,
                "sequence": sequence,
                "origin": Origin.FACT,
            },
        )
        events += was_created
    return {"fairs": int(created), "events": events}


# Generated: what running the fair needs beyond the source document.
GATES = [("A", "北门", "North entrance", None), ("B", "南门", "South entrance", None)]
CAPACITIES = {"金卡纳技巧绕桩赛": 40, "重庆—阿尔及利亚经贸合作推介会": 120}


def load_generated(rng: random.Random) -> dict[str, int]:
    """Add gates, capacities and the generated guests' registrations, seats and arrivals."""
    fair = Fair.objects.get(slug=SLUG)
    events = {e.title_zh: e for e in fair.events.all()}
    for title, capacity in CAPACITIES.items():
        Event.objects.filter(pk=events[title].pk, capacity__isnull=True).update(capacity=capacity)
    gates = {}
    for code, zh, en, event in GATES:
        gates[code], _created = Gate.objects.get_or_create(
            fair=fair, code=code, defaults={"name_zh": zh, "name_en": en, "event": event}
        )
    opening = events["开幕式暨2021陆海新通道国际合作论坛"]
    gates["C"], _created = Gate.objects.get_or_create(
        fair=fair,
        code="C",
        defaults={"name_zh": "主会场入口", "name_en": "Main hall door", "event": opening},
    )
    guests = list(User.objects.filter(username__startswith="guest").order_by("username"))
    registered = 0
    event_list = list(fair.events.order_by("sequence"))
    for i, guest in enumerate(guests):
        if Registration.objects.filter(fair=fair, person=guest).exists():
            continue
        membership = (
            guest.memberships.filter(organisation__isnull=False)
            .select_related("organisation")
            .first()
        )
        chosen = [opening, *rng.sample(event_list[1:], k=2)]
        registration = services.registration_create(
            fair=fair,
            person=guest,
            category="investor" if i % 3 == 0 else "guest",
            organisation=membership.organisation if membership else None,
            events=chosen,
            origin=Origin.GENERATED,
            actor=None,
            now=_at(10 + i % 5, 9, i),
        )
        registered += 1
        if i % 6 == 5:
            continue  # left pending, for the organiser's queue
        services.registration_approve(registration=registration, actor=None, now=_at(16, 10, i))
        if i % 4 == 0:
            badge_token = services.badge_token(registration.badge)
            services.check_in(
                gate=gates["A" if i % 8 == 0 else "B"],
                token=badge_token,
                scanned_at=_at(20, 8, 30 + i),
                device_id="demo",
                client_scan_id=f"demo-{guest.username}",
            )
    return {"registrations": registered}
