"""Reads for the tourism pages and API (constant query counts: see the tests)."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from xiqia.accounts import access
from xiqia.core.models import Region, localized
from xiqia.tourism import stock
from xiqia.tourism.models import Merchant, Voucher, VoucherCampaign, VoucherStatus


def campaign_list(*, who: Any) -> QuerySet[VoucherCampaign]:
    """Return the campaigns ``who`` sees, newest first, with their districts loaded."""
    regions = Region.objects.order_by("code")
    return stock.with_left(access.scope(who, VoucherCampaign.objects.all())).prefetch_related(
        Prefetch("issuing_regions", queryset=regions),
        Prefetch("eligible_regions", queryset=regions),
    )


def campaign_for_claim() -> QuerySet[VoucherCampaign]:
    """Return the campaigns with what a claim reads: the districts it is open to."""
    return stock.with_left(VoucherCampaign.objects.all()).prefetch_related(
        Prefetch("eligible_regions", queryset=Region.objects.order_by("code"))
    )


# Published campaigns as claims read them, kept in each process for a moment: a flash crowd
# asks for the same campaign thousands of times a second. A published campaign is visible to
# everyone (VoucherCampaignPolicy), so the copy needs no scope; a change to it (unpublished, a
# new claim window) reaches claims within CLAIM_CAMPAIGN_SECONDS. No stock is kept here.
CLAIM_CAMPAIGN_SECONDS = 1.0
_claim_campaigns: dict[str, tuple[float, VoucherCampaign]] = {}


def published_campaign_for_claim(slug: str) -> VoucherCampaign | None:
    """Return the published campaign ``slug`` with its eligible districts, or None."""
    now = time.monotonic()
    hit = _claim_campaigns.get(slug)
    if hit is not None and hit[0] > now:
        return hit[1]
    campaign = (
        VoucherCampaign.objects.filter(slug=slug, is_published=True)
        .prefetch_related(Prefetch("eligible_regions", queryset=Region.objects.order_by("code")))
        .first()
    )
    if campaign is None:
        _claim_campaigns.pop(slug, None)
        return None
    _claim_campaigns[slug] = (now + CLAIM_CAMPAIGN_SECONDS, campaign)
    return campaign


def campaign_get(*, who: Any, slug: str) -> VoucherCampaign:
    return access.get_object(who, campaign_list(who=who), slug=slug)


def my_vouchers(*, user: Any) -> QuerySet[Voucher]:
    """Return a person's own vouchers with their campaigns and merchants."""
    return Voucher.objects.filter(holder=user).select_related("campaign", "merchant")


def voucher_get_own(*, user: Any, code: str) -> Voucher:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(my_vouchers(user=user), code=code)


def till_merchants(*, user: Any) -> QuerySet[Merchant]:
    """Return the merchants whose till a user works: as a cashier or a member of its firm."""
    principal = access.principal_for(user)
    merchants = Merchant.objects.select_related("region").order_by("name_zh")
    if principal.is_admin:
        return merchants
    if not principal.is_authenticated:
        return merchants.none()
    return merchants.filter(
        pk__in=Merchant.objects.filter(cashiers=user).values("pk")
    ) | merchants.filter(organisation__in=principal.organisation_ids)


# Reconciliation --------------------------------------------------------------------------------


def reconciliation_campaigns(*, who: Any) -> QuerySet[VoucherCampaign]:
    """Return the campaigns whose figures ``who`` may see: all for administrators and analysts,
    their districts' for officers. Raise ``PermissionDenied`` for anyone else."""
    from django.core.exceptions import PermissionDenied

    from xiqia.accounts.models import Role
    from xiqia.tourism.policies import campaigns_run_by

    principal = access.principal_for(getattr(who, "user", who))
    if principal.is_admin or principal.has(Role.ANALYST):
        return VoucherCampaign.objects.all()
    q = campaigns_run_by(principal)
    if q is None:
        raise PermissionDenied
    return VoucherCampaign.objects.filter(q)


def _money(value: Any) -> Decimal:
    return (value or Decimal(0)).quantize(Decimal("0.01"))


