"""Directory pages: browse organisations and regions; officers and members keep entries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xiqia.accounts import access
from xiqia.core.errors import DomainError, add_to_form
from xiqia.core.models import Region
from xiqia.directory import selectors, services
from xiqia.directory.forms import OrganisationFilterForm, OrganisationForm, RegionSearchForm
from xiqia.directory.models import Organisation


def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.organisation_list(
        who=request,
        q=filters.get("q", ""),
        kind=filters.get("kind", ""),
        region_code=filters.get("region", ""),
        industry=filters.get("industry"),
    )
    page = Paginator(organisations, 25).get_page(request.GET.get("page"))
    changeable = set(
        access.scope(
            request, Organisation.objects.filter(pk__in=[o.pk for o in page]), access.Action.CHANGE
        ).values_list("pk", flat=True)
    )
    template = (
        "directory/_organisation_rows.html" if request.htmx else "directory/organisation_list.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "changeable": changeable,
            "can_create": access.can_create(request, Organisation),
        },
    )


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_detail(who=request, pk=pk)
    return render(
        request,
        "directory/organisation_detail.html",
        {
            "organisation": organisation,
            "can_change": access.allows(request, access.Action.CHANGE, organisation),
            "history": organisation.history.select_related("history_user").order_by(
                "-history_date"
            )[:10]
            if request.user.is_authenticated
            else [],
        },
    )


def _regions_for(request: HttpRequest):
    principal = access.principal_for(request.user)
    regions = Region.objects.current()
    if not principal.is_admin:
        regions = regions.filter(principal.region_q("code"))
    return regions


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    if not access.can_create(request, Organisation):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, regions=_regions_for(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        industries = data.pop("industries")
        try:
            organisation = services.organisation_create(
                actor=request.user, industries=industries, **data
            )
        except (ValidationError, DomainError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("The organisation was added to the directory."))
            return redirect("directory:organisation-detail", pk=organisation.pk)
    return render(request, "directory/organisation_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = access.get_object(
        request, Organisation.objects.all(), access.Action.CHANGE, pk=pk
    )
    principal = access.principal_for(request.user)
    regions = Region.objects.filter(pk=organisation.region_id) | _regions_for(request)
    form = OrganisationForm(request.POST or None, instance=organisation, regions=regions.distinct())
    if not (principal.is_admin or principal.covers_region_code(organisation.region.code)):
        form.fields["region"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        industries = data.pop("industries")
        try:
            services.organisation_update(
                actor=request.user, organisation=organisation, industries=industries, **data
            )
        except (ValidationError, DomainError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("directory:organisation-detail", pk=organisation.pk)
    return render(
        request,
        "directory/organisation_form.html",
        {"form": form, "organisation": organisation, "creating": False},
    )


def region_list(request: HttpRequest) -> HttpResponse:
    form = RegionSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    regions = selectors.region_search(q=filters.get("q") or "", year=filters.get("year"))
    page = Paginator(regions, 50).get_page(request.GET.get("page"))
    return render(request, "directory/region_list.html", {"form": form, "page": page})


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    periods = list(selectors.region_periods(code))
    if not periods:
        raise Http404
    latest = periods[-1]
    today = latest.current_successor()
    organisations = selectors.organisation_list(who=request, region_code=code)[:50]
    return render(
        request,
        "directory/region_detail.html",
        {
            "code": code,
            "periods": periods,
            "latest": latest,
            "today": today,
            "organisations": organisations,
        },
    )
