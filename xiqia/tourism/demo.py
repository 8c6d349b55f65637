"""Demo data for culture and tourism. Idempotent.

Facts (from the source document): Jiulongpo and Xindu jointly held the 2021 (13th) Huangjueping
New Year Art Festival and 1st Xin-Long Culture and Art Festival, issued more than 30,000
culture-and-tourism vouchers worth 600,000 yuan in total (so 20 yuan each), and give residents
of both districts free or half-price tickets at several scenic spots on showing a resident ID
card or household register. The document gives no dates, minimum spend, spots or merchants:
the campaign's dates are illustrative (the festival season), and spots, merchants, claims,
redemptions and gate decisions are generated.

Generated ID numbers are synthetic: they pass the GB 11643 checksum, but every holder is "born"
in 1900 (January 1900, one day per thousand holders) under the code of Chengdu (510100), which
no living voucher holder is. Holders' names are drawn from common surnames and given names.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from stdnum.cn import ric

from xiqia.accounts import services as account_services
from xiqia.accounts.demo import DEMO_PASSWORD
from xiqia.accounts.models import User
from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.core.personal import PersonalKind, PersonalValue
from xiqia.tourism import services, stock
from xiqia.tourism.models import (
    Discount,
    DiscountDecision,
    Merchant,
    Proof,
    ResidentDiscountPolicy,
    ScenicSpot,
    Voucher,
    VoucherCampaign,
    VoucherStatus,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
SLUG = "xin-long-2021"
OPEN_SLUG = "xin-long-demo"
JIULONGPO, XINDU = "500107", "510114"
TOTAL, TOTAL_VALUE = 30_000, Decimal("600000")
# The festival as the source names it, word for word (新年, not 新春).
FESTIVAL_ZH = "2021（第十三届）黄桷坪新年艺术节暨首届新龙文化艺术节"
SYNTHETIC_REGION = "510100"


def synthetic_holder_id(index: int) -> str:
    """Return the synthetic ID number of demo holder ``index`` (0 to 365,999), born in 1900."""
    born = datetime.date(1900, 1, 1) + datetime.timedelta(days=index // 1000)
    body = f"{SYNTHETIC_REGION}{born:%Y%m%d}{index % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def _regions(*codes: str) -> list[Region]:
    return [Region.objects.valid_in(2021).get(code=code) for code in codes]


def load_facts() -> dict[str, int]:
    """Load the Xin-Long festival's voucher campaign (30,000 vouchers, 600,000 yuan)."""
    if VoucherCampaign.objects.filter(slug=SLUG).exists():
        return {"campaigns": 0}
    campaign = VoucherCampaign(
        slug=SLUG,
        name_zh=FESTIVAL_ZH + "文旅消费券",
        name_en=(
            "Culture-and-tourism vouchers of the 2021 (13th) Huangjueping New Year Art Festival "
            "and 1st Xin-Long Culture and Art Festival"
        ),
        description_zh=(
            "九龙坡区与新都区联合举办，共发放文旅消费券3万余张、总额60万元。"
            "面值由总额和张数推算，领取和使用日期为示意（原报道均未给出）。"
        ),
        description_en=(
            "Held jointly by Jiulongpo and Xindu: more than 30,000 vouchers, 600,000 yuan in "
            "total. The face value is inferred from the total and the count, the claim and "
            "validity dates are illustrative (the source gives neither)."
        ),
        total_count=TOTAL,
        face_value=TOTAL_VALUE / TOTAL,
        min_spend=Decimal(0),
        per_person_limit=1,
        claim_opens_at=_at(2021, 1, 8, 10),
        claim_closes_at=_at(2021, 2, 8),
        valid_from=_at(2021, 1, 8, 10),
        valid_until=_at(2021, 3, 1),
        is_published=True,
        origin=Origin.FACT,
    )
    services.campaign_save(campaign=campaign, actor=None)
    campaign.issuing_regions.set(_regions(JIULONGPO, XINDU))
    return {"campaigns": 1}