def reconciliation(
    *, campaigns: QuerySet[VoucherCampaign], now: datetime.datetime | None = None
) -> dict[str, Any]:
    """Return the figures of a set of campaigns: per campaign, district, merchant and day.

    Issued = claimed vouchers; redeemed ones count at their face value (what the issuing
    districts pay the merchants); expired = claimed, unused and past validity. Four queries,
    whatever the number of campaigns and vouchers.
    """
    now = now or timezone.now()
    vouchers = Voucher.objects.filter(campaign__in=campaigns.values("pk"))
    redeemed = Q(status=VoucherStatus.REDEEMED)
    face = F("campaign__face_value")
    per_campaign = []
    rows = (
        stock.with_left(campaigns)
        .annotate(
            issued=Count("vouchers"),
            redeemed=Count("vouchers", filter=Q(vouchers__status=VoucherStatus.REDEEMED)),
            expired=Count(
                "vouchers",
                filter=Q(vouchers__status=VoucherStatus.CLAIMED, valid_until__lte=now),
            ),
            spend=Sum("vouchers__spend"),
        )
        .order_by("-claim_opens_at", "pk")
    )
    for c in rows:
        per_campaign.append(
            {
                "slug": c.slug,
                "name": c.name,
                "total": c.total_count,
                "total_value": _money(c.face_value * c.total_count),
                "issued": c.issued,
                "remaining": c.remaining,
                "redeemed": c.redeemed,
                "expired": c.expired,
                "unused": c.issued - c.redeemed - c.expired,
                "issued_value": _money(c.face_value * c.issued),
                "redeemed_value": _money(c.face_value * c.redeemed),
                "spend": _money(c.spend),
            }
        )
    by_merchant = (
        vouchers.filter(redeemed)
        .values("merchant_id", "merchant__name_zh", "merchant__name_en", "merchant__region__code")
        .annotate(redeemed=Count("pk"), value=Sum(face), spend=Sum("spend"))
        .order_by("-value", "merchant_id")
    )
    per_merchant = [
        {
            "merchant_id": row["merchant_id"],
            "name": localized(row["merchant__name_zh"], row["merchant__name_en"]),
            "region": row["merchant__region__code"],
            "redeemed": row["redeemed"],
            "value": _money(row["value"]),
            "spend": _money(row["spend"]),
        }
        for row in by_merchant
    ]
    names = dict(
        Region.objects.filter(code__in={row["region"] for row in per_merchant}).values_list(
            "code", "name_zh"
        )
    )
    per_district: dict[str, dict[str, Any]] = {}
    for row in per_merchant:
        district = per_district.setdefault(
            row["region"],
            {
                "code": row["region"],
                "name": names.get(row["region"], row["region"]),
                "redeemed": 0,
                "value": Decimal(0),
                "spend": Decimal(0),
            },
        )
        district["redeemed"] += row["redeemed"]
        district["value"] += row["value"]
        district["spend"] += row["spend"]
    zone = timezone.get_current_timezone()
    claimed_days = dict(
        vouchers.annotate(day=TruncDate("claimed_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    redeemed_days = dict(
        vouchers.filter(redeemed)
        .annotate(day=TruncDate("redeemed_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    per_day = [
        {"day": day, "claimed": claimed_days.get(day, 0), "redeemed": redeemed_days.get(day, 0)}
        for day in sorted(set(claimed_days) | set(redeemed_days))
    ]
    totals = {
        key: sum(row[key] for row in per_campaign)
        for key in ("total", "issued", "redeemed", "expired", "unused")
    }
    totals.update(
        {
            key: sum((row[key] for row in per_campaign), Decimal(0))
            for key in ("total_value", "issued_value", "redeemed_value", "spend")
        }
    )
    return {
        "per_campaign": per_campaign,
        "per_merchant": per_merchant,
        "per_district": sorted(per_district.values(), key=lambda d: d["code"]),
        "per_day": per_day,
        "totals": totals,
    }


def settlement_rows(
    *, campaign: VoucherCampaign, merchant: Merchant | None = None
) -> QuerySet[Voucher]:
    """Return a campaign's redeemed vouchers for settlement, by merchant then time (no holder)."""
    rows = Voucher.objects.filter(campaign=campaign, status=VoucherStatus.REDEEMED)
    if merchant is not None:
        rows = rows.filter(merchant=merchant)
    return (
        rows.select_related("merchant__region", "campaign")
        .order_by("merchant__name_zh", "redeemed_at", "pk")
        .only(
            "code",
            "redeemed_at",
            "spend",
            "merchant__name_zh",
            "merchant__name_en",
            "merchant__region__code",
            "merchant__region__name_zh",
            "merchant__region__name_en",
            "campaign__face_value",
            "campaign__slug",
        )
    )


def campaign_vouchers(*, campaign: VoucherCampaign, q_code: str = "") -> QuerySet[Voucher]:
    """Return a campaign's vouchers, newest first (the caller checks who runs the campaign)."""
    rows = Voucher.objects.filter(campaign=campaign).select_related("merchant", "residence_region")
    if q_code:
        rows = rows.filter(code=q_code.strip())
    return rows.order_by("-claimed_at", "-pk")
