"""Fair pages: exports (registrations and check-ins as Excel for organisers, the agenda as
iCalendar for everyone). Thin: the selectors load, ``xiqia.fair.exports`` writes the file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from xiqia.accounts import access
from xiqia.fair import exports, selectors
from xiqia.fair.policies import runs_fairs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_organiser(request: HttpRequest) -> None:
    if not runs_fairs(access.principal_for(request.user)):
        raise PermissionDenied


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
@never_cache  # personal data: no shared or browser cache keeps a copy
def registrations_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    """The fair's registrations as an Excel workbook (organisers and administrators)."""
    _require_organiser(request)
    fair = selectors.fair_get(who=request, slug=slug)
    registrations = selectors.registration_list(who=request, fair=fair)
    return _attachment(
        exports.registrations_workbook(registrations), XLSX, f"{fair.slug}-registrations.xlsx"
    )


@require_GET
@login_required
@never_cache
def checkins_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    """The fair's check-ins as an Excel workbook, earliest first (organisers and administrators)."""
    _require_organiser(request)
    fair = selectors.fair_get(who=request, slug=slug)
    checkins = selectors.checkin_list(who=request, fair=fair).order_by("scanned_at", "pk")
    return _attachment(exports.checkins_workbook(checkins), XLSX, f"{fair.slug}-checkins.xlsx")


@require_GET
def agenda_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """The fair's published programme as an iCalendar file, for anyone who may see the fair."""
    fair = selectors.fair_get(who=request, slug=slug)
    events = selectors.agenda(who=request, fair=fair).filter(is_published=True)
    return _attachment(
        exports.agenda_calendar(fair, events),
        "text/calendar; charset=utf-8",
        f"{fair.slug}-agenda.ics",
    )


urlpatterns: list[URLPattern] = [
    path("<slug:slug>/registrations.xlsx", registrations_xlsx, name="registrations-xlsx"),
    path("<slug:slug>/checkins.xlsx", checkins_xlsx, name="checkins-xlsx"),
    path("<slug:slug>/agenda.ics", agenda_ics, name="agenda-ics"),
]
