"""The back office for culture and tourism. Vouchers and logs are written by the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from xiqia.core.admin import ScopedAdmin, ScopedLogAdmin
from xiqia.tourism import services, stock
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


class ServiceWritten:
    """Records written only by the tourism services: the back office reads them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScenicSpot)
class ScenicSpotAdmin(ScopedAdmin):
    list_display = ["name_zh", "name_en", "region", "full_price", "origin"]
    list_filter = ["origin"]
    search_fields = ["name_zh", "name_en"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]


@admin.register(Merchant)
class MerchantAdmin(ScopedAdmin):
    list_display = ["name_zh", "region", "organisation", "origin"]
    search_fields = ["name_zh", "name_en"]
    raw_id_fields = ["region", "organisation"]
    filter_horizontal = ["cashiers"]
    list_select_related = ["region", "organisation"]


@admin.register(ResidentDiscountPolicy)
class ResidentDiscountPolicyAdmin(ScopedAdmin):
    list_display = ["spot", "discount", "accepts_id_card", "accepts_household_register"]
    raw_id_fields = ["spot"]
    filter_horizontal = ["eligible_regions"]
    list_select_related = ["spot"]


@admin.register(VoucherCampaign)
class VoucherCampaignAdmin(ScopedAdmin):
    list_display = [
        "name_zh",
        "allocation_mode",
        "total_count",
        "remaining",
        "face_value",
        "claim_opens_at",
        "is_published",
    ]
    list_filter = ["allocation_mode", "is_published", "origin"]
    search_fields = ["name_zh", "name_en", "slug"]
    readonly_fields = ["remaining", "personal_data_purged_at"]
    filter_horizontal = ["issuing_regions", "eligible_regions", "merchants"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return stock.with_left(super().get_queryset(request))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The stock left follows the total through the service, never a bare save.
        services.campaign_save(campaign=obj, actor=request.user)


@admin.register(Voucher)
class VoucherAdmin(ServiceWritten, ScopedLogAdmin):
    """Masked: the holder's ID number shows as 500107********1234 (PersonalValue's str)."""

    list_display = ["code", "campaign", "holder_name", "id_number", "status", "claimed_at"]
    list_filter = ["campaign", "status", "origin"]
    search_fields = ["code"]
    list_select_related = ["campaign"]
    exclude = ["id_number_digest"]


@admin.register(LotteryEntry)
class LotteryEntryAdmin(ServiceWritten, ScopedLogAdmin):
    """Masked like vouchers; the entry code is public, the person behind it is not."""

    list_display = ["code", "campaign", "holder_name", "id_number", "registered_at", "won"]
    list_filter = ["campaign", "won"]
    search_fields = ["code"]
    list_select_related = ["campaign"]
    exclude = ["id_number_digest"]


@admin.register(DiscountDecision)
class DiscountDecisionAdmin(ServiceWritten, ScopedLogAdmin):
    list_display = ["decided_at", "policy", "proof", "region", "granted", "gate"]
    list_filter = ["proof", "granted"]
    list_select_related = ["policy__spot", "region"]


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ServiceWritten, ScopedLogAdmin):
    list_display = ["key", "user", "completed", "response_status", "created_at"]
    list_select_related = ["user"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ServiceWritten, ScopedLogAdmin):
    list_display = ["viewed_at", "viewer", "campaign", "voucher", "field", "reason"]
    list_filter = ["campaign"]
    list_select_related = ["viewer", "campaign", "voucher__campaign"]
