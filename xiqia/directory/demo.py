"""Demo data for the directory: the source document's parks and organisations, then a few
generated ones (marked as such). Loaded by ``manage.py load_demo``; idempotent."""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker
from stdnum.cn import uscc

from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.directory import services
from xiqia.directory.models import Industry, Organisation, OrganisationKind

# The codes the districts had in May 2021 (Yubei's was retired in 2025: see the region page).
YUBEI, JIULONGPO, XINDU, CHONGQING = "500112", "500107", "510114", "500000"

# Industries after GB/T 4754-2017 (national classification of economic activities): the
# divisions the source document's organisations work in.
INDUSTRIES = [
    ("C32", "有色金属冶炼和压延加工业", "Smelting and pressing of non-ferrous metals"),
    ("C33", "金属制品业", "Metal products"),
    ("C36", "汽车制造业", "Automobile manufacturing"),
    (
        "C37",
        "铁路、船舶、航空航天和其他运输设备制造业",
        "Railway, ship, aerospace and other transport equipment",
    ),
    (
        "C39",
        "计算机、通信和其他电子设备制造业",
        "Computers, communication and other electronic equipment",
    ),
    ("F51", "批发业", "Wholesale trade"),
    ("F52", "零售业", "Retail trade"),
    ("G56", "航空运输业", "Air transport"),
    ("G59", "装卸搬运和仓储业", "Handling, storage and warehousing"),
    ("G60", "邮政业", "Postal and express delivery"),
    ("I65", "软件和信息技术服务业", "Software and information technology services"),
    ("L72", "商务服务业", "Business services"),
    ("N78", "公共设施管理业", "Management of public facilities (incl. scenic spots)"),
]


@dataclass(frozen=True)
class OrgFact:
    name_zh: str
    name_en: str
    kind: str
    region: str
    industries: tuple[str, ...] = ()
    parent: str = ""  # name_zh of the parent organisation
    short_zh: str = ""
    short_en: str = ""
    description_zh: str = ""
    description_en: str = ""


PARK, ENTERPRISE, GOVERNMENT = (
    OrganisationKind.PARK,
    OrganisationKind.ENTERPRISE,
    OrganisationKind.GOVERNMENT,
)

