"""Pages of the enterprise green channel: submit, follow and rate a request; officers' queue.

An enterprise needs no account: it submits a request, gets its number and verification code
once, and follows it by posting both (never in a URL); the request found is kept in the
session. Officers of the request's district move it by the actions of the green channel's
table.
"""

from __future__ import annotations

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
from xiqia.core import freetext
from xiqia.core.errors import DomainError, add_to_form
from xiqia.govservice import green_channel, selectors, tracking
from xiqia.govservice.forms import (
    RateForm,
    RequestSubmitForm,
    RequestTrackForm,
    request_action_form,
)
from xiqia.govservice.models import EnterpriseRequest, RequestState
from xiqia.govservice.ratelimits import submit_wait

SESSION_KEY = "govservice_tracked_request"
REFUSALS = (DomainError, ValidationError)


# The enterprise --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def request_submit(request: HttpRequest) -> HttpResponse:
    """Submit a request through the green channel; show its number and code once."""
    form = RequestSubmitForm(request.POST or None)
    status = 200
    if request.method == "POST":
        wait = submit_wait(request)
        if wait is not None:
            status = 429
            tracking.add_wait_error(form, wait)
        elif form.is_valid():
            try:
                receipt = green_channel.request_receive(actor=None, **form.cleaned_data)
            except REFUSALS as exc:
                status = 400
                add_to_form(form, exc)
            else:
                context = {
                    "receipt": receipt,
                    # The submitter is told that the numbers typed into the text are masked.
                    "numbers_masked": freetext.has_personal_numbers(
                        form.cleaned_data["subject"] + "\n" + form.cleaned_data["body"]
                    ),
                }
                return render(request, "govservice/request_receipt.html", context)
        else:
            status = 400
    return render(request, "govservice/request_submit.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def request_track(request: HttpRequest) -> HttpResponse:
    """Find a request by its number and verification code (no account needed)."""
    return tracking.track_page(
        request,
        form_class=RequestTrackForm,
        find=green_channel.request_by_number_and_code,
        session_key=SESSION_KEY,
        found_url="govservice:request-track-status",
        not_found=_("No request matches this number and verification code."),
        template="govservice/request_track.html",
    )


@require_http_methods(["GET", "POST"])
def request_track_status(request: HttpRequest) -> HttpResponse:
    """Show the tracked request's steps, time limit and answer; rate it once it is closed."""
    pk = request.session.get(SESSION_KEY)
    found = (
        EnterpriseRequest.objects.select_related("region").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if found is None:
        return redirect("govservice:request-track")
    form = RateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                green_channel.request_act(
                    request=found,
                    action="rate",
                    actor=None,
                    grade=form.cleaned_data["grade"],
                    text=form.cleaned_data["comment"],
                )
            except REFUSALS as exc:
                status = 400
                add_to_form(form, exc)
            else:
                messages.success(request, _("Thank you for your rating."))
                return redirect("govservice:request-track-status")
        else:
            status = 400
    context = {
        "item": found,
        "steps": selectors.request_steps(found),
        "form": form if found.state == RequestState.CLOSED else None,
    }
    return render(request, "govservice/request_track_status.html", context, status=status)


# Officers --------------------------------------------------------------------------------------


def _require_officer(request: HttpRequest) -> None:
    principal = access.principal_for(request.user)
    if not (principal.is_admin or principal.has(Role.ANALYST, Role.DISTRICT_OFFICER)):
        raise PermissionDenied


@login_required
def request_queue(request: HttpRequest) -> HttpResponse:
    """The green channel's queue: requests waiting for an officer, soonest limit first."""
    _require_officer(request)
    finished = request.GET.get("show") == "finished"
    items = selectors.request_queue(who=request, finished=finished)
    return render(
        request,
        "govservice/request_queue.html",
        {"items": items, "finished": finished, "now": timezone.now()},
    )


def _get_request(request: HttpRequest, pk: int) -> EnterpriseRequest:
    return access.get_object(request, EnterpriseRequest.objects.select_related("region"), pk=pk)


def _request_page(
    request: HttpRequest,
    item: EnterpriseRequest,
    bound: tuple[str, object] | None = None,
    status: int = 200,
) -> HttpResponse:
    forms = []
    for action in selectors.request_actions(request.user, item):
        form = bound[1] if bound and bound[0] == action else request_action_form(action, item)
        forms.append((action, green_channel.ACTION_LABELS[action], form))
    context = {
        "item": item,
        "contact_name": selectors.contact_name_for(request.user, item),
        # Numbers typed into the texts: as typed for the district's officers, else masked.
        "entitled": selectors.sees_contact(request.user, item),
        "steps": selectors.request_steps(item).select_related("actor"),
        "reminders": item.reminders.all(),
        "action_forms": forms,
        "now": timezone.now(),
    }
    return render(request, "govservice/request_detail.html", context, status=status)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_page(request, _get_request(request, pk))


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one officer action of the green channel's table on a request."""
    if action not in green_channel.OFFICER_ACTIONS:
        raise Http404
    item = _get_request(request, pk)
    access.require(request, access.Action.CHANGE, item)
    form = request_action_form(action, item, request.POST)
    if not form.is_valid():
        return _request_page(request, item, (action, form), status=400)
    try:
        green_channel.request_act(
            request=item,
            action=action,
            actor=request.user,
            text=form.cleaned_data.get("text", ""),
            limit_class=form.cleaned_data.get("limit_class", ""),
        )
    except REFUSALS as exc:
        add_to_form(form, exc)
        return _request_page(request, item, (action, form), status=400)
    messages.success(
        request, _("Done: %(action)s.") % {"action": green_channel.ACTION_LABELS[action]}
    )
    return redirect("govservice:request-detail", pk=item.pk)
