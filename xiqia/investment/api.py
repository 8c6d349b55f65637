"""Investment API: clusters, the project catalogue, deals, milestones and the KPIs.

Thin: input serializers validate, the services decide, the selectors count. Regions are given
by their GB/T 2260 code; a district's code covers the regions it succeeded.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from xiqia.accounts import access
from xiqia.accounts.models import Role
from xiqia.core import parsers
from xiqia.core.api import ScopedViewSetMixin, int_param, year_param
from xiqia.core.models import Region
from xiqia.directory.models import Industry, Organisation
from xiqia.fair.models import Event, Fair
from xiqia.investment import selectors, services
from xiqia.investment.models import (
    Cluster,
    Deal,
    DealDocumentKind,
    DealKind,
    EvidenceKind,
    Milestone,
    Park,
    Project,
    ProjectStatus,
    Step,
)
from xiqia.investment.policies import reads_everything


def region_by_code(code: str, year: int | None = None) -> Region:
    """Return the region of a code: the period in force in ``year``, else the latest one."""
    regions = Region.objects.filter(code=code)
    if year is not None:
        regions = regions.valid_in(year)
    region = regions.order_by(F("valid_to").desc(nulls_first=True)).first()
    if region is None:
        raise ValidationError({"region": [_("No region has the code %(code)s.") % {"code": code}]})
    return region


# Clusters -------------------------------------------------------------------------------------


class AnchorOutput(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation_id")
    name_zh = serializers.CharField(source="organisation.name_zh")
    name_en = serializers.CharField(source="organisation.name_en")
    role = serializers.CharField()


class ParkBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class ClusterOutput(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")
    anchors = AnchorOutput(many=True)
    parks = ParkBriefOutput(many=True)

    class Meta:
        model = Cluster
        fields = [
            "id",
            "region",
            "name_zh",
            "name_en",
            "target_amount",
            "target_year",
            "description_zh",
            "description_en",
            "anchors",
            "parks",
            "origin",
        ]


class IndicatorYearOutput(serializers.Serializer):
    year = serializers.IntegerField()
    output_value = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    enterprises = serializers.IntegerField(allow_null=True)
    investment = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)


class ClusterProgressOutput(serializers.Serializer):
    target_amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    target_year = serializers.IntegerField(allow_null=True)
    share_of_target = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)
    years = IndicatorYearOutput(many=True)


class IndicatorInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=1949, max_value=2100)
    output_value = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True
    )
    enterprises = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    investment = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ClusterViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Industry clusters with their targets, parks and anchors. Filter ``?region=<code>``."""

    serializer_class = ClusterOutput

    def base_queryset(self) -> Any:
        queryset = Cluster.objects.select_related("region").prefetch_related(
            "parks", "anchors__organisation"
        )
        code = self.request.query_params.get("region")
        if code:
            queryset = queryset.filter(region__in=selectors.region_ids(region_by_code(code)))
        return queryset

    @extend_schema(responses=ClusterProgressOutput)
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str) -> Response:
        """The cluster's yearly indicators and its target (the progress chart's data)."""
        return Response(
            ClusterProgressOutput(selectors.cluster_progress(cluster=self.get_object())).data
        )

    @extend_schema(request=IndicatorInput, responses=IndicatorYearOutput)
    @progress.mapping.post
    def set_indicator(self, request: Request, pk: str) -> Response:
        """Set one year's figures (officers of the cluster's region)."""
        cluster = self.get_object()
        data = IndicatorInput(data=request.data)
        data.is_valid(raise_exception=True)
        indicator = services.cluster_indicator_set(
            actor=request.user, cluster=cluster, **data.validated_data
        )
        return Response(IndicatorYearOutput(indicator).data)


# Projects -------------------------------------------------------------------------------------


class ProjectOutput(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")
    park = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    park_name_zh = serializers.CharField(source="park.name_zh", default=None, allow_null=True)
    cluster = serializers.PrimaryKeyRelatedField(read_only=True)
    cluster_name_zh = serializers.CharField(source="cluster.name_zh", default=None, allow_null=True)
    industry = serializers.CharField(source="industry.code", default=None, allow_null=True)
    contact_phone = serializers.CharField(source="contact_phone.masked", default="")

    class Meta:
        model = Project
        fields = [
            "id",
            "region",
            "park",
            "park_name_zh",
            "cluster",
            "cluster_name_zh",
            "industry",
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "investment_sought",
            "land_area_m2",
            "contact_name",
            "contact_phone",
            "contact_email",
            "status",
            "is_published",
            "origin",
            "created_at",
            "updated_at",
        ]


class ProjectInput(serializers.Serializer):
    region = serializers.CharField(max_length=6)
    park = serializers.PrimaryKeyRelatedField(
        queryset=Park.objects.all(), required=False, allow_null=True
    )
    cluster = serializers.PrimaryKeyRelatedField(
        queryset=Cluster.objects.all(), required=False, allow_null=True
    )
    industry = serializers.SlugRelatedField(
        slug_field="code", queryset=Industry.objects.all(), required=False, allow_null=True
    )
    title_zh = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description_zh = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    investment_sought = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True
    )
    land_area_m2 = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)

    def validate_region(self, value: str) -> Region:
        return region_by_code(value)


