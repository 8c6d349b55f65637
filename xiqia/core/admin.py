"""The back office: every admin list and object goes through the access helper too."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from xiqia.accounts import access
from xiqia.core import services
from xiqia.core.errors import DomainError, add_to_form
from xiqia.core.models import CalendarDay, CalendarYear, Region

admin.site.site_header = _("Xiqia back office")
admin.site.site_title = _("Xiqia")
admin.site.index_title = _("Administration")


class ScopedAdminMixin:
    """Rows and permissions from the model's access policy (for any ModelAdmin)."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return access.scope(request, super().get_queryset(request), access.Action.VIEW)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return super().has_change_permission(request, obj) and access.allows(
            request, access.Action.CHANGE, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return super().has_delete_permission(request)
        return super().has_delete_permission(request, obj) and access.allows(
            request, access.Action.DELETE, obj
        )


class ScopedAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """An admin of a table with change history, scoped by the access policy."""


class ScopedLogAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """An admin of an append-only log (check-ins, scans, keys): scoped, no history of its own."""


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["code", "name_zh", "name_en", "level", "valid_from", "valid_to", "successor"]
    list_filter = ["level", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name_zh", "name_en"]
    raw_id_fields = ["successor"]
    list_select_related = ["successor"]


class CalendarYearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = model_admin.get_queryset(request).dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(ScopedAdmin):
    """The editable official calendar: entries override the built-in one (``core.workdays``)."""

    list_display = ["date", "weekday", "kind", "name_zh", "name_en", "origin"]
    list_filter = ["kind", CalendarYearFilter]
    date_hierarchy = "date"
    search_fields = ["name_zh", "name_en", "note"]

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, obj: CalendarDay) -> str:
        return date_format(obj.date, "l")


class CalendarYearForm(forms.ModelForm):
    """Checks the year with the service's own rules, so a refusal shows on the form."""

    class Meta:
        model = CalendarYear
        fields = ["year", "published", "notice_number", "notice_date", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_calendar_year(
                year=data.get("year", self.instance.year),
                published=data.get("published", False),
                notice_number=data.get("notice_number", ""),
                notice_date=data.get("notice_date"),
            )
        except DomainError as exc:
            add_to_form(self, exc)
        return data


@admin.register(CalendarYear)
class CalendarYearAdmin(ScopedAdmin):
    """Which years' arrangements are published: only their working days are exact."""

    form = CalendarYearForm
    list_display = ["year", "published", "notice_number", "notice_date", "origin"]
    list_filter = ["published", "origin"]
    search_fields = ["notice_number", "note"]
    readonly_fields = ["origin"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["year", "origin"] if obj is not None else ["origin"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Save through ``services.calendar_year_set``, the rule shared with every caller."""
        saved = services.calendar_year_set(
            actor=request.user,
            year=obj.year,
            published=obj.published,
            notice_number=obj.notice_number,
            notice_date=obj.notice_date,
            note=obj.note,
        )
        obj.pk = saved.pk
        obj.origin = saved.origin
        obj._state.adding = False
