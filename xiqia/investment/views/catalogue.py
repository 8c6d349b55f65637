"""The project catalogue (招商项目库): public browsing and search; officers add and edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xiqia.accounts import access
from xiqia.core.errors import DomainError, add_to_form
from xiqia.investment import selectors, services
from xiqia.investment.forms import CatalogueFilterForm, ProjectForm
from xiqia.investment.models import Project

PER_PAGE = 20
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Count no further than ``COUNT_CAP`` matches: a common word matches thousands of
    projects, counting them all is most of a search's time, and nobody pages that far."""

    @cached_property
    def count(self) -> int:
        return selectors.capped_count(self.object_list, COUNT_CAP)


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
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
    page = CappedPaginator(projects, PER_PAGE).get_page(request.GET.get("page"))
    template = "investment/_project_rows.html" if request.htmx else "investment/project_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": filters.get("q", ""),
            "count_capped": page.paginator.count >= COUNT_CAP,
            "can_create": access.can_create(request, Project),
        },
    )


@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.get_object(
        request, Project.objects.select_related("region", "park", "cluster", "industry"), pk=pk
    )
    return render(
        request,
        "investment/project_detail.html",
        {
            "project": project,
            "can_change": access.allows(request, access.Action.CHANGE, project),
        },
    )


def _save_project(request: HttpRequest, form: ProjectForm, project: Project | None) -> Project:
    """Create or change the project and its publication in one transaction."""
    fields = form.service_fields()
    published = form.cleaned_data["is_published"]
    with transaction.atomic():
        if project is None:
            return services.project_create(actor=request.user, is_published=published, **fields)
        project = services.project_update(actor=request.user, project=project, **fields)
        if project.is_published != published:
            project = services.project_publish(
                actor=request.user, project=project, published=published
            )
        return project


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    if not access.can_create(request, Project):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, who=request)
    if request.method == "POST" and form.is_valid():
        try:
            project = _save_project(request, form, None)
        except (ValidationError, DomainError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("The project was added to the catalogue."))
            return redirect("investment:project-detail", pk=project.pk)
    return render(request, "investment/project_form.html", {"form": form, "project": None})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.get_object(
        request, Project.objects.select_related("region"), access.Action.CHANGE, pk=pk
    )
    form = ProjectForm(request.POST or None, instance=project, who=request)
    if request.method == "POST" and form.is_valid():
        try:
            _save_project(request, form, Project.objects.get(pk=pk))
        except (ValidationError, DomainError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("investment:project-detail", pk=pk)
    return render(request, "investment/project_form.html", {"form": form, "project": project})


urlpatterns: list[URLPattern] = [
    path("", project_list, name="project-list"),
    path("projects/new/", project_create, name="project-create"),
    path("projects/<int:pk>/", project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", project_edit, name="project-edit"),
]
