"""Demo data for investment: Yubei's clusters, parks, anchors and stated figures (facts), then a
generated project catalogue, deals signed at the 2021 fair and their landing (generated).

Loaded by ``manage.py load_demo`` after the directory and the fair; idempotent: a second run
writes nothing. Every generated record carries ``origin = generated`` and says so in its text.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from xiqia.accounts.models import User
from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.core.uploads import minimal_pdf
from xiqia.directory.models import Industry, Organisation
from xiqia.fair.models import Event
from xiqia.investment import services
from xiqia.investment.models import (
    AnchorEnterprise,
    AnchorRole,
    Cluster,
    ClusterIndicator,
    Deal,
    DealKind,
    Indicator,
    Milestone,
    Park,
    Project,
    Step,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
YUBEI, JIULONGPO, XINDU = "500112", "500107", "510114"
YI = Decimal(100_000_000)
HUNDRED_BILLION = 1000 * YI  # 千亿级
FAIR_SLUG = "xiqia-2021"  # the fair's demo (xiqia.fair.demo)
SEED = 20210520


def _region(code: str, year: int = 2021) -> Region:
    return Region.objects.valid_in(year).get(code=code)


# Facts: every name, figure and relation below is stated in the source document ---------------

# Yubei's five clusters, each aimed at 100 billion yuan; intelligent terminals by 2025.
CLUSTERS = [
    ("智能终端", "Intelligent terminals", 2025),
    ("现代消费走廊", "Modern consumption corridor", None),
    ("两江国际商务中心", "Liangjiang International Business Centre", None),
    ("航空物流", "Aviation logistics", None),
    ("软件和信息服务", "Software and information services", None),
]

# The parks (directory entries of the fact loader) and the cluster each carries.
PARKS = [
    ("重庆临空前沿科技城", "智能终端"),
    ("重庆空港工业园", "智能终端"),
    ("渝北创新经济走廊", "智能终端"),
    ("仙桃国际大数据谷", "软件和信息服务"),
    ("木耳航空物流园", "航空物流"),
    ("机场航空物流园", "航空物流"),
    ("保税港区空港功能区", "航空物流"),
    ("中央公园", "两江国际商务中心"),
    ("机场路消费走廊", "现代消费走廊"),
]

ANCHORS = [
    ("智能终端", "OPPO", AnchorRole.DEVICE_BRAND),
    ("智能终端", "传音", AnchorRole.DEVICE_BRAND),
    ("智能终端", "捷荣", AnchorRole.COMPONENT_MAKER),
    ("智能终端", "天实精工", AnchorRole.COMPONENT_MAKER),
    ("航空物流", "圆通速递重庆总部", AnchorRole.PLATFORM),
    ("航空物流", "中通快递", AnchorRole.PLATFORM),
]


@dataclass(frozen=True)
class FigureFact:
    name_zh: str
    name_en: str
    value: Decimal
    unit_zh: str
    unit_en: str
    park: str = ""
    organisation: str = ""
    approximate: bool = False


FIGURES = [
    FigureFact("签约品牌", "Brands signed", Decimal(150), "个", "brands", park="中央公园",
               approximate=True),
    FigureFact("签约面积", "Floor area signed", Decimal(94_800), "平方米", "m²", park="中央公园"),
    FigureFact("引进重点项目", "Key projects brought in", Decimal(10), "个", "projects",
               park="木耳航空物流园"),
    FigureFact("日处理包裹", "Parcels handled a day", Decimal(1_600_000), "件/日", "parcels/day",
               organisation="圆通速递重庆总部", approximate=True),
]  # fmt: skip


def load_facts() -> dict[str, int]:
    """Load Yubei's clusters, parks, anchor enterprises and stated figures."""
    yubei = _region(YUBEI)
    created = {"clusters": 0, "parks": 0, "anchors": 0, "indicators": 0}
    clusters: dict[str, Cluster] = {}
    for name_zh, name_en, year in CLUSTERS:
        cluster, was_created = Cluster.objects.get_or_create(
            region=yubei,
            name_zh=name_zh,
            defaults={
                "name_en": name_en,
                "target_amount": HUNDRED_BILLION,
                "target_year": year,
                "origin": Origin.FACT,
            },
        )
        clusters[name_zh] = cluster
        created["clusters"] += was_created
    parks: dict[str, Park] = {}
    for name_zh, cluster_name in PARKS:
        organisation = Organisation.objects.get(name_zh=name_zh, region=yubei)
        park, was_created = Park.objects.get_or_create(
            region=yubei,
            name_zh=name_zh,
            defaults={
                "name_en": organisation.name_en,
                "organisation": organisation,
                "description_zh": organisation.description_zh,
                "description_en": organisation.description_en,
                "origin": Origin.FACT,
            },
        )
        if was_created:
            park.clusters.add(clusters[cluster_name])
        parks[name_zh] = park
        created["parks"] += was_created
    for cluster_name, organisation_name, role in ANCHORS:
        _anchor, was_created = AnchorEnterprise.objects.get_or_create(
            cluster=clusters[cluster_name],
            organisation=Organisation.objects.get(name_zh=organisation_name, region=yubei),
            defaults={"role": role, "origin": Origin.FACT},
        )
        created["anchors"] += was_created
    for fact in FIGURES:
        _indicator, was_created = Indicator.objects.get_or_create(
            region=yubei,
            park=parks[fact.park] if fact.park else None,
            organisation=(
                Organisation.objects.get(name_zh=fact.organisation, region=yubei)
                if fact.organisation
                else None
            ),
            name_zh=fact.name_zh,
            defaults={
                "name_en": fact.name_en,
                "value": fact.value,
                "unit_zh": fact.unit_zh,
                "unit_en": fact.unit_en,
                "is_approximate": fact.approximate,
                "origin": Origin.FACT,
            },
        )
        created["indicators"] += was_created
    return created


