"""The home page: the overview of what the platform holds."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from xiqia.core.origin import includes_generated
from xiqia.dashboard import selectors
from xiqia.directory.models import Organisation, OrganisationKind


def home(request: HttpRequest) -> HttpResponse:
    totals = selectors.directory_totals()
    rows = [(str(label), totals.get(kind, 0)) for kind, label in OrganisationKind.choices]
    return render(
        request,
        "dashboard/home.html",
        {
            "featured": selectors.featured_regions(),
            "totals": rows,
            "organisation_total": sum(totals.values()),
            # Counts over generated organisations are generated too, and marked like them.
            "generated": includes_generated(Organisation.objects.all()),
            "kind_chart": {
                "name": str(_("Organisations")),
                "labels": [label for label, _count in rows],
                "values": [count for _label, count in rows],
            },
        },
    )
