"""Investment Excel exports: the KPIs of a dashboard, the catalogue and the deals.

Thin: the selectors (through ``reports`` for the KPIs) load, ``xiqia.investment.exports``
writes the file, so the workbook's figures are the page's.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from xiqia.accounts import access
from xiqia.investment import exports, reports, selectors
from xiqia.investment.forms import CatalogueFilterForm, DealFilterForm
from xiqia.investment.models import Cluster
from xiqia.investment.policies import works_in_a_district
from xiqia.investment.queries import stage_q
from xiqia.investment.views.dashboards import region_by_code


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@never_cache
def kpis_xlsx(request: HttpRequest) -> HttpResponse:
    """The KPIs of the overview, a district (``?region=<code>``) or a cluster (``?cluster=``)."""
    region = cluster = None
    name = "investment-kpis"
    if request.GET.get("cluster", "").isdigit():
        cluster = access.get_object(
            request, Cluster.objects.select_related("region"), pk=int(request.GET["cluster"])
        )
        name += f"-cluster-{cluster.pk}"
    elif request.GET.get("region"):
        region = region_by_code(request.GET["region"])
        name += f"-{region.code}"
    report = reports.report_for(who=request, region=region, cluster=cluster)
    return _attachment(exports.kpis_workbook(report), f"{name}-{report.as_of:%Y%m%d}.xlsx")


@require_GET
@never_cache
def projects_xlsx(request: HttpRequest) -> HttpResponse:
    """The catalogue projects ``request`` may see, filtered as on the catalogue page."""
    form = CatalogueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    projects = selectors.project_catalogue(
        who=request,
        q=filters.get("q", ""),
        region=filters.get("region"),
        park=filters.get("park"),
        cluster=filters.get("cluster"),
        industry=filters.get("industry"),
        status=filters.get("status", ""),
    )
    return _attachment(exports.projects_workbook(projects), "investment-projects.xlsx")


@require_GET
@login_required
@never_cache
def deals_xlsx(request: HttpRequest) -> HttpResponse:
    """The deals ``request`` may see, filtered as on the deal list."""
    principal = access.principal_for(request.user)
    form = DealFilterForm(request.GET or None, district_officer=works_in_a_district(principal))
    filters = form.cleaned_data if form.is_valid() else {}
    deals = selectors.deal_list(
        who=request,
        region=filters.get("region"),
        cluster=filters.get("cluster"),
        year=filters.get("year"),
        overdue_only=bool(filters.get("overdue")),
        mine_only=form.mine_only(),
    )
    if filters.get("stage"):
        deals = deals.filter(stage_q(filters["stage"]))
    return _attachment(exports.deals_workbook(deals), "investment-deals.xlsx")


urlpatterns: list[URLPattern] = [
    path("dashboard/kpis.xlsx", kpis_xlsx, name="kpis-xlsx"),
    path("projects.xlsx", projects_xlsx, name="projects-xlsx"),
    path("deals.xlsx", deals_xlsx, name="deals-xlsx"),
]
