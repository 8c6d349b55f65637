"""Fair pages: public and participant (programme, registration, my badge)."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xiqia.accounts import access
from xiqia.accounts.models import Membership, Role
from xiqia.core.errors import DomainError
from xiqia.fair import selectors, services
from xiqia.fair.forms import AgendaFilterForm, RegistrationForm
from xiqia.fair.models import (
    Badge,
    BadgeStatus,
    EventRegistration,
    Fair,
    Registration,
    RegistrationStatus,
    SeatStatus,
)

# Any of these from a service is a refusal to show the person, never a server error.
REFUSALS = (DomainError, ValidationError, PermissionDenied)


def fair_index(request: HttpRequest) -> HttpResponse:
    """Send visitors to the newest published fair."""
    fair = selectors.fair_list(who=request).first()
    if fair is None:
        return redirect("dashboard:home")
    return redirect("fair:fair-detail", slug=fair.slug)


# Helpers ---------------------------------------------------------------------------------------


def _fair(request: HttpRequest, slug: str) -> Fair:
    return selectors.fair_get(who=request, slug=slug)


def _my_registration(request: HttpRequest, fair: Fair) -> Registration | None:
    if not request.user.is_authenticated:
        return None
    return selectors.my_registration(person=request.user, fair=fair)


def _my_seats(registration: Registration | None) -> dict[int, EventRegistration]:
    """Return the person's open places by event id (confirmed or waitlisted)."""
    if registration is None:
        return {}
    return {
        seat.event_id: seat
        for seat in registration.seats.all()
        if seat.status != SeatStatus.CANCELLED
    }


def _member_organisation(user: Any) -> Any:
    """Return the organisation of the user's one organisation membership, else None."""
    memberships = list(
        Membership.objects.filter(user=user, role=Role.ORG_MEMBER).select_related("organisation")
    )
    return memberships[0].organisation if len(memberships) == 1 else None


def refusal_message(exc: Exception) -> str:
    """Return the translated message of a service's refusal."""
    if isinstance(exc, DomainError):
        return str(exc.message)
    if isinstance(exc, ValidationError):
        return " ".join(str(message) for message in exc.messages)
    return str(exc) or _("You may not do this.")


def _add_refusal(form: Form, exc: Exception) -> None:
    """Show a service's refusal on the form: on its field when the form has it."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return
    form.add_error(None, refusal_message(exc))


def _own_badge(request: HttpRequest, fair: Fair) -> Badge:
    """Return the signed-in person's active badge for the fair, or 404."""
    badges = access.scope(request, Badge.objects.all()).select_related(
        "registration__person", "registration__organisation", "registration__fair"
    )
    return get_object_or_404(
        badges,
        registration__fair=fair,
        registration__person=request.user,
        registration__status=RegistrationStatus.APPROVED,
        status=BadgeStatus.ACTIVE,
    )


# Programme -------------------------------------------------------------------------------------


