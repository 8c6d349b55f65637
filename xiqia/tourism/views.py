"""Tourism pages: campaigns, claiming on a phone, my vouchers with their QR, the cashier's till."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xiqia.core.errors import DomainError, add_to_form
from xiqia.tourism import selectors, services
from xiqia.tourism.forms import ClaimForm, RedeemForm
from xiqia.tourism.models import AllocationMode
from xiqia.tourism.ratelimits import claim_wait

REFUSALS = (DomainError, ValidationError, PermissionDenied)


def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = list(selectors.campaign_list(who=request))
    return render(
        request,
        "tourism/campaign_list.html",
        {"campaigns": campaigns, "now": timezone.now()},
    )


@require_http_methods(["GET", "POST"])
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Show a campaign; a signed-in person claims a voucher on it (first come, first served)."""
    campaign = selectors.campaign_get(who=request, slug=slug)
    status = 200
    form = ClaimForm(campaign=campaign)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{_login_url()}?next={request.path}")
        form = ClaimForm(request.POST, campaign=campaign)
        wait = claim_wait(request)
        if wait is not None:
            status = 429
            form.add_error(
                None,
                _("Too many attempts. Try again in %(seconds)s seconds.")
                % {"seconds": int(wait) + 1},
            )
        elif form.is_valid():
            try:
                voucher = services.voucher_claim(
                    campaign=campaign,
                    holder=request.user,
                    actor=request.user,
                    **form.cleaned_data,
                )
            except PermissionDenied:
                status = 403
                form.add_error(None, _("You may not do this."))
            except (DomainError, ValidationError) as exc:
                status = getattr(exc, "status", 400)
                add_to_form(form, exc)
            else:
                messages.success(request, _("Your voucher is ready. Show its QR code to pay."))
                return redirect("tourism:voucher-detail", code=voucher.code)
        else:
            status = 400
    now = timezone.now()
    return render(
        request,
        "tourism/campaign_detail.html",
        {
            "campaign": campaign,
            "form": form,
            "claim_open": campaign.claim_open(now)
            and campaign.allocation_mode == AllocationMode.FCFS,
            "now": now,
        },
        status=status,
    )


def _login_url() -> str:
    from django.conf import settings
    from django.shortcuts import resolve_url

    return resolve_url(settings.LOGIN_URL)


@login_required
def my_vouchers(request: HttpRequest) -> HttpResponse:
    vouchers = list(selectors.my_vouchers(user=request.user))
    return render(
        request, "tourism/my_vouchers.html", {"vouchers": vouchers, "now": timezone.now()}
    )


@login_required
def voucher_detail(request: HttpRequest, code: str) -> HttpResponse:
    voucher = selectors.voucher_get_own(user=request.user, code=code)
    return render(
        request,
        "tourism/voucher_detail.html",
        {"voucher": voucher, "campaign": voucher.campaign, "now": timezone.now()},
    )


@login_required
def voucher_qr(request: HttpRequest, code: str) -> HttpResponse:
    """Return the voucher's QR code as SVG: its code only, no name or ID number."""
    voucher = selectors.voucher_get_own(user=request.user, code=code)
    buffer = io.BytesIO()
    segno.make(voucher.code, error="m", micro=False).save(
        buffer, kind="svg", scale=4, border=4, xmldecl=False, svgclass="voucher-qr-code"
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest) -> HttpResponse:
    """The cashier's page: scan or type a voucher's code, enter the spend, redeem once."""
    merchants = selectors.till_merchants(user=request.user)
    if not merchants.exists():
        raise PermissionDenied
    result: dict[str, Any] | None = None
    status = 200
    initial = {"merchant": request.session.get("tourism_till")}
    form = RedeemForm(initial=initial, merchants=merchants)
    if request.method == "POST":
        form = RedeemForm(request.POST, merchants=merchants)
        if form.is_valid():
            merchant = form.cleaned_data["merchant"]
            request.session["tourism_till"] = merchant.pk
            try:
                voucher = services.voucher_redeem(
                    code=form.cleaned_data["code"],
                    merchant=merchant,
                    spend=form.cleaned_data["spend"],
                    actor=request.user,
                )
            except REFUSALS as exc:
                status = getattr(exc, "status", 403 if isinstance(exc, PermissionDenied) else 400)
                message = (
                    str(exc.message)
                    if isinstance(exc, DomainError)
                    else " ".join(getattr(exc, "messages", [_("You may not do this.")]))
                )
                result = {"ok": False, "message": message, "code": getattr(exc, "code", "")}
            else:
                result = {"ok": True, "voucher": voucher}
                form = RedeemForm(initial={"merchant": merchant.pk}, merchants=merchants)
        else:
            status = 400
    return render(request, "tourism/redeem.html", {"form": form, "result": result}, status=status)


urlpatterns = [
    path("", campaign_list, name="campaign-list"),
    path("campaigns/<slug:slug>/", campaign_detail, name="campaign-detail"),
    path("vouchers/", my_vouchers, name="my-vouchers"),
    path("vouchers/<str:code>/", voucher_detail, name="voucher-detail"),
    path("vouchers/<str:code>/qr.svg", voucher_qr, name="voucher-qr"),
    path("redeem/", redeem, name="redeem"),
]
