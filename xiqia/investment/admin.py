"""The investment back office: every list scoped by the access policies.

Clusters, parks, anchors, indicators and deadlines are plain reference data and edited here.
Projects are saved through the services (their search words follow). Deals, milestones and
documents carry the counting rules and the pipeline: the back office reads them, the pages and
the API record them through the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from xiqia.core.admin import ScopedAdmin
from xiqia.investment import services
from xiqia.investment.models import (
    AnchorEnterprise,
    Cluster,
    ClusterIndicator,
    Deal,
    DealDocument,
    Indicator,
    Milestone,
    Park,
    Project,
    StepDeadline,
)


class AnchorInline(admin.TabularInline):
    model = AnchorEnterprise
    extra = 0
    raw_id_fields = ["organisation"]


@admin.register(Cluster)
class ClusterAdmin(ScopedAdmin):
    list_display = ["name_zh", "name_en", "region", "target_amount", "target_year", "origin"]
    list_filter = ["origin", "target_year"]
    search_fields = ["name_zh", "name_en"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]
    inlines = [AnchorInline]


@admin.register(Park)
class ParkAdmin(ScopedAdmin):
    list_display = ["name_zh", "name_en", "region", "origin"]
    list_filter = ["origin"]
    search_fields = ["name_zh", "name_en"]
    raw_id_fields = ["region", "organisation"]
    filter_horizontal = ["clusters"]
    list_select_related = ["region"]


@admin.register(AnchorEnterprise)
class AnchorEnterpriseAdmin(ScopedAdmin):
    list_display = ["organisation", "cluster", "role", "origin"]
    list_filter = ["role"]
    raw_id_fields = ["organisation", "cluster"]
    list_select_related = ["organisation", "cluster"]


@admin.register(ClusterIndicator)
class ClusterIndicatorAdmin(ScopedAdmin):
    list_display = ["cluster", "year", "output_value", "enterprises", "investment", "origin"]
    list_filter = ["year"]
    raw_id_fields = ["cluster"]
    list_select_related = ["cluster"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.cluster_indicator_set(
            actor=request.user,
            cluster=obj.cluster,
            year=obj.year,
            output_value=obj.output_value,
            enterprises=obj.enterprises,
            investment=obj.investment,
            note=obj.note,
            origin=obj.origin,
        )


@admin.register(Indicator)
class IndicatorAdmin(ScopedAdmin):
    list_display = ["name_zh", "value", "unit_zh", "region", "park", "organisation", "origin"]
    raw_id_fields = ["region", "park", "organisation"]
    list_select_related = ["region", "park", "organisation"]


@admin.register(StepDeadline)
class StepDeadlineAdmin(ScopedAdmin):
    list_display = ["region", "step", "months"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    list_display = ["title_zh", "region", "park", "status", "is_published", "origin"]
    list_filter = ["status", "is_published", "origin"]
    search_fields = ["title_zh", "title_en"]
    raw_id_fields = ["region", "park", "cluster", "industry"]
    list_select_related = ["region", "park"]
    exclude = ["contact_phone"]  # personal data: entered and shown masked on the pages

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = {name: getattr(obj, name) for name in services.PROJECT_FIELDS}
        fields.pop("contact_phone")
        if change:
            saved = services.project_update(actor=request.user, project=obj, **fields)
            if obj.is_published != saved.is_published:
                saved = services.project_publish(
                    actor=request.user, project=saved, published=obj.is_published
                )
        else:
            fields.pop("region")
            fields.pop("title_zh")
            saved = services.project_create(
                actor=request.user,
                region=obj.region,
                title_zh=obj.title_zh,
                is_published=obj.is_published,
                origin=obj.origin,
                **fields,
            )
        obj.pk = saved.pk


class ServiceWritten:
    """Records written only through the services: the back office reads them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    can_delete = False
    fields = ["step", "date", "evidence_kind", "evidence", "officer"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Deal)
class DealAdmin(ServiceWritten, ScopedAdmin):
    list_display = [
        "title_zh",
        "investor",
        "host_region",
        "kind",
        "amount",
        "counted_amount",
        "signed_at",
        "credited_event",
        "is_current",
        "status",
        "origin",
    ]
    list_filter = ["kind", "status", "is_current", "origin"]
    search_fields = ["title_zh", "title_en", "investor__name_zh"]
    list_select_related = ["investor", "host_region", "credited_event"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(ServiceWritten, ScopedAdmin):
    list_display = ["deal", "step", "date", "evidence_kind", "officer", "origin"]
    list_filter = ["step", "evidence_kind"]
    list_select_related = ["deal", "officer"]


@admin.register(DealDocument)
class DealDocumentAdmin(ServiceWritten, ScopedAdmin):
    list_display = ["title", "deal", "kind", "uploaded_by", "uploaded_at"]
    list_select_related = ["deal", "uploaded_by"]