# Every name, place and relation below is stated in the source document (docs/demo-data.md);
# names are the Chinese original's, word for word, and every description has its Chinese text.
ORGANISATIONS: list[OrgFact] = [
    OrgFact(
        "重庆临空前沿科技城",
        "Chongqing Airport Frontier Science and Technology City",
        PARK,
        YUBEI,
        ("C39",),
        description_zh="渝北区千亿级智能终端产业集群的主要承载地。",
        description_en="A main carrier of Yubei's intelligent-terminal cluster.",
    ),
    OrgFact(
        "重庆空港工业园",
        "Chongqing Airport Industrial Park",
        PARK,
        YUBEI,
        ("C39", "C36"),
        description_zh="渝北区千亿级智能终端产业集群的主要承载地。",
        description_en="A main carrier of Yubei's intelligent-terminal cluster.",
    ),
    OrgFact(
        "渝北创新经济走廊",
        "Yubei Innovation Economy Corridor",
        PARK,
        YUBEI,
        ("C39",),
        description_zh=(
            "构建以OPPO、传音等整机品牌为中心，捷荣、天实精工等智能终端零部件企业共同发展的"
            "产业格局。"
        ),
        description_en="Centre of the intelligent-terminal cluster around complete-device brands.",
    ),
    OrgFact(
        "仙桃国际大数据谷",
        "Xiantao International Big Data Valley",
        PARK,
        YUBEI,
        ("I65",),
        description_zh="初步形成“软件公共平台—发包平台—产业应用—人才培养”的产业生态。",
        description_en=(
            "Software public platform, outsourcing platform, industry applications, "
            "talent training."
        ),
    ),
    OrgFact(
        "木耳航空物流园",
        "Mu'er Aviation Logistics Park",
        PARK,
        YUBEI,
        ("G59", "G60"),
        description_zh="成功引进中通快递等企业的10个重点项目。",
        description_en="Has brought in 10 key projects, ZTO Express among them.",
    ),
    OrgFact("机场航空物流园", "Airport Aviation Logistics Park", PARK, YUBEI, ("G56", "G59")),
    OrgFact(
        "保税港区空港功能区",
        "Airport Functional Zone of the Bonded Port Area",
        PARK,
        YUBEI,
        ("G59", "F51"),
    ),
    OrgFact(
        "中央公园",
        "Central Park (Liangjiang International Business Centre)",
        PARK,
        YUBEI,
        ("L72",),
        short_zh="两江国际商务中心",
        short_en="Liangjiang International Business Centre",
        description_zh="布局千亿级两江国际商务中心，已签约落户品牌约150家，签约面积9.48万平方米。",
        description_en="About 150 brands signed, 94,800 m² of floor area signed.",
    ),
    OrgFact("机场路消费走廊", "Airport Road consumption corridor", PARK, YUBEI, ("F52",)),
    OrgFact(
        "OPPO",
        "OPPO",
        ENTERPRISE,
        YUBEI,
        ("C39",),
        parent="渝北创新经济走廊",
        description_zh="渝北区智能终端产业集群的整机品牌。",
        description_en="Complete-device brand in the intelligent-terminal cluster.",
    ),
    OrgFact(
        "传音",
        "Transsion",
        ENTERPRISE,
        YUBEI,
        ("C39",),
        parent="渝北创新经济走廊",
        description_zh="渝北区智能终端产业集群的整机品牌。",
        description_en="Complete-device brand in the intelligent-terminal cluster.",
    ),
    OrgFact(
        "捷荣",
        "Jierong",
        ENTERPRISE,
        YUBEI,
        ("C39",),
        parent="渝北创新经济走廊",
        description_zh="渝北区智能终端产业集群的智能终端零部件企业。",
        description_en="Component maker in the intelligent-terminal cluster.",
    ),
    OrgFact(
        "天实精工",
        "Tianshi Precision",
        ENTERPRISE,
        YUBEI,
        ("C39",),
        parent="渝北创新经济走廊",
        description_zh="渝北区智能终端产业集群的智能终端零部件企业。",
        description_en="Component maker in the intelligent-terminal cluster.",
    ),
    OrgFact(
        "圆通速递重庆总部",
        "YTO Express Chongqing headquarters",
        ENTERPRISE,
        YUBEI,
        ("G60",),
        short_zh="圆通速递",
        short_en="YTO Express",
        description_zh="渝北区市级重点物流仓储项目，2019年正式试运行，日均处理快递量达160万件左右。",
        description_en="Trial operation since 2019; about 1.6 million parcels a day.",
    ),
    OrgFact(
        "中通快递",
        "ZTO Express",
        ENTERPRISE,
        YUBEI,
        ("G60",),
        parent="木耳航空物流园",
        description_zh="木耳航空物流园引进的10个重点项目的企业之一。",
        description_en="One of the enterprises of the Mu'er park's 10 key projects.",
    ),
    OrgFact("三亚湾水产市场", "Sanya Bay Aquatic Products Market", ENTERPRISE, YUBEI, ("F51",)),
    OrgFact(
        "海领（临空）国际农产品交易中心",
        "Hailing (Airport) International Agricultural Products Trading Centre",
        ENTERPRISE,
        YUBEI,
        ("F51",),
    ),
    OrgFact("双福农贸城", "Shuangfu Agricultural Trade City", ENTERPRISE, CHONGQING, ("F51",)),
    OrgFact("圣名世贸城", "Shengming World Trade City", ENTERPRISE, YUBEI, ("F51", "F52")),
    OrgFact(
        "西南国际汽贸城",
        "Southwest International Auto Trade City",
        ENTERPRISE,
        YUBEI,
        ("F52", "C36"),
    ),
    OrgFact(
        "中铝萨帕",
        "Chalco Sapa",
        ENTERPRISE,
        JIULONGPO,
        ("C32",),
        description_zh="为中车成都多路地铁提供的铝合金车体材料总金额近2亿元。",
        description_en=(
            "Has supplied CRRC Chengdu aluminium-alloy car-body material for several metro lines "
            "worth nearly 200 million yuan."
        ),
    ),
    OrgFact("西南铝", "Southwest Aluminium", ENTERPRISE, JIULONGPO, ("C32",)),
    OrgFact(
        "中车成都机车车辆有限公司",
        "CRRC Chengdu Locomotive and Rolling Stock Co.",
        ENTERPRISE,
        XINDU,
        ("C37",),
        short_zh="中车成都",
        short_en="CRRC Chengdu",
        description_zh="2021年1月7日，时速160km新一代市域A型列车在此下线。",
        description_en="Rolled out the new-generation municipal A-type train on 7 January 2021.",
    ),
    OrgFact("成都宝钢制罐", "Chengdu Baosteel Can Making", ENTERPRISE, XINDU, ("C33",)),
    OrgFact(
        "九龙坡区政务服务部门",
        "Jiulongpo District government-service department",
        GOVERNMENT,
        JIULONGPO,
    ),
    OrgFact(
        "新都区政务服务部门",
        "Xindu District government-service department",
        GOVERNMENT,
        XINDU,
    ),
]

