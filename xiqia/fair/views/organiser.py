"""Fair pages: organiser (registrations, check-ins, live arrivals, gates and the gate scanner).

Every page here is for fair organisers and platform administrators only: others get 403 and
anonymous visitors are sent to sign in. The decisions themselves are the services'.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from xiqia.accounts import access
from xiqia.core.errors import DomainError
from xiqia.fair import selectors, services
from xiqia.fair.models import Fair, Gate, Registration, RegistrationStatus
from xiqia.fair.policies import runs_fairs

View = Callable[..., HttpResponse]


def organiser_page(view: View) -> View:
    """Let only organisers and platform administrators in; send anonymous visitors to sign in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            if request.htmx:  # e.g. the arrivals refresh after the session ended: leave the page
                back = request.htmx.current_url_abs_path or request.get_full_path()
                return HttpResponse(
                    status=204, headers={"HX-Redirect": redirect_to_login(back)["Location"]}
                )
            return redirect_to_login(request.get_full_path())
        if not runs_fairs(access.principal_for(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _fair(request: HttpRequest, slug: str) -> Fair:
    return selectors.fair_get(who=request, slug=slug)


# Input (the page forms live here: forms.py belongs to the public pages) -----------------------


class RegistrationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All statuses")), *RegistrationStatus.choices],
        required=False,
    )
    q = forms.CharField(label=gettext_lazy("Search"), max_length=100, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


def _list_query(data: Any) -> str:
    """Return the list page's filter and page as a query string (to go back where we were)."""
    keep = {k: data.get(k, "") for k in ("status", "q", "page") if data.get(k)}
    return f"?{urlencode(keep)}" if keep else ""


def _back_to_list(fair: Fair, data: Any) -> HttpResponse:
    return redirect(reverse("fair:registration-list", args=[fair.slug]) + _list_query(data))


# Registrations ---------------------------------------------------------------------------------


@require_GET
@organiser_page
def registration_list(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    form = RegistrationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    registrations = selectors.registration_list(
        who=request, fair=fair, status=filters.get("status", ""), q=filters.get("q", "")
    )
    page = Paginator(registrations, 25).get_page(request.GET.get("page"))
    counts = selectors.registration_counts(who=request, fair=fair)
    statuses = [("", _("All"), sum(counts.values()))] + [
        (value, label, counts.get(value, 0)) for value, label in RegistrationStatus.choices
    ]
    return render(
        request,
        "fair/organiser/registration_list.html",
        {
            "fair": fair,
            "form": form,
            "page": page,
            "statuses": statuses,
            "current_status": filters.get("status", ""),
            "list_query": _list_query(request.GET),
            "section": "registrations",
        },
    )


def _registration(request: HttpRequest, fair: Fair, pk: int) -> Registration:
    return access.get_object(
        request,
        selectors.registration_list(who=request, fair=fair),
        access.Action.CHANGE,
        pk=pk,
    )


def _decided(
    request: HttpRequest, fair: Fair, pk: int, error: str = "", success: str = ""
) -> HttpResponse:
    """Answer a decision: the fresh row for htmx, otherwise back to the list with a message."""
    if request.htmx:
        registration = _registration(request, fair, pk)
        return render(
            request,
            "fair/organiser/_registration_row.html",
            {"fair": fair, "registration": registration, "row_error": error, "row_note": success},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)
    return _back_to_list(fair, request.POST)


def _refusal(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(getattr(exc, "message", exc))


@require_POST
@organiser_page
def registration_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    fair = _fair(request, slug)
    registration = _registration(request, fair, pk)
    try:
        services.registration_approve(registration=registration, actor=request.user)
    except DomainError as exc:
        return _decided(request, fair, pk, error=_refusal(exc))
    return _decided(
        request,
        fair,
        pk,
        success=_("%(person)s was approved; the badge is issued.")
        % {"person": registration.person.get_full_name()},
    )


@require_POST
@organiser_page
def registration_reject(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    fair = _fair(request, slug)
    registration = _registration(request, fair, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _decided(request, fair, pk, error=_("Give a reason for the rejection."))
    try:
        services.registration_reject(
            registration=registration, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except (DomainError, ValidationError) as exc:
        return _decided(request, fair, pk, error=_refusal(exc))
    return _decided(
        request,
        fair,
        pk,
        success=_("%(person)s was rejected.") % {"person": registration.person.get_full_name()},
    )


@require_POST
@organiser_page
def registrations_approve(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    if not ids:
        messages.warning(request, _("Select the registrations to approve first."))
        return _back_to_list(fair, request.POST)
    chosen = selectors.registration_list(who=request, fair=fair).filter(pk__in=ids)
    approved = services.registrations_approve(registrations=list(chosen), actor=request.user)
    skipped = len(ids) - approved
    message = ngettext(
        "%(n)d registration approved.", "%(n)d registrations approved.", approved
    ) % {"n": approved}
    if skipped:
        message += " " + ngettext(
            "%(n)d was not pending and was left as it was.",
            "%(n)d were not pending and were left as they were.",
            skipped,
        ) % {"n": skipped}
    messages.success(request, message)
    return _back_to_list(fair, request.POST)


# Check-ins and arrivals ------------------------------------------------------------------------


@require_GET
@organiser_page
def checkin_list(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    checkins = selectors.checkin_list(who=request, fair=fair).order_by("-scanned_at", "-pk")
    page = Paginator(checkins, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "fair/organiser/checkin_list.html",
        {
            "fair": fair,
            "page": page,
            "scans": selectors.scan_list(who=request, fair=fair)[:50],
            "section": "checkins",
        },
    )


def _arrivals_context(fair: Fair) -> dict[str, Any]:
    data = selectors.arrivals(fair=fair)
    chart = {
        "name": _("Arrivals"),
        "labels": [f"{gate.code} · {gate.name}" for gate, _n in data["gates"]],
        "values": [n for _gate, n in data["gates"]],
    }
    return {"fair": fair, "arrivals": data, "gate_chart": chart}


@require_GET
@organiser_page
def arrivals(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    context = {**_arrivals_context(fair), "section": "arrivals"}
    return render(request, "fair/organiser/arrivals.html", context)


@require_GET
@organiser_page
def arrivals_live(request: HttpRequest, slug: str) -> HttpResponse:
    """Return the arrival figures alone; the arrivals page fetches them every 5 seconds."""
    fair = _fair(request, slug)
    return render(request, "fair/organiser/_arrivals_figures.html", _arrivals_context(fair))


# Gates and the scanner -------------------------------------------------------------------------


@require_GET
@organiser_page
def gate_list(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    counts = {gate.pk: n for gate, n in selectors.arrivals(fair=fair)["gates"]}
    gates = [
        (gate, counts.get(gate.pk, 0)) for gate in selectors.fair_gates(who=request, fair=fair)
    ]
    return render(
        request,
        "fair/organiser/gate_list.html",
        {"fair": fair, "gates": gates, "section": "gates"},
    )


def _scanner_texts() -> dict[str, str]:
    """Return what the scanner script shows, translated here (the catalogue has it all)."""
    return {
        "welcome": _("Welcome, %(name)s."),
        "offline_note": _("Checked offline; it waits in the queue for upload."),
        "already_here": _("Already checked in at %(time)s (this gate, offline)."),
        "already_gate": _("Already checked in at %(time)s, gate %(gate)s."),
        "invalid": _("This is not a badge of this platform."),
        "wrong_fair": _("This badge is for another fair."),
        "forged": _("The badge's signature does not hold: it is forged or damaged."),
        "revoked": _("This badge is revoked."),
        "not_listed": _("Not on this gate's list: an unknown badge, or no confirmed seat here."),
        "no_list": _("No network and no offline list: download the list while the network works."),
        "network_down": _("No network: checked against the offline list."),
        "list_ok": _(
            "Offline list: %(valid)s valid and %(revoked)s revoked badges, downloaded at %(time)s."
        ),
        "list_none": _("No offline list on this device yet."),
        "list_bad": _("The list's signature does not hold, so it was not kept."),
        "list_failed": _("The list could not be downloaded."),
        "crypto_missing": _("Offline checking could not be loaded in this browser."),
        "scan_failed": _("This scan could not be checked: scan it again."),
        "upload_failed": _("The upload failed; the scans stay in the queue."),
        "upload_empty": _("Nothing waits for upload."),
        "signed_out": _("You are signed out or not permitted here: sign in again."),
        "server_error": _("The server could not check this scan (error %(status)s)."),
        "camera_failed": _("The camera could not be started."),
        "camera_start": _("Scan with the camera"),
        "camera_stop": _("Stop the camera"),
        "online": _("Online"),
        "offline_mode": _("Offline mode"),
        "no_network": _("No network"),
    }


@require_GET
@organiser_page
def gate_scan(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    fair = _fair(request, slug)
    gate = access.get_object(request, Gate.objects.filter(fair=fair).select_related("event"), pk=pk)
    config = {
        "gate": {"id": gate.pk, "code": gate.code, "fair": fair.pk, "event": gate.event_id},
        "publicKey": selectors.fair_public_key(fair=fair),
        "timeZone": settings.TIME_ZONE,
        "urls": {
            "scan": reverse("gate-scan", kwargs={"pk": gate.pk}),
            "list": reverse("gate-offline-list", kwargs={"pk": gate.pk}),
            "upload": reverse("gate-upload", kwargs={"pk": gate.pk}),
            "ed25519": static("vendor/noble-ed25519/index.js"),
            "sha512": static("vendor/noble-hashes/sha2.js"),
        },
        "texts": _scanner_texts(),
    }
    return render(
        request,
        "fair/organiser/gate_scan.html",
        {
            "fair": fair,
            "gate": gate,
            "gates": selectors.fair_gates(who=request, fair=fair),
            "config": config,
            "section": "gates",
        },
    )


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/registrations/", registration_list, name="registration-list"),
    path("<slug:slug>/registrations/approve/", registrations_approve, name="registrations-approve"),
    path(
        "<slug:slug>/registrations/<int:pk>/approve/",
        registration_approve,
        name="registration-approve",
    ),
    path(
        "<slug:slug>/registrations/<int:pk>/reject/",
        registration_reject,
        name="registration-reject",
    ),
    path("<slug:slug>/checkins/", checkin_list, name="checkin-list"),
    path("<slug:slug>/arrivals/", arrivals, name="arrivals"),
    path("<slug:slug>/arrivals/live/", arrivals_live, name="arrivals-live"),
    path("<slug:slug>/gates/", gate_list, name="gate-list"),
    path("<slug:slug>/gates/<int:pk>/scan/", gate_scan, name="gate-scan"),
]
