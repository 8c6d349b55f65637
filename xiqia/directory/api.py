"""Directory API: regions, industries and organisations, scoped by the access helper."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from xiqia.core.api import YEARS, ScopedViewSetMixin
from xiqia.core.models import Region
from xiqia.directory import services
from xiqia.directory.models import ORGANISATION_FIELDS, Industry, Organisation


class RegionOutput(serializers.ModelSerializer):
    successor_code = serializers.CharField(source="successor.code", default=None, allow_null=True)
    current_code = serializers.SerializerMethodField()

    class Meta:
        model = Region
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "level",
            "valid_from",
            "valid_to",
            "successor_code",
            "current_code",
        ]

    def get_current_code(self, region: Region) -> str:
        """Return the code in force today for this region (its own when still in force)."""
        return region.current_successor().code


class YearFilter(filters.NumberFilter):
    """A whole year within the platform's span (xiqia.core.api.YEARS); else 400 naming it."""

    field_class = django_forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", YEARS[0])
        kwargs.setdefault("max_value", YEARS[1])
        super().__init__(*args, **kwargs)


class RegionFilter(filters.FilterSet):
    code = filters.CharFilter(field_name="code", lookup_expr="startswith")
    year = YearFilter(method="filter_year", label=_("in force in year"))
    current = filters.BooleanFilter(field_name="valid_to", lookup_expr="isnull")

    class Meta:
        model = Region
        fields = ["code", "level"]

    def filter_year(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset.valid_in(int(value))


class RegionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """GB/T 2260 regions with their validity periods and successors."""

    serializer_class = RegionOutput
    filterset_class = RegionFilter

    def base_queryset(self) -> Any:
        return Region.objects.select_related("successor__successor").order_by("code", "valid_from")


class IndustryOutput(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, allow_null=True)

    class Meta:
        model = Industry
        fields = ["id", "code", "name_zh", "name_en", "parent_code"]


class IndustryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = IndustryOutput
    filterset_fields = ["code"]

    def base_queryset(self) -> Any:
        return Industry.objects.select_related("parent")


class OrganisationOutput(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", *ORGANISATION_FIELDS, "industries", "origin", "updated_at"]


class OrganisationInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Organisation._meta.get_field("kind").choices)
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    short_name_zh = serializers.CharField(max_length=60, required=False, allow_blank=True)
    short_name_en = serializers.CharField(max_length=60, required=False, allow_blank=True)
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.current(), help_text=_("a current region code")
    )
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    industries = serializers.SlugRelatedField(
        slug_field="code", queryset=Industry.objects.all(), many=True, required=False
    )
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    description_zh = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)


class OrganisationFilter(filters.FilterSet):
    region = filters.CharFilter(field_name="region__code", lookup_expr="startswith")
    industry = filters.CharFilter(field_name="industries__code")

    class Meta:
        model = Organisation
        fields = ["kind", "region", "industry", "origin"]


class OrganisationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The directory's organisations. Everyone reads; officers and members write their own."""

    serializer_class = OrganisationOutput
    filterset_class = OrganisationFilter

    def base_queryset(self) -> Any:
        return Organisation.objects.select_related("region").prefetch_related("industries")

    @extend_schema(request=OrganisationInput, responses={201: OrganisationOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = OrganisationInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        industries = fields.pop("industries", [])
        organisation = services.organisation_create(
            actor=request.user, industries=industries, **fields
        )
        return Response(OrganisationOutput(organisation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OrganisationInput, responses={200: OrganisationOutput})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organisation = self.get_object()
        partial = kwargs.get("partial", False)
        data = OrganisationInput(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        industries = fields.pop("industries", None)
        organisation = services.organisation_update(
            actor=request.user, organisation=organisation, industries=industries, **fields
        )
        return Response(OrganisationOutput(organisation).data)