def fair_detail(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    days = selectors.agenda_by_day(selectors.agenda(who=request, fair=fair))
    return render(
        request,
        "fair/public/fair_detail.html",
        {
            "fair": fair,
            "tab": "overview",
            "registration": _my_registration(request, fair),
            "registration_open": fair.registration_open(),
            "days": days,
            "event_count": sum(len(events) for _day, events in days),
            "organisers": fair.organisers.all(),
        },
    )


def agenda(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    form = AgendaFilterForm(request.GET or None, fair=fair)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.agenda(
        who=request, fair=fair, kind=filters.get("kind", ""), day=filters.get("day")
    )
    days = selectors.agenda_by_day(events)
    my_seats = _my_seats(_my_registration(request, fair))
    for _day, day_events in days:
        for event in day_events:
            event.my_seat = my_seats.get(event.pk)  # type: ignore[attr-defined]
    template = "fair/public/_agenda_days.html" if request.htmx else "fair/public/agenda.html"
    response = render(
        request,
        template,
        {
            "fair": fair,
            "tab": "agenda",
            "form": form,
            "days": days,
            "illustrative": any(e.times_illustrative for _day, day in days for e in day),
        },
    )
    patch_vary_headers(response, ["HX-Request"])  # the same address answers a page or a part
    return response


def event_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    fair = _fair(request, slug)
    event = selectors.event_get(who=request, fair=fair, pk=pk)
    registration = _my_registration(request, fair)
    return render(
        request,
        "fair/public/event_detail.html",
        {
            "fair": fair,
            "tab": "agenda",
            "event": event,
            "registration": registration,
            "my_seat": _my_seats(registration).get(event.pk),
        },
    )


def speakers(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    return render(
        request,
        "fair/public/speakers.html",
        {
            "fair": fair,
            "tab": "speakers",
            "speakers": selectors.fair_speakers(who=request, fair=fair),
        },
    )


# Registration ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    registration = _my_registration(request, fair)
    if (
        request.method == "GET"
        and registration is not None
        and registration.status != RegistrationStatus.CANCELLED
    ):
        messages.info(request, _("You are already registered for this fair."))
        return redirect("fair:my-registration", slug=fair.slug)
    organisation = _member_organisation(request.user)
    form = RegistrationForm(
        request.POST or None,
        events=selectors.agenda(who=request, fair=fair),
        initial={"organisation_name": organisation.name if organisation else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_create(
                fair=fair,
                person=request.user,
                actor=request.user,
                organisation=organisation,
                **form.cleaned_data,
            )
        except REFUSALS as exc:
            _add_refusal(form, exc)
        else:
            if registration.status == RegistrationStatus.APPROVED:
                messages.success(
                    request, _("You are registered and approved. Your badge is ready.")
                )
            else:
                messages.success(
                    request,
                    _("Your registration was received and is pending the organisers' approval."),
                )
            return redirect("fair:my-registration", slug=fair.slug)
    return render(
        request,
        "fair/public/register.html",
        {
            "fair": fair,
            "tab": "me",
            "form": form,
            "organisation": organisation,
            "registration_open": fair.registration_open(),
        },
    )


@login_required
def my_registration(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    registration = _my_registration(request, fair)
    badge = getattr(registration, "badge", None) if registration else None
    seats = list(registration.seats.all()) if registration else []
    return render(
        request,
        "fair/public/my_registration.html",
        {
            "fair": fair,
            "tab": "me",
            "registration": registration,
            "open_seats": [s for s in seats if s.status != SeatStatus.CANCELLED],
            "given_up": [s for s in seats if s.status == SeatStatus.CANCELLED],
            "badge": badge if badge and badge.status == BadgeStatus.ACTIVE else None,
            "registration_open": fair.registration_open(),
        },
    )


@login_required
@require_POST
def registration_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    registration = get_object_or_404(Registration, fair=fair, person=request.user)
    try:
        services.registration_cancel(registration=registration, actor=request.user)
    except REFUSALS as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("fair:my-registration", slug=fair.slug)


@login_required
@require_POST
def seat_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    fair = _fair(request, slug)
    seat = get_object_or_404(
        EventRegistration.objects.select_related("event"),
        pk=pk,
        registration__fair=fair,
        registration__person=request.user,
    )
    was_waitlisted = seat.status == SeatStatus.WAITLISTED
    try:
        services.seat_cancel(seat=seat, actor=request.user)
    except REFUSALS as exc:
        messages.error(request, refusal_message(exc))
    else:
        message = (
            _("You left the waitlist for “%(event)s”.")
            if was_waitlisted
            else _("You gave up your seat at “%(event)s”.")
        )
        messages.success(request, message % {"event": seat.event.title})
    return redirect("fair:my-registration", slug=fair.slug)


# Badge -----------------------------------------------------------------------------------------


@login_required
def badge(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    own = _own_badge(request, fair)
    return render(
        request,
        "fair/public/badge.html",
        {
            "fair": fair,
            "tab": "me",
            "badge": own,
            "registration": own.registration,
        },
    )


@login_required
def badge_qr(request: HttpRequest, slug: str) -> HttpResponse:
    """Return the badge's QR code as SVG: the signed token, never an ID or phone number."""
    fair = _fair(request, slug)
    own = _own_badge(request, fair)
    buffer = io.BytesIO()
    segno.make(services.badge_token(own), error="m", micro=False).save(
        buffer, kind="svg", scale=4, border=4, xmldecl=False, svgclass="badge-qr-code"
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"  # the code names its holder
    return response


urlpatterns: list[URLPattern] = [
    path("", fair_index, name="fair-index"),
    path("<slug:slug>/", fair_detail, name="fair-detail"),
    path("<slug:slug>/agenda/", agenda, name="agenda"),
    path("<slug:slug>/events/<int:pk>/", event_detail, name="event-detail"),
    path("<slug:slug>/speakers/", speakers, name="speakers"),
    path("<slug:slug>/register/", register, name="register"),
    path("<slug:slug>/me/", my_registration, name="my-registration"),
    path("<slug:slug>/me/cancel/", registration_cancel, name="registration-cancel"),
    path("<slug:slug>/me/seats/<int:pk>/cancel/", seat_cancel, name="seat-cancel"),
    path("<slug:slug>/badge/", badge, name="badge"),
    path("<slug:slug>/badge/qr.svg", badge_qr, name="badge-qr"),
]
