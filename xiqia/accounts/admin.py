from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from xiqia.accounts.models import Membership, User
from xiqia.accounts.services import forget_cached_credentials
from xiqia.accounts.tokens import forget_user
from xiqia.core.admin import ScopedAdmin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["organisation", "region"]
    fields = ["role", "organisation", "region", "title"]


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    """People. Phone and ID numbers show masked and are changed only through the profile
    service: an admin form would otherwise round-trip the mask into the database."""

    list_display = ["username", "full_name", "masked_phone", "is_active", "is_superuser", "origin"]
    list_filter = ["is_active", "is_superuser", "origin", "memberships__role"]
    search_fields = ["username", "full_name", "email"]
    ordering = ["username"]
    readonly_fields = ["masked_phone", "masked_id_number", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Person"),
            {
                "fields": (
                    "full_name",
                    "email",
                    "masked_phone",
                    "masked_id_number",
                    "preferred_language",
                )
            },
        ),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
    )
    inlines = [MembershipInline]

    # Roles and the active flag change here too: the API's cached credentials must follow.
    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        forget_cached_credentials(form.instance.pk)

    def delete_model(self, request: Any, obj: User) -> None:
        forget_user(obj.pk)  # before the tokens go with the user
        super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for user_id in queryset.values_list("pk", flat=True):
            forget_user(user_id)
        super().delete_queryset(request, queryset)

    @admin.display(description=_("phone number"))
    def masked_phone(self, obj: User) -> str:
        return str(obj.phone) if obj.phone else "—"

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, obj: User) -> str:
        return str(obj.id_number) if obj.id_number else "—"


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["user", "role", "organisation", "region", "title", "origin"]
    list_filter = ["role", "origin"]
    raw_id_fields = ["user", "organisation", "region"]
    list_select_related = ["user", "organisation", "region"]

    def save_model(self, request: Any, obj: Membership, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        forget_cached_credentials(obj.user_id)

    def delete_model(self, request: Any, obj: Membership) -> None:
        super().delete_model(request, obj)
        forget_cached_credentials(obj.user_id)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        user_ids = set(queryset.values_list("user_id", flat=True))
        super().delete_queryset(request, queryset)
        for user_id in user_ids:
            forget_cached_credentials(user_id)
