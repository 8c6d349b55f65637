"""The back office of government services: the catalogue, windows, and read-only case logs.

Cases change only through the services (the transition table), so the admin shows them
read-only; the catalogue and the windows are edited here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from xiqia.core.admin import ScopedAdmin, ScopedLogAdmin
from xiqia.govservice.models import (
    Case,
    CaseExtension,
    CasePause,
    CaseTransition,
    EnterpriseRequest,
    FollowUp,
    Matter,
    MatterVersion,
    PairingAgreement,
    Rating,
    RequestReminder,
    RequestStep,
    RequiredMaterial,
    TimeLimit,
    Window,
    WindowStaff,
)


class ReadOnly:
    """Rows written by the services only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MatterVersionInline(ReadOnly, admin.StackedInline):
    model = MatterVersion
    extra = 0
    fields = [
        "number",
        "is_current",
        "name_zh",
        "handling_mode",
        "statutory_days",
        "committed_days",
    ]
    readonly_fields = fields
    show_change_link = True


@admin.register(Matter)
class MatterAdmin(ScopedAdmin):
    list_display = ["code", "region", "is_illustrative", "origin"]
    list_filter = ["is_illustrative", "origin"]
    search_fields = ["code", "versions__name_zh", "versions__name_en"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]
    inlines = [MatterVersionInline]


class RequiredMaterialInline(admin.TabularInline):
    model = RequiredMaterial
    extra = 0


@admin.register(MatterVersion)
class MatterVersionAdmin(ScopedAdmin):
    """A version is published by ``services.matter_version_publish``; here it is read."""

    list_display = [
        "matter",
        "number",
        "name_zh",
        "matter_type",
        "handling_mode",
        "statutory_days",
        "committed_days",
        "is_current",
    ]
    list_filter = ["is_current", "matter_type", "handling_mode"]
    search_fields = ["name_zh", "name_en", "matter__code"]
    list_select_related = ["matter"]
    inlines = [RequiredMaterialInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RequiredMaterial)
class RequiredMaterialAdmin(ReadOnly, ScopedAdmin):
    list_display = ["version", "sequence", "name_zh", "form", "copies"]
    list_select_related = ["version"]


@admin.register(Window)
class WindowAdmin(ScopedAdmin):
    list_display = ["code", "name_zh", "region", "address", "origin"]
    list_filter = ["origin"]
    search_fields = ["code", "name_zh", "name_en"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]


@admin.register(WindowStaff)
class WindowStaffAdmin(ScopedAdmin):
    list_display = ["user", "window", "kind", "origin"]
    list_filter = ["kind", "window"]
    raw_id_fields = ["user", "window"]
    list_select_related = ["user", "window"]


class TransitionInline(ReadOnly, admin.TabularInline):
    model = CaseTransition
    extra = 0
    fields = ["at", "action", "from_state", "to_state", "actor", "role", "region", "reason"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnly, ScopedLogAdmin):
    list_display = [
        "number",
        "matter_version",
        "state",
        "receiving_region",
        "handling_region",
        "accepted_on",
        "deadline",
        "deadline_provisional",
    ]
    list_filter = ["state", "deadline_provisional", "origin"]
    search_fields = ["number"]
    list_select_related = ["matter_version", "receiving_region", "handling_region"]
    exclude = ["applicant_id_number", "applicant_phone"]
    inlines = [TransitionInline]


@admin.register(CaseTransition)
class CaseTransitionAdmin(ReadOnly, ScopedLogAdmin):
    list_display = ["case", "at", "action", "from_state", "to_state", "actor", "role", "region"]
    list_filter = ["action", "role"]
    search_fields = ["case__number"]
    list_select_related = ["case", "actor", "region"]


@admin.register(CasePause)
class CasePauseAdmin(ReadOnly, ScopedAdmin):
    list_display = ["case", "kind", "first_day", "last_day"]
    list_select_related = ["case"]


@admin.register(CaseExtension)
class CaseExtensionAdmin(ReadOnly, ScopedLogAdmin):
    list_display = ["case", "days", "approved_by", "at"]
    list_select_related = ["case", "approved_by"]


@admin.register(Rating)
class RatingAdmin(ReadOnly, ScopedLogAdmin):
    list_display = ["case", "grade", "at"]
    list_filter = ["grade"]
    list_select_related = ["case"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnly, ScopedAdmin):
    list_display = ["rating", "request", "region", "opened_at", "closed_at"]
    list_select_related = ["rating__case", "request", "region"]


@admin.register(TimeLimit)
class TimeLimitAdmin(ScopedAdmin):
    list_display = ["limit_class", "amount", "unit", "remind_before"]


class RequestStepInline(ReadOnly, admin.TabularInline):
    model = RequestStep
    extra = 0
    fields = ["at", "action", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields


@admin.register(EnterpriseRequest)
class EnterpriseRequestAdmin(ReadOnly, ScopedLogAdmin):
    list_display = ["number", "kind", "enterprise_name", "region", "state", "due_at"]
    list_filter = ["kind", "state", "limit_class"]
    search_fields = ["number", "enterprise_name", "subject"]
    list_select_related = ["region"]
    exclude = ["contact_phone", "verification_code_hash"]
    inlines = [RequestStepInline]


@admin.register(RequestReminder)
class RequestReminderAdmin(ReadOnly, ScopedLogAdmin):
    list_display = ["request", "kind", "at", "due_at", "department"]
    list_filter = ["kind"]
    list_select_related = ["request"]


@admin.register(PairingAgreement)
class PairingAgreementAdmin(ScopedAdmin):
    list_display = ["title_zh", "first_party", "second_party", "signed_on", "origin"]
    list_select_related = ["first_party", "second_party"]
