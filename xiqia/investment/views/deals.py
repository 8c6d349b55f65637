"""Signed deals: the officer's list, recording and correcting a signing, its documents, and the
landing pipeline of a deal.

Signed-in users only; what each sees and changes is the access policy's (officers: their
region). Every change goes through one service; a refusal is shown on the form and changes
nothing.
"""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiqia.accounts import access
from xiqia.core.errors import DomainError, add_to_form
from xiqia.investment import selectors, services
from xiqia.investment.forms import (
    DealDocumentForm,
    DealEditForm,
    DealFilterForm,
    DealForm,
    FundsForm,
    MilestoneForm,
)
from xiqia.investment.models import (
    PIPELINE,
    STEP_DATE_FIELD,
    Deal,
    DealDocument,
    DealStatus,
    Milestone,
    Step,
)
from xiqia.investment.policies import works_in_a_district
from xiqia.investment.queries import stage_q

PER_PAGE = 25


@require_GET
@login_required
def deal_list(request: HttpRequest) -> HttpResponse:
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
        related=selectors.DEAL_LIST_RELATED,
    )
    if filters.get("stage"):
        deals = deals.filter(stage_q(filters["stage"]))
    page = Paginator(deals, PER_PAGE).get_page(request.GET.get("page"))
    template = "investment/_deal_rows.html" if request.htmx else "investment/deal_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "can_create": access.can_create(request, Deal),
            "section": "deals",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def deal_create(request: HttpRequest) -> HttpResponse:
    if not access.can_create(request, Deal):
        raise PermissionDenied
    form = DealForm(request.POST or None, request.FILES or None, who=request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # the signing and its agreement, or neither
                deal = services.deal_record(
                    actor=request.user,
                    officer=request.user,
                    investor=data["investor"],
                    host_region=data["host_region"],
                    park=data["park"],
                    cluster=data["cluster"],
                    project=data["project"],
                    title_zh=data["title_zh"],
                    title_en=data["title_en"],
                    amount=data["amount"],
                    kind=data["kind"],
                    signed_at=data["signed_at"],
                    event=data["event"],
                    note=data["note"],
                )
                if data.get("document"):
                    services.deal_document_attach(
                        actor=request.user,
                        deal=deal,
                        file=data["document"],
                        kind=data["document_kind"],
                    )
        except (ValidationError, DomainError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("The deal was recorded."))
            return redirect("investment:deal-detail", pk=deal.pk)
    return render(request, "investment/deal_form.html", {"form": form, "section": "deals"})


def _deal(request: HttpRequest, pk: int, action: access.Action = access.Action.VIEW) -> Deal:
    return access.get_object(
        request,
        Deal.objects.select_related(
            "investor", "host_region", "park", "cluster", "project", "event__fair", "officer"
        ),
        action,
        pk=pk,
    )


def _pipeline(deal: Deal) -> list[dict]:
    """Return each step of the pipeline with its date, deadline and whether it is late."""
    today = timezone.localdate()
    rows = []
    for step in PIPELINE:
        reached = getattr(deal, STEP_DATE_FIELD[step])
        due = deal.due_on(step)
        rows.append(
            {
                "step": step,
                "label": step.label,
                "reached": reached,
                "due": due,
                "late": due is not None
                and ((reached is None and due < today) or (reached is not None and reached > due)),
            }
        )
    return rows


def _render_detail(
    request: HttpRequest,
    deal: Deal,
    milestone_form: MilestoneForm | None = None,
    funds_form: FundsForm | None = None,
    document_form: DealDocumentForm | None = None,
) -> HttpResponse:
    may_change = access.allows(request, access.Action.CHANGE, deal)
    can_change = deal.is_current and may_change
    open_pipeline = can_change and deal.status == DealStatus.ACTIVE
    if open_pipeline and milestone_form is None:
        milestone_form = MilestoneForm(
            region_code=deal.host_region.code,
            next_step=deal.next_step,
            initial={"officer": request.user.pk, "date": timezone.localdate()},
        )
    if can_change and funds_form is None:
        funds_form = FundsForm(
            initial={"as_of": timezone.localdate(), "funds_unit": "wan"},
        )
    overdue = selectors.annotate_overdue(Deal.objects.filter(pk=deal.pk)).values_list(
        "is_overdue_start", flat=True
    )
    return render(
        request,
        "investment/deal_detail.html",
        {
            "deal": deal,
            "is_overdue_start": bool(overdue.first()),
            "chain": selectors.deal_chain(deal),
            "milestones": selectors.deal_milestones(deal),
            "documents": deal.documents.select_related("uploaded_by"),
            "pipeline": _pipeline(deal),
            "latest": None
            if deal.is_current
            else Deal.objects.filter(root=deal.root_id or deal.pk, is_current=True).first(),
            "can_change": can_change,
            "milestone_form": milestone_form if open_pipeline else None,
            "funds_form": funds_form if can_change else None,
            "may_change": may_change,
            "document_form": (document_form or DealDocumentForm()) if may_change else None,
            "section": "deals",
        },
    )


@require_GET
@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _deal(request, pk))


