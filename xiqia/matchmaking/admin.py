"""The back office for matchmaking. Requests, meetings and plans change only through the
services (pages and API), so their rule-bearing fields are read-only here."""

from django.contrib import admin

from xiqia.core.admin import ScopedAdmin, ScopedLogAdmin
from xiqia.matchmaking.models import (
    AvailabilityWindow,
    Hidden,
    MatchmakingSettings,
    Meeting,
    MeetingRequest,
    Notification,
    Profile,
    SchedulePlan,
    Slot,
    Table,
)


@admin.register(MatchmakingSettings)
class MatchmakingSettingsAdmin(ScopedAdmin):
    list_display = ["fair", "max_open_requests", "max_meetings", "organiser_proposals"]
    list_select_related = ["fair"]


class AvailabilityWindowInline(admin.TabularInline):
    model = AvailabilityWindow
    extra = 0


@admin.register(Profile)
class ProfileAdmin(ScopedAdmin):
    list_display = ["__str__", "role", "investment_size", "is_visible", "origin"]
    list_filter = ["role", "investment_size", "is_visible", "origin"]
    search_fields = ["registration__person__full_name", "offers_text", "seeks_text"]
    raw_id_fields = ["registration", "regions"]
    filter_horizontal = ["industries"]
    inlines = [AvailabilityWindowInline]
    list_select_related = ["registration__person", "registration__organisation"]


@admin.register(Slot)
class SlotAdmin(ScopedAdmin):
    list_display = ["__str__", "fair", "starts_at", "ends_at", "origin"]
    list_filter = ["fair"]
    list_select_related = ["fair"]


@admin.register(Table)
class TableAdmin(ScopedAdmin):
    list_display = ["code", "fair", "room", "seats", "is_active"]
    list_filter = ["fair", "is_active"]
    raw_id_fields = ["room"]
    list_select_related = ["fair", "room__venue"]


@admin.register(Hidden)
class HiddenAdmin(ScopedLogAdmin):
    list_display = ["profile", "hidden", "created_at"]
    raw_id_fields = ["profile", "hidden"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(ScopedAdmin):
    list_display = ["__str__", "status", "proposed_by_organiser", "created_at", "origin"]
    list_filter = ["status", "proposed_by_organiser", "origin"]
    readonly_fields = [
        "sender",
        "recipient",
        "status",
        "proposed_by_organiser",
        "proposed_by",
        "sender_agreed_at",
        "recipient_agreed_at",
        "created_at",
        "decided_at",
    ]
    list_select_related = ["sender__registration__person", "recipient__registration__person"]


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    list_display = ["__str__", "fair", "status", "slot", "table", "attendance", "outcome"]
    list_filter = ["fair", "status", "attendance", "outcome", "origin"]
    raw_id_fields = ["deal"]
    readonly_fields = [
        "request",
        "fair",
        "a",
        "b",
        "status",
        "slot",
        "table",
        "accepted_at",
        "cancelled_at",
        "a_checked_in_at",
        "b_checked_in_at",
        "attendance",
    ]
    list_select_related = [
        "fair",
        "slot",
        "table",
        "a__registration__person",
        "b__registration__person",
    ]


@admin.register(SchedulePlan)
class SchedulePlanAdmin(ScopedLogAdmin):
    list_display = [
        "fair",
        "kind",
        "status",
        "placed",
        "upper_bound",
        "fcfs_placed",
        "moved",
        "created_at",
    ]
    list_filter = ["fair", "status", "kind"]
    exclude = ["assignments"]
    readonly_fields = [
        f.name for f in SchedulePlan._meta.fields if f.name not in {"id", "assignments"}
    ]
    list_select_related = ["fair"]


@admin.register(Notification)
class NotificationAdmin(ScopedLogAdmin):
    list_display = ["recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "meeting", "request"]
    list_select_related = ["recipient"]
