"""Who may see and change tourism records (see ``xiqia.accounts.access``).

Campaigns, spots and merchants belong to their district: its officers run them. Vouchers hold
personal data: the holder sees their own, the officers of an issuing district and the platform
administrators see the campaign's (masked), analysts only the statistics (selectors).
"""

from __future__ import annotations

from django.db.models import Q

from xiqia.accounts.access import ALL, Policy, Principal, register
from xiqia.accounts.models import Role
from xiqia.tourism.models import (
    DiscountDecision,
    IdempotencyKey,
    LotteryEntry,
    Merchant,
    PersonalDataAccess,
    ResidentDiscountPolicy,
    ScenicSpot,
    Voucher,
    VoucherCampaign,
)


def runs_tourism(principal: Principal) -> bool:
    return principal.is_admin or principal.has(Role.DISTRICT_OFFICER)


def campaigns_run_by(principal: Principal) -> Q | None:
    """Return the campaigns a principal runs: all for admins, their districts' for officers."""
    if principal.is_admin:
        return ALL
    if not principal.has(Role.DISTRICT_OFFICER):
        return None
    ids = VoucherCampaign.objects.filter(principal.region_q("issuing_regions__code")).values("pk")
    return Q(pk__in=ids)


class DistrictRecord(Policy):
    """Public records of a district: everyone reads, the district's officers edit."""

    region_lookup = "region__code"

    def view_q(self, principal: Principal) -> Q | None:
        return ALL

    def change_q(self, principal: Principal) -> Q | None:
        if principal.is_admin:
            return ALL
        if principal.has(Role.DISTRICT_OFFICER):
            return principal.region_q(self.region_lookup)
        return None

    delete_q = change_q

    def can_create(self, principal: Principal, obj: object = None) -> bool:
        if principal.is_admin:
            return True
        if not principal.has(Role.DISTRICT_OFFICER):
            return False
        code = _region_code(obj, self.region_lookup)
        return code is None or principal.covers_region_code(code)


def _region_code(obj: object, lookup: str) -> str | None:
    """Follow ``a__b__code`` on an unsaved object; None when it cannot be followed yet."""
    value = obj
    for part in lookup.split("__"):
        value = getattr(value, part, None) if value is not None else None
    return value if isinstance(value, str) else None


@register
class ScenicSpotPolicy(DistrictRecord):
    model = ScenicSpot


@register
class MerchantPolicy(DistrictRecord):
    model = Merchant


@register
class ResidentDiscountPolicyPolicy(DistrictRecord):
    model = ResidentDiscountPolicy
    region_lookup = "spot__region__code"


@register
class DiscountDecisionPolicy(DistrictRecord):
    """Decisions are statistics (no personal data): the district's officers and analysts."""

    model = DiscountDecision
    region_lookup = "policy__spot__region__code"

    def view_q(self, principal: Principal) -> Q | None:
        if principal.is_admin or principal.has(Role.ANALYST):
            return ALL
        if principal.has(Role.DISTRICT_OFFICER):
            return principal.region_q(self.region_lookup)
        return None

    def change_q(self, principal: Principal) -> Q | None:
        return ALL if principal.is_admin else None

    delete_q = change_q


@register
class VoucherCampaignPolicy(Policy):
    model = VoucherCampaign

    def view_q(self, principal: Principal) -> Q | None:
        if principal.is_admin or principal.has(Role.ANALYST):
            return ALL
        run = campaigns_run_by(principal)
        return Q(is_published=True) if run is None else Q(is_published=True) | run

    def change_q(self, principal: Principal) -> Q | None:
        return campaigns_run_by(principal)

    def delete_q(self, principal: Principal) -> Q | None:
        return ALL if principal.is_admin else None

    def can_create(self, principal: Principal, obj: object = None) -> bool:
        return runs_tourism(principal)


@register
class VoucherPolicy(Policy):
    """The holder, and those who run the campaign. Cashiers redeem by code through the service."""

    model = Voucher

    def view_q(self, principal: Principal) -> Q | None:
        if not principal.is_authenticated:
            return None
        if principal.is_admin:
            return ALL
        q = Q(holder=principal.user.pk)
        run = campaigns_run_by(principal)
        if run is not None:
            ids = VoucherCampaign.objects.filter(run).values("pk")
            q |= Q(campaign__in=ids)
        return q

    def change_q(self, principal: Principal) -> Q | None:
        return None  # vouchers change only through the claim and redemption services

    def delete_q(self, principal: Principal) -> Q | None:
        return None

    def can_create(self, principal: Principal, obj: object = None) -> bool:
        return False


@register
class LotteryEntryPolicy(Policy):
    """Like vouchers: the entrant, and those who run the campaign. Written by the services."""

    model = LotteryEntry

    def view_q(self, principal: Principal) -> Q | None:
        if not principal.is_authenticated:
            return None
        if principal.is_admin:
            return ALL
        q = Q(holder=principal.user.pk)
        run = campaigns_run_by(principal)
        if run is not None:
            q |= Q(campaign__in=VoucherCampaign.objects.filter(run).values("pk"))
        return q

    def change_q(self, principal: Principal) -> Q | None:
        return None

    def delete_q(self, principal: Principal) -> Q | None:
        return None

    def can_create(self, principal: Principal, obj: object = None) -> bool:
        return False


@register
class IdempotencyKeyPolicy(Policy):
    model = IdempotencyKey

    def view_q(self, principal: Principal) -> Q | None:
        return ALL if principal.is_admin else None

    def change_q(self, principal: Principal) -> Q | None:
        return None


@register
class PersonalDataAccessPolicy(Policy):
    """The audit log is append-only: administrators read it, nobody edits or deletes it."""

    model = PersonalDataAccess

    def view_q(self, principal: Principal) -> Q | None:
        return ALL if principal.is_admin else None

    def change_q(self, principal: Principal) -> Q | None:
        return None

    def delete_q(self, principal: Principal) -> Q | None:
        return None

    def can_create(self, principal: Principal, obj: object = None) -> bool:
        return False