@require_POST
@login_required
def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _deal(request, pk, access.Action.CHANGE)
    form = MilestoneForm(
        request.POST, request.FILES, region_code=deal.host_region.code, next_step=deal.next_step
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            milestone = services.milestone_record(
                actor=request.user,
                deal=deal,
                step=data["step"],
                date=data["date"],
                evidence=data["evidence"],
                evidence_kind=data["evidence_kind"],
                officer=data["officer"] or request.user,
                note=data["note"],
            )
        except (ValidationError, DomainError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request,
                _("Recorded: %(step)s on %(date)s.")
                % {"step": Step(milestone.step).label, "date": milestone.date.isoformat()},
            )
            return redirect("investment:deal-detail", pk=deal.pk)
    return _render_detail(request, _deal(request, pk), milestone_form=form)


@require_POST
@login_required
def funds_record(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _deal(request, pk, access.Action.CHANGE)
    form = FundsForm(request.POST)
    if form.is_valid():
        try:
            services.deal_funds_record(
                actor=request.user,
                deal=deal,
                amount=form.cleaned_data["funds"],
                as_of=form.cleaned_data["as_of"],
            )
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                exc = ValidationError(
                    {("funds" if k == "amount" else k): v for k, v in exc.error_dict.items()}
                )
            add_to_form(form, exc)
        else:
            messages.success(request, _("The funds in place were recorded."))
            return redirect("investment:deal-detail", pk=deal.pk)
    return _render_detail(request, _deal(request, pk), funds_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a recorded deal (officers of its region); the deal's history keeps each change."""
    deal = _deal(request, pk, access.Action.CHANGE)
    form = DealEditForm(request.POST or None, who=request, deal=deal)
    if request.method == "POST" and form.is_valid():
        try:
            services.deal_update(actor=request.user, deal=deal, **form.changes())
        except (ValidationError, DomainError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("The deal was corrected."))
            return redirect("investment:deal-detail", pk=deal.pk)
    return render(
        request, "investment/deal_edit.html", {"form": form, "deal": deal, "section": "deals"}
    )


@require_POST
@login_required
def document_attach(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a document to a recorded deal (officers of its region)."""
    deal = _deal(request, pk, access.Action.CHANGE)
    form = DealDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.deal_document_attach(
                actor=request.user,
                deal=deal,
                file=data["file"],
                kind=data["kind"],
                title=data["title"],
            )
        except (ValidationError, DomainError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("The document was attached."))
            return redirect("investment:deal-detail", pk=deal.pk)
    return _render_detail(request, deal, document_form=form)


def _file(field_file, name: str = "") -> FileResponse:  # type: ignore[no-untyped-def]
    """Serve a stored file under the name it was uploaded with (stored under a generated one)."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle, as_attachment=True, filename=name or os.path.basename(field_file.name)
    )


@require_GET
@login_required
@never_cache
def milestone_evidence(request: HttpRequest, pk: int, milestone: int) -> FileResponse:
    """The evidence of a milestone, for those who may see the milestone."""
    found = access.get_object(
        request,
        Milestone.objects.filter(deal__root=pk) | Milestone.objects.filter(deal=pk),
        pk=milestone,
    )
    return _file(found.evidence, found.evidence_name)


@require_GET
@login_required
@never_cache
def document_download(request: HttpRequest, pk: int, document: int) -> FileResponse:
    """A document of a deal, for those who may see it."""
    found = access.get_object(request, DealDocument.objects.filter(deal=pk), pk=document)
    return _file(found.file, found.original_name)


urlpatterns: list[URLPattern] = [
    path("deals/", deal_list, name="deal-list"),
    path("deals/new/", deal_create, name="deal-create"),
    path("deals/<int:pk>/", deal_detail, name="deal-detail"),
    path("deals/<int:pk>/milestones/", milestone_create, name="milestone-create"),
    path("deals/<int:pk>/funds/", funds_record, name="funds-record"),
    path(
        "deals/<int:pk>/milestones/<int:milestone>/evidence/",
        milestone_evidence,
        name="milestone-evidence",
    ),
    path("deals/<int:pk>/edit/", deal_edit, name="deal-edit"),
    path("deals/<int:pk>/documents/", document_attach, name="deal-document-attach"),
    path("deals/<int:pk>/documents/<int:document>/", document_download, name="deal-document"),
]
