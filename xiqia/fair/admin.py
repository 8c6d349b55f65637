from django.contrib import admin

from xiqia.core.admin import ScopedAdmin, ScopedLogAdmin
from xiqia.fair.models import (
    Badge,
    CheckIn,
    Event,
    EventRegistration,
    EventSpeaker,
    Fair,
    FairKey,
    Gate,
    Registration,
    Room,
    Scan,
    Speaker,
    Venue,
)


@admin.register(Fair)
class FairAdmin(ScopedAdmin):
    list_display = ["name_zh", "slug", "starts_on", "ends_on", "is_published", "origin"]
    list_filter = ["is_published", "origin"]
    search_fields = ["name_zh", "name_en", "slug"]
    raw_id_fields = ["region"]
    filter_horizontal = ["organisers"]


@admin.register(EventSpeaker)
class EventSpeakerAdmin(ScopedAdmin):
    list_display = ["event", "speaker", "role_zh", "sequence"]
    raw_id_fields = ["event", "speaker"]
    list_select_related = ["event", "speaker"]


class EventSpeakerInline(admin.TabularInline):
    model = EventSpeaker
    extra = 0
    raw_id_fields = ["speaker"]


@admin.register(Event)
class EventAdmin(ScopedAdmin):
    list_display = [
        "title_zh",
        "fair",
        "kind",
        "starts_at",
        "capacity",
        "seats_taken",
        "is_published",
    ]
    list_filter = ["fair", "kind", "is_published", "origin"]
    search_fields = ["title_zh", "title_en"]
    raw_id_fields = ["room"]
    filter_horizontal = ["organisers"]
    readonly_fields = ["seats_taken"]
    inlines = [EventSpeakerInline]
    list_select_related = ["fair"]


@admin.register(Venue)
class VenueAdmin(ScopedAdmin):
    list_display = ["name_zh", "name_en", "region"]
    raw_id_fields = ["region"]


@admin.register(Room)
class RoomAdmin(ScopedAdmin):
    list_display = ["name_zh", "venue", "seats"]
    list_select_related = ["venue"]


@admin.register(Speaker)
class SpeakerAdmin(ScopedAdmin):
    list_display = ["name_zh", "name_en", "title_zh", "organisation"]
    search_fields = ["name_zh", "name_en"]
    raw_id_fields = ["organisation"]


class ServiceWritten:
    """Records written only by the fair's services: the back office reads them."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class ReadOnlyAdmin(ServiceWritten, ScopedAdmin):
    pass


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ["person", "fair", "category", "status", "organisation", "created_at"]
    list_filter = ["fair", "status", "category", "origin"]
    search_fields = ["person__full_name", "person__username", "organisation_name"]
    list_select_related = ["person", "fair", "organisation"]


@admin.register(EventRegistration)
class EventRegistrationAdmin(ReadOnlyAdmin):
    list_display = ["registration", "event", "status", "created_at", "confirmed_at"]
    list_filter = ["status", "event__fair"]
    list_select_related = ["registration__person", "registration__fair", "event"]


@admin.register(Badge)
class BadgeAdmin(ReadOnlyAdmin):
    list_display = ["id", "registration", "status", "issued_at", "revoked_at"]
    list_filter = ["status"]
    list_select_related = ["registration__person", "registration__fair"]


@admin.register(Gate)
class GateAdmin(ScopedAdmin):
    list_display = ["code", "name_zh", "fair", "event"]
    list_filter = ["fair"]
    raw_id_fields = ["event"]


class ReadOnlyLogAdmin(ServiceWritten, ScopedLogAdmin):
    pass


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyLogAdmin):
    list_display = ["badge", "fair", "event", "gate", "scanned_at", "offline"]
    list_filter = ["fair", "gate", "offline"]
    list_select_related = [
        "badge__registration__person",
        "badge__registration__fair",
        "fair",
        "event",
        "gate",
    ]


@admin.register(Scan)
class ScanAdmin(ReadOnlyLogAdmin):
    list_display = ["scanned_at", "gate", "device_id", "outcome", "offline", "conflict"]
    list_filter = ["outcome", "offline", "gate"]
    list_select_related = ["gate"]


@admin.register(FairKey)
class FairKeyAdmin(ReadOnlyLogAdmin):
    list_display = ["fair", "public_key", "created_at"]
    exclude = ["private_key_encrypted"]