REGION_NAMES_EN = {
    "500000": "Chongqing",
    "500107": "Jiulongpo District",
    "500112": "Yubei District",
    "500157": "Liangjiang New Area",
    "510000": "Sichuan Province",
    "510100": "Chengdu",
    "510114": "Xindu District",
}


def region_on(code: str, year: int = 2021) -> Region:
    """Return the period of ``code`` in force in ``year``."""
    return Region.objects.valid_in(year).get(code=code)


def load_facts() -> dict[str, int]:
    """Load the source document's industries, parks and organisations."""
    for code, english in REGION_NAMES_EN.items():
        Region.objects.filter(code=code, valid_to__isnull=True).exclude(name_en=english).update(
            name_en=english
        )
    created = {"industries": 0, "organisations": 0}
    for code, zh, en in INDUSTRIES:
        _industry, was_created = Industry.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en}
        )
        created["industries"] += was_created
    industries = {i.code: i for i in Industry.objects.all()}
    for fact in ORGANISATIONS:
        region = region_on(fact.region)
        if Organisation.objects.filter(name_zh=fact.name_zh, region=region).exists():
            continue
        parent = (
            Organisation.objects.get(name_zh=fact.parent, region__code=fact.region)
            if fact.parent
            else None
        )
        services.organisation_create(
            actor=None,
            origin=Origin.FACT,
            industries=[industries[c] for c in fact.industries],
            kind=fact.kind,
            name_zh=fact.name_zh,
            name_en=fact.name_en,
            short_name_zh=fact.short_zh,
            short_name_en=fact.short_en,
            region=region,
            parent=parent,
            description_zh=fact.description_zh,
            description_en=fact.description_en,
        )
        created["organisations"] += 1
    return created


def synthetic_credit_code(rng: random.Random, region_code: str) -> str:
    """Return a unified social credit code that passes the checksum, built from a seed."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    # 9 = registered by the market regulator, 1 = enterprise; then the region code.
    body = "91" + region_code + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def load_generated(rng: random.Random, count: int = 18) -> dict[str, int]:
    """Add generated investors and enterprises, so lists and filters have something to show."""
    fake = Faker("zh_CN")
    fake.seed_instance(rng.randint(0, 2**31))
    regions = [region_on(code) for code in (YUBEI, JIULONGPO, XINDU)]
    industries = list(Industry.objects.order_by("code"))
    created = 0
    for i in range(count):
        kind = OrganisationKind.INVESTOR if i % 3 == 0 else OrganisationKind.ENTERPRISE
        region = regions[i % len(regions)]
        name = fake.unique.company()
        credit_code = synthetic_credit_code(rng, region.code)
        chosen = rng.sample(industries, k=2)
        if Organisation.objects.filter(name_zh=name, region=region).exists():
            continue
        services.organisation_create(
            actor=None,
            origin=Origin.GENERATED,
            industries=chosen,
            kind=kind,
            name_zh=name,
            name_en=f"Demo company {i + 1:02d}",
            region=region,
            credit_code=credit_code,
            description_zh="生成的演示数据，不是事实。",
            description_en="Generated demo data, not a fact.",
        )
        created += 1
    return {"organisations": created}
