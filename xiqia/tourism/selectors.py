"""Reads for the tourism pages and API (constant query counts: see the tests)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from xiqia.accounts import access
from xiqia.core.models import Region
from xiqia.tourism.models import Merchant, Voucher, VoucherCampaign


def campaign_list(*, who: Any) -> QuerySet[VoucherCampaign]:
    """Return the campaigns ``who`` sees, newest first, with their districts loaded."""
    regions = Region.objects.order_by("code")
    return access.scope(who, VoucherCampaign.objects.all()).prefetch_related(
        Prefetch("issuing_regions", queryset=regions),
        Prefetch("eligible_regions", queryset=regions),
    )


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
