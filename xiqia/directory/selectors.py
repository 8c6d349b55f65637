"""Reads for the directory pages and API."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from xiqia.accounts import access
from xiqia.core.models import Region
from xiqia.directory.models import Industry, Organisation


def organisation_list(
    *,
    who: Any,
    q: str = "",
    kind: str = "",
    region_code: str = "",
    industry: Industry | None = None,
) -> QuerySet[Organisation]:
    """Return the organisations ``who`` may see, filtered, with what a list shows."""
    qs = access.scope(who, Organisation.objects.all())
    if q:
        qs = qs.filter(
            Q(name_zh__icontains=q)
            | Q(name_en__icontains=q)
            | Q(short_name_zh__icontains=q)
            | Q(short_name_en__icontains=q)
            | Q(credit_code__iexact=q)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if region_code:
        region = Region.objects.filter(code=region_code).order_by("-valid_from").first()
        prefix = region.prefix if region else region_code
        qs = qs.filter(region__code__startswith=prefix)
    if industry is not None:
        qs = qs.filter(industries=industry)
    return qs.select_related("region", "region__successor", "parent").prefetch_related(
        Prefetch("industries", queryset=Industry.objects.order_by("code"))
    )


def organisation_detail(*, who: Any, pk: int) -> Organisation:
    """Return one organisation ``who`` may see, with its relations loaded."""
    qs = Organisation.objects.select_related("region", "region__successor", "parent")
    return access.get_object(who, qs.prefetch_related("industries", "children"), pk=pk)


def region_search(*, q: str = "", year: int | None = None) -> QuerySet[Region]:
    """Return regions matching a code prefix or a name, optionally those in force in ``year``."""
    qs = Region.objects.select_related("successor")
    if q:
        qs = qs.filter(Q(code__startswith=q) | Q(name_zh__contains=q) | Q(name_en__icontains=q))
    if year:
        qs = qs.valid_in(year)
    return qs.order_by("code", "valid_from")


def region_periods(code: str) -> QuerySet[Region]:
    """Return every period of a code, oldest first, with successors and predecessors."""
    return (
        Region.objects.filter(code=code)
        .select_related("successor")
        .prefetch_related("predecessors")
        .order_by("valid_from")
    )
