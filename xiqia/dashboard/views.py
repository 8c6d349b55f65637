"""The home page: the overview of what the platform holds."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xiqia.dashboard import selectors
from xiqia.directory.models import OrganisationKind


def home(request: HttpRequest) -> HttpResponse:
    totals = selectors.directory_totals()
    return render(
        request,
        "dashboard/home.html",
        {
            "featured": selectors.featured_regions(),
            "totals": [(label, totals.get(kind, 0)) for kind, label in OrganisationKind.choices],
            "organisation_total": sum(totals.values()),
        },
    )
