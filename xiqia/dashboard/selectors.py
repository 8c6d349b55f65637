"""Reads for the home page: the overview every module adds its figures to."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from xiqia.core.models import Region
from xiqia.directory.models import Organisation

# The districts the source document is about, by the codes they had in 2021.
FEATURED_REGION_CODES = ("500112", "500107", "510114")


@dataclass(frozen=True)
class FeaturedRegion:
    region: Region
    today: Region
    organisation_count: int


def featured_regions() -> list[FeaturedRegion]:
    """Return the source document's districts, what each is today and its directory size."""
    regions = (
        Region.objects.valid_in(2021)
        .filter(code__in=FEATURED_REGION_CODES)
        .select_related("successor")
    )
    counts = dict(
        Organisation.objects.filter(region__code__in=FEATURED_REGION_CODES)
        .values("region__code")
        .annotate(n=Count("pk"))
        .values_list("region__code", "n")
    )
    by_code = {r.code: r for r in regions}
    return [
        FeaturedRegion(by_code[c], by_code[c].current_successor(), counts.get(c, 0))
        for c in FEATURED_REGION_CODES
        if c in by_code
    ]


def directory_totals() -> dict[str, int]:
    """Return how many organisations of each kind the directory holds."""
    return dict(
        Organisation.objects.values("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