SPOTS = [
    ("九龙坡演示景区甲", "Jiulongpo demo scenic spot A", JIULONGPO, Discount.FREE, "60"),
    ("九龙坡演示景区乙", "Jiulongpo demo scenic spot B", JIULONGPO, Discount.HALF, "80"),
    ("新都演示景区甲", "Xindu demo scenic spot A", XINDU, Discount.FREE, "50"),
    ("新都演示景区乙", "Xindu demo scenic spot B", XINDU, Discount.HALF, "90"),
]
MERCHANT_KINDS = [
    ("书店", "bookshop"),
    ("火锅店", "hotpot restaurant"),
    ("茶馆", "teahouse"),
    ("文创店", "design shop"),
    ("民宿", "guesthouse"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鑫宇浩然欣怡子涵"


def _spots_and_policies() -> int:
    created = 0
    both = _regions(JIULONGPO, XINDU)
    for zh, en, code, discount, price in SPOTS:
        spot, was_created = ScenicSpot.objects.get_or_create(
            name_zh=zh,
            defaults={
                "name_en": en,
                "region": _regions(code)[0],
                "full_price": Decimal(price),
                "origin": Origin.GENERATED,
            },
        )
        if was_created:
            policy = ResidentDiscountPolicy.objects.create(
                spot=spot,
                discount=discount,
                accepts_id_card=True,
                accepts_household_register=True,
                note_zh="两区居民凭本人身份证或户口本享受（原报道所述；景区为演示）。",
                note_en=(
                    "Residents of both districts, on an ID card or household register (a fact "
                    "of the source; the spot is a demo)."
                ),
                origin=Origin.GENERATED,
            )
            policy.eligible_regions.set(both)
            created += 1
    return created


def _merchants() -> list[Merchant]:
    cashier = User.objects.filter(username="cashier").first()
    if cashier is None:
        cashier = account_services.user_create(
            username="cashier",
            password=DEMO_PASSWORD,
            full_name="演示收银员",
            origin=Origin.GENERATED,
        )
    merchants = []
    for code, district_zh, district_en in (
        (JIULONGPO, "九龙坡", "Jiulongpo"),
        (XINDU, "新都", "Xindu"),
    ):
        for zh, en in MERCHANT_KINDS:
            merchant, created = Merchant.objects.get_or_create(
                name_zh=f"{district_zh}演示{zh}",
                defaults={
                    "name_en": f"{district_en} demo {en}",
                    "region": _regions(code)[0],
                    "origin": Origin.GENERATED,
                },
            )
            if created:
                merchant.cashiers.add(cashier)
            merchants.append(merchant)
    return merchants


def load_generated(rng: random.Random) -> dict[str, int]:
    """Add spots, merchants, the 30,000 claims with their redemptions, and gate decisions."""
    spots = _spots_and_policies()
    merchants = _merchants()
    campaign = VoucherCampaign.objects.get(slug=SLUG)
    if not campaign.merchants.exists():
        campaign.merchants.set(merchants)
    claims = 0 if campaign.vouchers.exists() else _claims(campaign, merchants, rng)
    decisions = _decisions(rng)
    open_campaign = _open_campaign(merchants)
    return {
        "spots": spots,
        "merchants": len(merchants),
        "vouchers": claims,
        "decisions": decisions,
        "open campaigns": open_campaign,
    }


@transaction.atomic
def _claims(campaign: VoucherCampaign, merchants: list[Merchant], rng: random.Random) -> int:
    """Issue the whole stock as claims. Bulk-inserted for speed (30,000 service calls would take
    minutes); the stock is then set from the count, so ``issued + remaining == total`` holds."""
    districts = _regions(JIULONGPO, XINDU)
    start, end = campaign.claim_opens_at, campaign.claim_closes_at
    window = (end - start).total_seconds()
    validity_end = campaign.valid_until
    batch: list[Voucher] = []
    for index in range(campaign.total_count):
        # A flash crowd at the opening: 60 % in the first hour, the rest over the window.
        offset = rng.uniform(0, 3600) if rng.random() < 0.6 else rng.uniform(0, window)
        claimed_at = start + datetime.timedelta(seconds=offset)
        voucher = Voucher(
            campaign=campaign,
            holder_name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, k=rng.choice((1, 2)))),
            id_number=PersonalValue(PersonalKind.ID_NUMBER, synthetic_holder_id(index)),
            residence_region=rng.choice(districts),
            claimed_at=claimed_at,
            origin=Origin.GENERATED,
        )
        if rng.random() < 0.72:
            left = (validity_end - claimed_at).total_seconds()
            voucher.status = VoucherStatus.REDEEMED
            voucher.redeemed_at = claimed_at + datetime.timedelta(
                seconds=rng.uniform(60, left - 60)
            )
            voucher.merchant = rng.choice(merchants)
            voucher.spend = (campaign.face_value + Decimal(rng.randrange(0, 20000)) / 100).quantize(
                Decimal("0.01")
            )
        batch.append(voucher)
    Voucher.objects.bulk_create(batch, batch_size=2000)
    issued = campaign.vouchers.count()
    stock.set_left(campaign, campaign.total_count - issued)
    return issued


def _decisions(rng: random.Random) -> int:
    if DiscountDecision.objects.exists():
        return 0
    policies = list(ResidentDiscountPolicy.objects.select_related("spot"))
    districts = _regions(JIULONGPO, XINDU, "500112")
    rows = []
    for n in range(200):
        policy = rng.choice(policies)
        region = rng.choice(districts)
        rows.append(
            DiscountDecision(
                policy=policy,
                proof=rng.choice((Proof.ID_CARD, Proof.ID_CARD, Proof.HOUSEHOLD_REGISTER)),
                region=region,
                granted=region.code in (JIULONGPO, XINDU),
                gate=rng.choice(("东门", "西门")),
                decided_at=_at(2021, 1, 9, 9) + datetime.timedelta(days=n % 40, minutes=n * 7),
                origin=Origin.GENERATED,
            )
        )
    DiscountDecision.objects.bulk_create(rows)
    return len(rows)


def _open_campaign(merchants: list[Merchant]) -> int:
    """A small generated campaign open until 2030, so the claim and till pages can be tried."""
    if VoucherCampaign.objects.filter(slug=OPEN_SLUG).exists():
        return 0
    campaign = VoucherCampaign(
        slug=OPEN_SLUG,
        name_zh="新龙文旅消费券（演示，可领取）",
        name_en="Xin-Long culture and tourism voucher (demo, open)",
        total_count=500,
        face_value=Decimal("20"),
        min_spend=Decimal("50"),
        claim_opens_at=_at(2021, 1, 1),
        claim_closes_at=_at(2030, 12, 31),
        valid_from=_at(2021, 1, 1),
        valid_until=_at(2030, 12, 31),
        is_published=True,
        origin=Origin.GENERATED,
    )
    services.campaign_save(campaign=campaign, actor=None)
    campaign.issuing_regions.set(_regions(JIULONGPO, XINDU))
    campaign.merchants.set(merchants)
    return 1