# Generated ------------------------------------------------------------------------------------

GENERATED_NOTE_ZH = "生成的演示数据，不是事实。"
GENERATED_NOTE_EN = "Generated demo data, not a fact."

# (region, cluster, park, industry, Chinese title, English title)
PROJECT_TEMPLATES = [
    (YUBEI, "智能终端", "重庆空港工业园", "C39", "智能手机整机生产基地",
     "Smartphone assembly base"),
    (YUBEI, "智能终端", "重庆临空前沿科技城", "C39", "显示模组配套项目",
     "Display module supply project"),
    (YUBEI, "智能终端", "渝北创新经济走廊", "C39", "精密结构件项目", "Precision structural parts"),
    (YUBEI, "智能终端", "渝北创新经济走廊", "C39", "智能穿戴设备研发中心", "Wearables R&D centre"),
    (YUBEI, "航空物流", "木耳航空物流园", "G59", "航空物流园冷链仓储项目",
     "Cold-chain warehousing at the aviation logistics park"),
    (YUBEI, "航空物流", "木耳航空物流园", "G60", "智能快递分拣中心", "Smart parcel sorting centre"),
    (YUBEI, "航空物流", "机场航空物流园", "G56", "航空货运代理基地", "Air cargo forwarding base"),
    (YUBEI, "航空物流", "保税港区空港功能区", "F51", "跨境电商分拨中心",
     "Cross-border e-commerce distribution centre"),
    (YUBEI, "软件和信息服务", "仙桃国际大数据谷", "I65", "软件外包服务平台",
     "Software outsourcing platform"),
    (YUBEI, "软件和信息服务", "仙桃国际大数据谷", "I65", "工业互联网平台",
     "Industrial internet platform"),
    (YUBEI, "现代消费走廊", "机场路消费走廊", "F52", "离境退税商业综合体",
     "Tax-refund shopping complex"),
    (YUBEI, "现代消费走廊", "机场路消费走廊", "F52", "汽车品牌体验中心",
     "Car brand experience centre"),
    (YUBEI, "两江国际商务中心", "中央公园", "L72", "区域总部大楼", "Regional headquarters tower"),
    (YUBEI, "两江国际商务中心", "中央公园", "F52", "品牌旗舰店集群", "Flagship store cluster"),
    (JIULONGPO, "", "", "C32", "铝材精深加工项目", "Advanced aluminium processing"),
    (XINDU, "", "", "C37", "轨道交通装备配套项目", "Rail transit equipment supply project"),
]  # fmt: skip

AMOUNTS_YI = [Decimal("0.5"), Decimal(1), Decimal(2), Decimal(3), Decimal(5), Decimal(8),
              Decimal(10), Decimal(20)]  # fmt: skip