class PublishInput(serializers.Serializer):
    published = serializers.BooleanField(default=True)


class CappedPaginator(Paginator):
    """Count no further than 1,000 rows: a common search word matches thousands."""

    @cached_property
    def count(self) -> int:
        return selectors.capped_count(self.object_list)


class CataloguePagination(PageNumberPagination):
    django_paginator_class = CappedPaginator


class ProjectViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The project catalogue (招商项目库).

    Filters: ``?q=`` words in Chinese or English (物流 finds 航空物流园), ``region=<code>``,
    ``park``, ``cluster``, ``industry=<code>``, ``status``. Newest first; ``count`` stops at
    1,000. Everyone sees published projects; officers also their region's drafts.
    """

    serializer_class = ProjectOutput
    pagination_class = CataloguePagination
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self) -> Any:
        return Project.objects.select_related("region", "park", "cluster", "industry")

    def get_queryset(self) -> Any:
        if self.action != "list":
            return super().get_queryset()
        params = self.request.query_params
        code = params.get("region")
        return selectors.project_catalogue(
            who=self.request,
            q=params.get("q"),
            region=region_by_code(code) if code else None,
            park=int_param(self.request, "park"),
            cluster=int_param(self.request, "cluster"),
            industry=Industry.objects.filter(code=params["industry"]).first()
            if params.get("industry")
            else None,
            status=params.get("status"),
        )

    def _output(self, project: Project, code: int = status.HTTP_200_OK) -> Response:
        return Response(ProjectOutput(self.base_queryset().get(pk=project.pk)).data, status=code)

    @extend_schema(request=ProjectInput, responses={201: ProjectOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ProjectInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        project = services.project_create(
            actor=request.user,
            region=fields.pop("region"),
            title_zh=fields.pop("title_zh"),
            **fields,
        )
        return self._output(project, status.HTTP_201_CREATED)

    @extend_schema(request=ProjectInput(partial=True), responses=ProjectOutput)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = self.get_object()
        data = ProjectInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        project = services.project_update(
            actor=request.user, project=project, **data.validated_data
        )
        return self._output(project)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not kwargs.get("partial"):
            return self.http_method_not_allowed(request)
        return super().update(request, *args, **kwargs)

    @extend_schema(request=PublishInput, responses=ProjectOutput)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        """Publish the project in the public catalogue, or take it back (``published: false``)."""
        project = self.get_object()
        access.require(request, access.Action.CHANGE, project)
        data = PublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_publish(
            actor=request.user, project=project, published=data.validated_data["published"]
        )
        return self._output(project)


# Deals ----------------------------------------------------------------------------------------


class DealOutput(serializers.ModelSerializer):
    investor = serializers.IntegerField(source="investor_id")
    investor_name_zh = serializers.CharField(source="investor.name_zh")
    host_region = serializers.CharField(source="host_region.code")
    park_name_zh = serializers.CharField(source="park.name_zh", default=None, allow_null=True)
    cluster_name_zh = serializers.CharField(source="cluster.name_zh", default=None, allow_null=True)
    officer = serializers.CharField(source="officer.get_full_name", default=None, allow_null=True)
    stage = serializers.CharField()
    next_step = serializers.CharField(allow_null=True)
    is_overdue_start = serializers.BooleanField(default=False)

    class Meta:
        model = Deal
        fields = [
            "id",
            "investor",
            "investor_name_zh",
            "host_region",
            "park",
            "park_name_zh",
            "cluster",
            "cluster_name_zh",
            "project",
            "title_zh",
            "title_en",
            "amount",
            "kind",
            "signed_at",
            "event",
            "previous",
            "root",
            "counts_as_deal",
            "counted_amount",
            "credited_event",
            "is_current",
            "status",
            "stage",
            "next_step",
            "contract_signed_on",
            "registered_on",
            "construction_started_on",
            "in_production_on",
            "at_capacity_on",
            "terminated_on",
            "registered_due_on",
            "construction_due_on",
            "in_production_due_on",
            "at_capacity_due_on",
            "is_overdue_start",
            "funds_in_place",
            "funds_as_of",
            "officer",
            "note",
            "origin",
        ]


class DealInput(serializers.Serializer):
    investor = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    host_region = serializers.CharField(max_length=6)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    kind = serializers.ChoiceField(choices=DealKind.choices)
    signed_at = serializers.DateField()
    title_zh = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    park = serializers.PrimaryKeyRelatedField(
        queryset=Park.objects.all(), required=False, allow_null=True
    )
    cluster = serializers.PrimaryKeyRelatedField(
        queryset=Cluster.objects.all(), required=False, allow_null=True
    )
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.all(), required=False, allow_null=True
    )
    event = serializers.PrimaryKeyRelatedField(
        queryset=Event.objects.select_related("fair"), required=False, allow_null=True
    )
    previous = serializers.PrimaryKeyRelatedField(
        queryset=Deal.objects.all(), required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["host_region"] = region_by_code(attrs["host_region"], attrs["signed_at"].year)
        return attrs


class FundsInput(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0)
    as_of = serializers.DateField()


class DocumentInput(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=DealDocumentKind.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class DealViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Signed deals (签约项目), the latest signing of each project unless ``?all=1``.

    Filters: ``region=<code>``, ``fair=<slug>``, ``cluster``, ``year``, ``overdue=1``
    (超时限未开工).
    Everyone sees the deals of the fairs' published events; officers their region's; analysts
    all. Recording follows the counting rules (see ``services.deal_record``).
    """

    serializer_class = DealOutput
    parser_classes = [parsers.JSONParser, MultiPartParser, FormParser]

    def base_queryset(self) -> Any:
        return selectors.annotate_overdue(
            Deal.objects.select_related("investor", "host_region", "park", "cluster", "officer")
        )

    def get_queryset(self) -> Any:
        if self.action != "list":
            return super().get_queryset()
        params = self.request.query_params
        code = params.get("region")
        fair = params.get("fair")
        cluster = int_param(self.request, "cluster")
        return selectors.deal_list(
            who=self.request,
            region=region_by_code(code) if code else None,
            fair=get_object_or_404(Fair, slug=fair) if fair else None,
            cluster=get_object_or_404(Cluster, pk=cluster) if cluster else None,
            year=year_param(self.request),
            current_only=params.get("all") not in ("1", "true"),
            overdue_only=params.get("overdue") in ("1", "true"),
        )

    def _output(self, deal: Deal, code: int = status.HTTP_200_OK) -> Response:
        return Response(DealOutput(self.base_queryset().get(pk=deal.pk)).data, status=code)

    @extend_schema(request=DealInput, responses={201: DealOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = DealInput(data=request.data)
        data.is_valid(raise_exception=True)
        principal = access.principal_for(request.user)
        officer = request.user if principal.has(Role.DISTRICT_OFFICER) else None
        deal = services.deal_record(actor=request.user, officer=officer, **data.validated_data)
        return self._output(deal, status.HTTP_201_CREATED)

    @extend_schema(responses=DealOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def chain(self, request: Request, pk: str) -> Response:
        """Every signing of this deal's project, first to latest."""
        deal = self.get_object()
        chain = self.base_queryset().filter(pk__in=[d.pk for d in selectors.deal_chain(deal)])
        return Response(DealOutput(chain.order_by("signed_at", "pk"), many=True).data)

    @extend_schema(request=FundsInput, responses=DealOutput)
    @action(detail=True, methods=["post"])
    def funds(self, request: Request, pk: str) -> Response:
        """Record the funds in place (资金到位) so far."""
        deal = self.get_object()
        data = FundsInput(data=request.data)
        data.is_valid(raise_exception=True)
        deal = services.deal_funds_record(actor=request.user, deal=deal, **data.validated_data)
        return self._output(deal)

    @extend_schema(request={"multipart/form-data": DocumentInput}, responses={201: DocumentOutput})
    @action(detail=True, methods=["post"])
    def documents(self, request: Request, pk: str) -> Response:
        """Attach a document (multipart: ``file``, ``kind``, ``title``)."""
        deal = self.get_object()
        data = DocumentInput(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.deal_document_attach(
            actor=request.user, deal=deal, **data.validated_data
        )
        return Response(DocumentOutput(document).data, status=status.HTTP_201_CREATED)


# Milestones -----------------------------------------------------------------------------------


class MilestoneOutput(serializers.ModelSerializer):
    officer = serializers.CharField(source="officer.get_full_name", default=None, allow_null=True)

    class Meta:
        model = Milestone
        fields = ["id", "deal", "step", "date", "evidence_kind", "officer", "note", "origin"]


class MilestoneInput(serializers.Serializer):
    deal = serializers.PrimaryKeyRelatedField(queryset=Deal.objects.all())
    step = serializers.ChoiceField(choices=Step.choices)
    date = serializers.DateField()
    evidence = serializers.FileField()
    evidence_kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MilestoneViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Landing milestones (落地跟踪), ``?deal=<id>`` for one deal's whole chain.

    Record one with a multipart POST: ``deal``, ``step``, ``date``, ``evidence`` (the file),
    ``evidence_kind``, ``note``. Steps come in order; ``terminated`` ends the pipeline.
    """

    serializer_class = MilestoneOutput
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    def base_queryset(self) -> Any:
        queryset = Milestone.objects.select_related("officer").order_by("deal", "date", "id")
        deal = int_param(self.request, "deal")
        if deal is not None:
            root = Deal.objects.filter(pk=deal).values_list("root", flat=True).first() or deal
            queryset = queryset.filter(
                deal__in=Deal.objects.filter(pk=root) | Deal.objects.filter(root=root)
            )
        return queryset

    @extend_schema(
        request={"multipart/form-data": MilestoneInput}, responses={201: MilestoneOutput}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MilestoneInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        deal = fields.pop("deal")
        if not access.allows(request, access.Action.VIEW, deal):
            raise ValidationError({"deal": [_("Choose a deal you can see.")]})
        milestone = services.milestone_record(actor=request.user, deal=deal, **fields)
        return Response(
            MilestoneOutput(self.base_queryset().get(pk=milestone.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# KPIs -----------------------------------------------------------------------------------------


class KpiOutput(serializers.Serializer):
    key = serializers.JSONField(allow_null=True)
    label = serializers.CharField()
    deals_signed = serializers.IntegerField()
    amount_signed = serializers.DecimalField(max_digits=20, decimal_places=2)
    amount_revised_down = serializers.DecimalField(max_digits=20, decimal_places=2)
    contracts = serializers.IntegerField()
    contract_amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    registered = serializers.IntegerField()
    started = serializers.IntegerField()
    in_production = serializers.IntegerField()
    at_capacity = serializers.IntegerField()
    terminated = serializers.IntegerField()
    start_due = serializers.IntegerField()
    started_on_time = serializers.IntegerField()
    overdue_start = serializers.IntegerField()
    funds_in_place = serializers.DecimalField(max_digits=20, decimal_places=2)
    performance_rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    start_rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    production_rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    funds_rate = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)


class KpiReportOutput(serializers.Serializer):
    as_of = serializers.DateField()
    published_only = serializers.BooleanField()
    definitions = serializers.DictField(child=serializers.CharField())
    summary = KpiOutput()
    by = serializers.CharField(allow_null=True)
    rows = KpiOutput(many=True)


class KpiView(APIView):
    """The investment KPIs of a slice, with their definitions, optionally broken down.

    ``?fair=<slug>&region=<code>&cluster=<id>&year=<yyyy>&by=fair|event|region|cluster|year``
    and ``as_of=<date>``. Analysts, administrators and fair organisers read every deal; a
    district officer asking for a region in their reach reads all of it; everyone else reads
    the published results of the fairs (deals credited to their published events).
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("fair", str),
            OpenApiParameter("region", str),
            OpenApiParameter("cluster", int),
            OpenApiParameter("year", int),
            OpenApiParameter("by", str, enum=list(selectors.DIMENSIONS)),
            OpenApiParameter("as_of", datetime.date),
        ],
        responses=KpiReportOutput,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        by = params.get("by") or None
        if by is not None and by not in selectors.DIMENSIONS:
            raise ValidationError({"by": [_("Choose fair, event, region, cluster or year.")]})
        as_of = (
            serializers.DateField().to_internal_value(params["as_of"])
            if params.get("as_of")
            else None
        )
        cluster_pk = int_param(request, "cluster")
        fair_slug = params.get("fair")
        region = region_by_code(params["region"]) if params.get("region") else None
        principal = access.principal_for(request.user)
        published_only = not (reads_everything(principal) or principal.has(Role.FAIR_ORGANISER))
        if published_only and region is not None and principal.has(Role.DISTRICT_OFFICER):
            published_only = not principal.covers_region_code(region.code)
        fair = None
        if fair_slug:
            fair = access.get_object(request, Fair.objects.all(), slug=fair_slug)
        cluster = (
            access.get_object(request, Cluster.objects.all(), pk=cluster_pk) if cluster_pk else None
        )
        slice_args: dict[str, Any] = {
            "fair": fair,
            "region": region,
            "cluster": cluster,
            "year": year_param(request),
            "as_of": as_of,
            "published_only": published_only,
        }
        summary = selectors.kpi_summary(**slice_args)
        rows = selectors.kpis_by(by, **slice_args) if by else []
        return Response(
            KpiReportOutput(
                {
                    "as_of": as_of or selectors.today(),
                    "published_only": published_only,
                    "definitions": {k: str(v) for k, v in selectors.DEFINITIONS.items()},
                    "summary": summary,
                    "by": by,
                    "rows": rows,
                }
            ).data
        )
