"""Investment dashboards: the leader's overview, one page per district and per cluster.

The figures come from ``reports.report_for`` (the KPI selectors), the same as the Excel export.
Charts get their data through ``json_script``; each chart has a table with the same figures.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiqia.accounts import access
from xiqia.core.errors import DomainError, add_to_form
from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.investment import reports, selectors, services
from xiqia.investment.forms import IndicatorForm
from xiqia.investment.models import Cluster


def region_by_code(code: str) -> Region:
    """Return the region of a code: the one in force, else its latest period."""
    found = Region.objects.filter(code=code).order_by(F("valid_to").desc(nulls_first=True)).first()
    if found is None:
        raise Http404
    return found


def _chart(breakdown: reports.Breakdown) -> dict[str, Any]:
    return {
        "horizontal": breakdown.dimension != "year",
        "labels": [row.label for row in breakdown.rows],
        "unit": _("100 million yuan"),
        "series": [
            {
                "name": _("Amount signed (100 million yuan)"),
                "values": [reports.in_yi(row.amount_signed) for row in breakdown.rows],
            }
        ],
    }


def _funnel_chart(report: reports.Report) -> dict[str, Any]:
    funnel = report.funnel()
    return {
        "horizontal": False,
        "labels": [label for label, _n in funnel],
        "unit": "",
        "series": [{"name": _("Formal contracts"), "values": [n for _label, n in funnel]}],
    }


def _context(request: HttpRequest, report: reports.Report) -> dict[str, Any]:
    region_codes: dict[Any, str] = {}
    for breakdown in report.breakdowns:
        if breakdown.dimension == "region":
            keys = [row.key for row in breakdown.rows if row.key is not None]
            region_codes = dict(Region.objects.filter(pk__in=keys).values_list("pk", "code"))
    return {
        "report": report,
        "headline": report.headline(),
        "columns": [(name, str(label), kind) for name, label, kind in reports.COLUMNS],
        "breakdowns": [
            {
                "dimension": b.dimension,
                "title": b.title,
                "rows": b.rows,
                "chart": _chart(b),
                "chart_id": f"chart-{b.dimension}",
            }
            for b in report.breakdowns
        ],
        "region_codes": region_codes,
        "funnel": report.funnel(),
        "funnel_chart": _funnel_chart(report),
        "section": "dashboard",
        # Figures summed over generated deals are generated too, and marked like the deals.
        "generated": selectors.deals_include_generated(
            region=report.region, cluster=report.cluster, published_only=report.published_only
        ),
    }


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    report = reports.report_for(who=request)
    context = _context(request, report)
    context["clusters"] = selectors.cluster_list(who=request)
    context["export_query"] = ""
    return render(request, "investment/dashboard_overview.html", context)


@require_GET
def district(request: HttpRequest, code: str) -> HttpResponse:
    region = region_by_code(code)
    report = reports.report_for(who=request, region=region)
    context = _context(request, report)
    context["clusters"] = selectors.cluster_list(who=request, region=region)
    context["region"] = region
    context["export_query"] = f"?region={region.code}"
    return render(request, "investment/dashboard_district.html", context)


def _cluster(request: HttpRequest, pk: int, action: access.Action = access.Action.VIEW) -> Cluster:
    return access.get_object(
        request,
        Cluster.objects.select_related("region").prefetch_related("parks", "anchors__organisation"),
        action,
        pk=pk,
    )


@require_GET
def cluster(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_cluster(request, _cluster(request, pk))


@require_POST
@login_required
def indicator_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a year's figures of the cluster (its region's officers, administrators)."""
    found = _cluster(request, pk, access.Action.CHANGE)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.cluster_indicator_set(
                actor=request.user,
                cluster=found,
                year=data["year"],
                output_value=data["output_value"],
                enterprises=data["enterprises"],
                investment=data["investment"],
                note=data["note"],
            )
        except (ValidationError, DomainError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request, _("The figures of %(year)s were saved.") % {"year": data["year"]}
            )
            return redirect("investment:dashboard-cluster", pk=found.pk)
    return _render_cluster(request, found, form, status=400)


def _render_cluster(
    request: HttpRequest,
    found: Cluster,
    indicator_form: IndicatorForm | None = None,
    status: int = 200,
) -> HttpResponse:
    report = reports.report_for(who=request, cluster=found)
    progress = selectors.cluster_progress(cluster=found)
    context = _context(request, report)
    target = reports.in_yi(progress.target_amount)
    context.update(
        {
            "cluster": found,
            "export_query": f"?cluster={found.pk}",
            "progress": progress,
            "progress_generated": any(i.origin == Origin.GENERATED for i in progress.years),
            "progress_chart": {
                "horizontal": False,
                "labels": [str(i.year) for i in progress.years],
                "unit": _("100 million yuan"),
                "target": target,
                "target_name": _("Target"),
                "series": [
                    {
                        "name": _("Output value (100 million yuan)"),
                        "values": [reports.in_yi(i.output_value) for i in progress.years],
                    },
                    {
                        "name": _("Investment (100 million yuan)"),
                        "values": [reports.in_yi(i.investment) for i in progress.years],
                    },
                ],
            },
        }
    )
    if access.allows(request, access.Action.CHANGE, found):
        context["indicator_form"] = indicator_form or IndicatorForm(
            initial={"year": selectors.today().year - 1}
        )
    return render(request, "investment/dashboard_cluster.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("dashboard/", overview, name="dashboard"),
    path("dashboard/districts/<str:code>/", district, name="dashboard-district"),
    path("dashboard/clusters/<int:pk>/", cluster, name="dashboard-cluster"),
    path("dashboard/clusters/<int:pk>/indicators/", indicator_set, name="indicator-set"),
]