DEALS = 30
EVIDENCE_KINDS = {
    Step.REGISTERED: "licence",
    Step.CONSTRUCTION_STARTED: "photo",
    Step.IN_PRODUCTION: "photo",
    Step.AT_CAPACITY: "document",
    Step.TERMINATED: "document",
}
LAST_MILESTONE_DAY = datetime.date(2025, 12, 31)


def _evidence(step: str) -> ContentFile:
    # A real (blank, one-page) PDF, so the file passes the upload check like a scan would.
    return ContentFile(
        minimal_pdf(f"{GENERATED_NOTE_EN} Evidence of step {step}."),
        name=f"demo-{step}.pdf",
    )


def _projects(rng: random.Random) -> tuple[list[Project], int]:
    """Create the catalogue (one generated project per template); return them and the count."""
    industries = {i.code: i for i in Industry.objects.all()}
    projects: list[Project] = []
    created = 0
    for n, (code, cluster_name, park_name, industry, title_zh, title_en) in enumerate(
        PROJECT_TEMPLATES
    ):
        sought = rng.choice(AMOUNTS_YI) * YI
        land = Decimal(rng.randrange(20, 400) * 667)  # 20–400 mu, in m²
        published = n % 5 != 3  # a few drafts for the officers
        region = _region(code)
        existing = Project.objects.filter(region=region, title_zh=title_zh).first()
        if existing is not None:
            projects.append(existing)
            continue
        projects.append(
            services.project_create(
                actor=None,
                region=region,
                title_zh=title_zh,
                title_en=title_en,
                description_zh=f"{title_zh}，{cluster_name or '重点产业'}方向，诚邀投资。"
                f"{GENERATED_NOTE_ZH}",
                description_en=f"{title_en}, open for investment. {GENERATED_NOTE_EN}",
                park=Park.objects.get(region=region, name_zh=park_name) if park_name else None,
                cluster=(
                    Cluster.objects.get(region=region, name_zh=cluster_name)
                    if cluster_name
                    else None
                ),
                industry=industries.get(industry),
                investment_sought=sought,
                land_area_m2=land,
                contact_name="招商服务中心（演示）",
                is_published=published,
                origin=Origin.GENERATED,
            )
        )
        created += 1
    return projects, created


def _officers() -> dict[str, User | None]:
    return {
        code: User.objects.filter(username=name).first()
        for code, name in ((YUBEI, "yubei"), (JIULONGPO, "jiulongpo"), (XINDU, "xindu"))
    }


def _plan_landing(rng: random.Random, start: datetime.date) -> list[tuple[str, datetime.date]]:
    """Return the steps a generated contract reaches, with their dates."""
    reached = rng.choices([0, 1, 2, 3, 4], weights=[2, 2, 4, 4, 2])[0]
    terminate = rng.random() < 0.1
    steps: list[tuple[str, datetime.date]] = []
    day = start
    gaps = [(20, 90), (60, 240), (180, 420), (240, 540)]
    pipeline = [Step.REGISTERED, Step.CONSTRUCTION_STARTED, Step.IN_PRODUCTION, Step.AT_CAPACITY]
    for step, (low, high) in zip(pipeline[:reached], gaps, strict=False):
        day = day + datetime.timedelta(days=rng.randint(low, high))
        steps.append((step, day))
    if terminate and reached < 4:
        steps.append((Step.TERMINATED, day + datetime.timedelta(days=rng.randint(30, 200))))
    return [(s, d) for s, d in steps if d <= LAST_MILESTONE_DAY]


