"""Government-service pages: applicant tracking and rating, officers' queue, cases, follow-ups.

The applicant's case number and verification code travel only in a POST body; the case found
is remembered in the session, so no URL ever carries them (nor any personal data).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xiqia.accounts import access
from xiqia.accounts.models import Role
from xiqia.core.errors import DomainError, add_to_form
from xiqia.core.origin import includes_generated
from xiqia.govservice import selectors, services, tracking
from xiqia.govservice.forms import (
    FollowUpCloseForm,
    RateForm,
    ReceiveForm,
    TrackForm,
    action_form,
)
from xiqia.govservice.models import (
    Case,
    CaseState,
    EnterpriseRequest,
    FollowUp,
    PairingAgreement,
    StaffKind,
    Window,
)
from xiqia.govservice.transitions import ACTION_LABELS, Action

SESSION_KEY = "govservice_tracked_case"
REFUSALS = (DomainError, ValidationError)


# The applicant ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Find a case by its number and verification code (no account needed)."""
    return tracking.track_page(
        request,
        form_class=TrackForm,
        find=services.case_by_number_and_code,
        session_key=SESSION_KEY,
        found_url="govservice:track-status",
        not_found=_("No case matches this number and verification code."),
        template="govservice/track.html",
    )


def _tracked(request: HttpRequest) -> Case | None:
    pk = request.session.get(SESSION_KEY)
    if pk is None:
        return None
    return (
        Case.objects.select_related("matter_version", "receiving_window", "handling_region")
        .filter(pk=pk)
        .first()
    )


@require_http_methods(["GET", "POST"])
def track_status(request: HttpRequest) -> HttpResponse:
    """Show the tracked case's steps and deadline; rate it once it is closed."""
    case = _tracked(request)
    if case is None:
        return redirect("govservice:track")
    form = RateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.case_rate(case=case, **form.cleaned_data)
            except REFUSALS as exc:
                status = 400
                add_to_form(form, exc)
            else:
                messages.success(request, _("Thank you for your rating."))
                return redirect("govservice:track-status")
        else:
            status = 400
    context = {
        "case": case,
        "steps": selectors.case_steps(case),
        "form": form if case.state == CaseState.CLOSED else None,
        "rated": case.state == CaseState.RATED,
        "missing": case.missing_materials.splitlines(),
    }
    return render(request, "govservice/track_status.html", context, status=status)


# Officers --------------------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The officer's work queue: cases waiting for their next step, soonest deadline first."""
    cases = selectors.work_queue(who=request)
    windows = Window.objects.filter(
        staff__user=request.user, staff__kind__in=[StaffKind.CLERK, StaffKind.SUPERVISOR]
    ).distinct()
    return render(
        request,
        "govservice/queue.html",
        {
            "cases": cases,
            "may_receive": windows.exists(),
            "today": timezone.localdate(),
            "calendar_warning_year": selectors.calendar_warning_year(),
        },
    )