def load_generated(rng: random.Random) -> dict[str, int]:
    """Add a generated catalogue, deals signed at the 2021 fair's events, and their landing.

    Draws from its own generator, seeded from this module's name: what the modules loaded
    before draw (which may differ between a first and a second run) never shifts these records,
    so a second run finds every one of them and writes nothing.
    """
    rng = random.Random(f"{__name__}:{SEED}")  # noqa: S311 (demo data, not security)
    projects, created_projects = _projects(rng)
    events = list(Event.objects.filter(fair__slug=FAIR_SLUG).order_by("starts_at", "pk"))
    investors = list(Organisation.objects.filter(origin=Origin.GENERATED).order_by("pk"))
    counts = {"projects": created_projects, "deals": 0, "milestones": 0, "indicators": 0}
    deals_before = Deal.objects.filter(origin=Origin.GENERATED).count()
    if not events or not investors:
        return counts
    officers = _officers()
    pairs: set[tuple[int, int]] = set()
    for i in range(DEALS):
        # Every choice is drawn first, so a second run draws the same whatever exists.
        project = projects[i % len(projects)]
        investor = investors[(i * 7) % len(investors)]
        event = events[rng.randrange(len(events))]
        amount = rng.choice(AMOUNTS_YI) * YI
        kind = rng.choices(
            [DealKind.CONTRACT, DealKind.FRAMEWORK, DealKind.INTENTION], weights=[6, 2, 2]
        )[0]
        upgrade_days = rng.randint(40, 200)
        upgrade_factor = Decimal(rng.choice([100, 100, 120, 150])) / 100
        signed_at = event.starts_at.astimezone(SHANGHAI).date()
        plan_seed = rng.randrange(2**31)
        funds_share = Decimal(rng.randint(10, 90)) / 100
        if (investor.pk, project.pk) in pairs:
            continue  # one chain per investor and project
        pairs.add((investor.pk, project.pk))
        if i >= len(projects) and kind == DealKind.CONTRACT:
            kind = DealKind.INTENTION  # the second round: intentions upgraded after the fair
        code = project.region.code
        officer = officers.get(code)
        deal = services.deal_record(
            actor=None,
            investor=investor,
            host_region=project.region,
            project=project,
            amount=amount,
            kind=kind,
            signed_at=signed_at,
            event=event,
            officer=officer,
            note=GENERATED_NOTE_ZH,
            origin=Origin.GENERATED,
        )
        if kind != DealKind.CONTRACT:
            deal = services.deal_record(
                actor=None,
                investor=investor,
                host_region=project.region,
                project=project,
                amount=(amount * upgrade_factor).quantize(Decimal("0.01")),
                kind=DealKind.CONTRACT,
                signed_at=signed_at + datetime.timedelta(days=upgrade_days),
                officer=officer,
                note=GENERATED_NOTE_ZH,
                origin=Origin.GENERATED,
            )
        counts["milestones"] += _land(deal, random.Random(plan_seed), officer)  # noqa: S311
        if deal.construction_started_on and deal.funds_as_of is None:
            services.deal_funds_record(
                actor=None,
                deal=deal,
                amount=(deal.amount * funds_share).quantize(Decimal("0.01")),
                as_of=min(deal.construction_started_on + datetime.timedelta(days=180),
                          LAST_MILESTONE_DAY),
            )  # fmt: skip
    counts["deals"] = Deal.objects.filter(origin=Origin.GENERATED).count() - deals_before
    counts["indicators"] = _indicators(rng)
    return counts


def _land(deal: Deal, rng: random.Random, officer: User | None) -> int:
    deal.refresh_from_db()
    recorded = 0
    done = set(Milestone.objects.filter(deal__root=deal.root_id or deal.pk).values_list(
        "step", flat=True)) | set(Milestone.objects.filter(deal=deal.root_id or deal.pk)
        .values_list("step", flat=True))  # fmt: skip
    start = deal.contract_signed_on or deal.signed_at
    for step, day in _plan_landing(rng, start):
        if step in done:
            continue
        services.milestone_record(
            actor=None,
            deal=deal,
            step=step,
            date=day,
            evidence=_evidence(step),
            evidence_kind=EVIDENCE_KINDS[Step(step)],
            officer=officer,
            note=GENERATED_NOTE_ZH,
            origin=Origin.GENERATED,
        )
        deal.refresh_from_db()
        recorded += 1
    return recorded


def _indicators(rng: random.Random) -> int:
    """Give each Yubei cluster a generated yearly series rising towards its target."""
    created = 0
    for cluster in Cluster.objects.filter(region__code=YUBEI).order_by("pk"):
        output = Decimal(rng.randint(150, 400)) * YI
        enterprises = rng.randint(40, 160)
        for year in range(2017, 2022):
            output = (output * Decimal(rng.randint(108, 125)) / 100).quantize(YI)
            enterprises += rng.randint(3, 20)
            investment = (output * Decimal(rng.randint(8, 20)) / 100).quantize(YI)
            if ClusterIndicator.objects.filter(cluster=cluster, year=year).exists():
                continue
            services.cluster_indicator_set(
                actor=None,
                cluster=cluster,
                year=year,
                output_value=output,
                enterprises=enterprises,
                investment=investment,
                note=GENERATED_NOTE_ZH,
                origin=Origin.GENERATED,
            )
            created += 1
    return created