def _clerk_windows(request: HttpRequest) -> Any:
    if access.principal_for(request.user).is_admin:
        return Window.objects.select_related("region")
    return (
        Window.objects.filter(
            staff__user=request.user, staff__kind__in=[StaffKind.CLERK, StaffKind.SUPERVISOR]
        )
        .select_related("region")
        .distinct()
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_receive(request: HttpRequest) -> HttpResponse:
    """Receive an application at one of the clerk's windows; show the receipt with the code."""
    windows = _clerk_windows(request)
    if not windows.exists():
        raise PermissionDenied
    form = ReceiveForm(request.POST or None, windows=windows)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                receipt = services.case_receive(actor=request.user, **form.cleaned_data)
            except REFUSALS as exc:
                status = 400
                add_to_form(form, exc)
            else:
                # The code is shown once, in this response, never in a URL.
                return render(request, "govservice/receipt.html", {"receipt": receipt})
        else:
            status = 400
    return render(request, "govservice/receive.html", {"form": form}, status=status)


def _case_page(
    request: HttpRequest, case: Case, bound: tuple[Action, Any] | None = None, status: int = 200
) -> HttpResponse:
    actions = selectors.allowed_actions(request.user, case)
    forms = []
    for action in actions:
        form = bound[1] if bound and bound[0] == action else action_form(action, case)
        forms.append((action, ACTION_LABELS[action], form))
    context = {
        "case": case,
        "applicant_name": selectors.applicant_name_for(request.user, case),
        "steps": selectors.case_steps(case).select_related("actor", "region"),
        "pauses": case.pauses.all(),
        "extensions": case.extensions.select_related("approved_by"),
        "materials": case.matter_version.materials.all(),
        "action_forms": forms,
        "today": timezone.localdate(),
    }
    return render(request, "govservice/case_detail.html", context, status=status)


def _get_case(request: HttpRequest, pk: int) -> Case:
    return access.get_object(
        request,
        Case.objects.select_related(
            "matter_version__matter",
            "receiving_window",
            "receiving_region",
            "handling_region",
        ),
        pk=pk,
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _get_case(request, pk))


SERVICES = {
    Action.PRECHECK: lambda case, actor, data: services.case_precheck(case=case, actor=actor),
    Action.REJECT: lambda case, actor, data: services.case_reject(
        case=case, actor=actor, reason=data["reason"]
    ),
    Action.REQUEST_SUPPLEMENT: lambda case, actor, data: services.case_request_supplement(
        case=case, actor=actor, missing=data["missing"].splitlines()
    ),
    Action.RESUBMIT: lambda case, actor, data: services.case_resubmit(case=case, actor=actor),
    Action.ACCEPT: lambda case, actor, data: services.case_accept(case=case, actor=actor),
    Action.DISPATCH: lambda case, actor, data: services.case_dispatch(
        case=case, actor=actor, courier=data["courier"], waybill=data["waybill"]
    ),
    Action.DELIVER: lambda case, actor, data: services.case_deliver(
        case=case, actor=actor, received_material_ids=[m.pk for m in data["received"]]
    ),
    Action.PAUSE: lambda case, actor, data: services.case_pause(
        case=case, actor=actor, kind=data["kind"], reason=data["reason"]
    ),
    Action.RESUME: lambda case, actor, data: services.case_resume(case=case, actor=actor),
    Action.EXTEND: lambda case, actor, data: services.case_extend(
        case=case, actor=actor, days=data["days"], reason=data["reason"]
    ),
    Action.SCHEDULE_REVIEW: lambda case, actor, data: services.case_schedule_review(
        case=case, actor=actor, at=data["at"], participants=data["participants"]
    ),
    Action.RECORD_REVIEW: lambda case, actor, data: services.case_record_review(
        case=case, actor=actor, minutes=data["minutes"]
    ),
    Action.DECIDE: lambda case, actor, data: services.case_decide(
        case=case,
        actor=actor,
        decision=data["decision"],
        document=data["document"],
        reason=data["reason"],
    ),
    Action.ISSUE_RESULT: lambda case, actor, data: services.case_issue_result(
        case=case, actor=actor
    ),
    Action.RECOGNISE: lambda case, actor, data: services.case_recognise(case=case, actor=actor),
    Action.CLOSE: lambda case, actor, data: services.case_close(case=case, actor=actor),
    Action.WITHDRAW: lambda case, actor, data: services.case_withdraw(
        case=case, actor=actor, reason=data["reason"]
    ),
}


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one action of the transition table on a case."""
    try:
        chosen = Action(action)
    except ValueError:
        raise Http404 from None
    if chosen not in SERVICES:
        raise Http404
    case = _get_case(request, pk)
    access.require(request, access.Action.CHANGE, case)
    form = action_form(chosen, case, request.POST)
    if not form.is_valid():
        return _case_page(request, case, (chosen, form), status=400)
    try:
        SERVICES[chosen](case, request.user, form.cleaned_data)
    except REFUSALS as exc:
        add_to_form(form, exc)
        return _case_page(request, case, (chosen, form), status=getattr(exc, "status", 400))
    messages.success(request, _("Done: %(action)s.") % {"action": ACTION_LABELS[chosen]})
    return redirect("govservice:case-detail", pk=case.pk)


@login_required
def follow_up_list(request: HttpRequest) -> HttpResponse:
    """Poor ratings of cases and green-channel requests to follow up, for the supervisors."""
    items = list(selectors.follow_ups(who=request))
    return render(
        request,
        "govservice/follow_ups.html",
        {"items": items, "form_class": FollowUpCloseForm},
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_close(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = access.get_object(
        request,
        FollowUp.objects.select_related("rating__case__matter_version", "request", "region"),
        access.Action.CHANGE,
        pk=pk,
    )
    form = FollowUpCloseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.follow_up_close(
                    follow_up=follow_up, actor=request.user, **form.cleaned_data
                )
            except REFUSALS as exc:
                status = 400
                add_to_form(form, exc)
            else:
                messages.success(request, _("The follow-up is closed."))
                return redirect("govservice:follow-up-list")
        else:
            status = 400
    return render(
        request,
        "govservice/follow_up_close.html",
        {"follow_up": follow_up, "form": form},
        status=status,
    )


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    """The supervision dashboard: charts with their tables, over the cases in reach."""
    principal = access.principal_for(request.user)
    if not (principal.is_admin or principal.has(Role.ANALYST, Role.DISTRICT_OFFICER)):
        raise PermissionDenied
    figures = selectors.supervision(who=request)
    green = selectors.green_channel_figures(who=request)
    per = figures.per_matter_district
    context = {
        "figures": figures,
        "green": green,
        # Figures summed over generated cases or requests are generated too, marked like them.
        "cases_generated": includes_generated(access.scope(request, Case.objects.all())),
        "green_generated": includes_generated(
            access.scope(request, EnterpriseRequest.objects.all())
        ),
        "green_share_percent": (
            round(green.share_within_limit * 100, 1)
            if green.share_within_limit is not None
            else None
        ),
        "share_percent": (
            round(figures.share_within_limit * 100, 1)
            if figures.share_within_limit is not None
            else None
        ),
        "matter_chart": {
            "name": _("Cases"),
            "labels": [
                f"{row['matter_name'] or row['matter']} · {row['district_name']}" for row in per
            ],
            "values": [row["count"] for row in per],
        },
        "grade_chart": {
            "name": _("Ratings"),
            "labels": [row["label"] for row in figures.grades],
            "values": [row["count"] for row in figures.grades],
        },
    }
    return render(request, "govservice/supervision.html", context)


def pairing(request: HttpRequest) -> HttpResponse:
    """The pairing agreements between districts, with their windows (public)."""
    agreements = list(
        PairingAgreement.objects.select_related("first_party", "second_party").order_by("id")
    )
    regions = {a.first_party_id for a in agreements} | {a.second_party_id for a in agreements}
    windows: dict[int, list[Window]] = {}
    for window in Window.objects.filter(region__in=regions).order_by("code"):
        windows.setdefault(window.region_id, []).append(window)
    rows = [
        (a, windows.get(a.first_party_id, []), windows.get(a.second_party_id, []))
        for a in agreements
    ]
    return render(request, "govservice/pairing.html", {"rows": rows})
