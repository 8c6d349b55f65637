"""Tourism pages: campaigns, claiming on a phone, my vouchers with their QR, the cashier's till."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xiqia.accounts import access
from xiqia.core.errors import DomainError, add_to_form
from xiqia.core.origin import includes_generated
from xiqia.tourism import exports, lottery, selectors, services
from xiqia.tourism.forms import ClaimForm, DiscountDecisionForm, RedeemForm
from xiqia.tourism.models import (
    AllocationMode,
    DiscountDecision,
    LotteryEntry,
    ScenicSpot,
    Voucher,
)
from xiqia.tourism.ratelimits import claim_wait

REFUSALS = (DomainError, ValidationError, PermissionDenied)


def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = list(selectors.campaign_list(who=request))
    spots = list(
        access.scope(request, ScenicSpot.objects.select_related("region"))
        .prefetch_related("discount_policies")
        .order_by("region__code", "name_zh")
    )
    return render(
        request,
        "tourism/campaign_list.html",
        {"campaigns": campaigns, "spots": spots, "now": timezone.now()},
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
                voucher = _claim_from_page(request, campaign, form.cleaned_data)
            except PermissionDenied:
                status = 403
                form.add_error(None, _("You may not do this."))
            except (DomainError, ValidationError) as exc:
                status = getattr(exc, "status", 400)
                if getattr(exc, "code", "") == "request_in_flight":
                    exc = DomainError(
                        _("Your claim is still being processed. Look in My vouchers in a moment.")
                    )
                add_to_form(form, exc)
            else:
                messages.success(request, _("Your voucher is ready. Show its QR code to pay."))
                return redirect("tourism:voucher-detail", code=voucher.code)
        else:
            status = 400
    return _campaign_page(request, campaign, form, status)


def _claim_from_page(request: HttpRequest, campaign: Any, data: dict[str, Any]) -> Voucher:
    """Claim as the API does (the same service, through the Redis gate when it is on), with an
    Idempotency-Key made of the form's key and the details sent: the same details sent twice
    from one form give the one claim back; other details from it are another claim."""
    data = dict(data)
    form_key = data.pop("claim_key", "") or uuid.uuid4().hex
    region = data.get("residence_region")
    request_hash = services.claim_request_hash(
        campaign=campaign, body={**data, "residence_region": region.code if region else ""}
    )
    voucher, _replayed = services.voucher_claim_idempotent(
        key=f"page:{form_key}:{request_hash[:16]}",
        request_hash=request_hash,
        holder=request.user,
        campaign=campaign,
        **data,
    )
    return voucher


def _campaign_page(
    request: HttpRequest, campaign: Any, form: ClaimForm, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    lottery_mode = campaign.allocation_mode == AllocationMode.LOTTERY
    entry = voucher = None
    if lottery_mode and request.user.is_authenticated:
        entry = LotteryEntry.objects.filter(campaign=campaign, holder=request.user).first()
        voucher = Voucher.objects.filter(campaign=campaign, holder=request.user).first()
    return render(
        request,
        "tourism/campaign_detail.html",
        {
            "campaign": campaign,
            "form": form,
            "lottery": lottery_mode,
            "claim_open": campaign.claim_open(now) and not campaign.entrants_frozen_at,
            "entry": entry,
            "voucher": voucher,
            "may_run": access.allows(request, access.Action.CHANGE, campaign),
            "now": now,
        },
        status=status,
    )


@login_required
@require_POST
def lottery_enter(request: HttpRequest, slug: str) -> HttpResponse:
    """Register for a lottery campaign's draw."""
    campaign = selectors.campaign_get(who=request, slug=slug)
    form = ClaimForm(request.POST, campaign=campaign)
    status = 400
    wait = claim_wait(request)
    if wait is not None:
        status = 429
        form.add_error(
            None,
            _("Too many attempts. Try again in %(seconds)s seconds.") % {"seconds": int(wait) + 1},
        )
    elif form.is_valid():
        try:
            services.lottery_register(
                campaign=campaign, holder=request.user, actor=request.user, **form.cleaned_data
            )
        except PermissionDenied:
            status = 403
            form.add_error(None, _("You may not do this."))
        except (DomainError, ValidationError) as exc:
            status = getattr(exc, "status", 400)
            add_to_form(form, exc)
        else:
            messages.success(request, _("You are registered for the draw."))
            return redirect("tourism:campaign-detail", slug=campaign.slug)
    return _campaign_page(request, campaign, form, status)


@login_required
@require_POST
def lottery_claim(request: HttpRequest, slug: str) -> HttpResponse:
    """A winner takes their voucher."""
    campaign = selectors.campaign_get(who=request, slug=slug)
    entry = get_object_or_404(LotteryEntry, campaign=campaign, holder=request.user)
    try:
        voucher = services.lottery_claim(entry=entry, actor=request.user)
    except (DomainError, ValidationError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or _("You may not do this."))
        return redirect("tourism:campaign-detail", slug=campaign.slug)
    messages.success(request, _("Your voucher is ready. Show its QR code to pay."))
    return redirect("tourism:voucher-detail", code=voucher.code)


def lottery_entrants(request: HttpRequest, slug: str) -> HttpResponse:
    """The frozen entrant list, one public code per line: with the seed, anyone redraws."""
    campaign = selectors.campaign_get(who=request, slug=slug)
    if not campaign.entrants_frozen_at:
        raise Http404
    codes = LotteryEntry.objects.filter(campaign=campaign).values_list("code", flat=True)
    response = HttpResponse(lottery.entrants_text(codes), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{campaign.slug}-entrants.txt"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def lottery_run(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisers' page: publish the seed hash, freeze the entrants, draw."""
    campaign = selectors.campaign_get(who=request, slug=slug)
    access.require(request, access.Action.CHANGE, campaign)
    error = ""
    status = 200
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "hash":
                services.lottery_publish_seed_hash(
                    campaign=campaign,
                    seed_hash=request.POST.get("seed_hash", ""),
                    actor=request.user,
                )
            elif step == "freeze":
                services.lottery_freeze(campaign=campaign, actor=request.user)
            elif step == "draw":
                services.lottery_draw(
                    campaign=campaign, seed=request.POST.get("seed", ""), actor=request.user
                )
            else:
                raise ValidationError(_("Choose a step."))
        except (DomainError, ValidationError) as exc:
            status = getattr(exc, "status", 400)
            error = str(exc.message) if isinstance(exc, DomainError) else " ".join(exc.messages)
        else:
            return redirect("tourism:lottery-run", slug=campaign.slug)
        campaign.refresh_from_db()
    entries = LotteryEntry.objects.filter(campaign=campaign)
    return render(
        request,
        "tourism/lottery_run.html",
        {
            "campaign": campaign,
            "error": error,
            "entrants": entries.count(),
            "winners": entries.filter(won=True).count(),
            "now": timezone.now(),
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


# Personal data: the campaign's holders, masked; an unmasked view is audited ---------------------


@login_required
@require_http_methods(["GET", "POST"])
def campaign_vouchers(request: HttpRequest, slug: str) -> HttpResponse:
    """Those who run a campaign list its vouchers (masked) and may reveal one number, logged."""
    campaign = selectors.campaign_get(who=request, slug=slug)
    access.require(request, access.Action.CHANGE, campaign)
    revealed: dict[str, Any] | None = None
    error = ""
    status = 200
    if request.method == "POST":
        voucher = get_object_or_404(Voucher, campaign=campaign, code=request.POST.get("code", ""))
        try:
            number = services.voucher_reveal_id_number(
                voucher=voucher, actor=request.user, reason=request.POST.get("reason", "")
            )
        except (DomainError, ValidationError) as exc:
            status = 400
            error = str(exc.message) if isinstance(exc, DomainError) else " ".join(exc.messages)
        else:
            revealed = {"code": voucher.code, "number": number}
    page = selectors.campaign_vouchers(campaign=campaign, q_code=request.GET.get("code", ""))[:200]
    response = render(
        request,
        "tourism/campaign_vouchers.html",
        {"campaign": campaign, "vouchers": page, "revealed": revealed, "error": error},
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Resident discounts at a spot's gate -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def spot_gate(request: HttpRequest, pk: int) -> HttpResponse:
    """Gate staff record a resident-discount decision: proof class, district, time, gate."""
    spot = access.get_object(
        request, ScenicSpot.objects.select_related("region"), access.Action.CHANGE, pk=pk
    )
    form = DiscountDecisionForm(spot=spot, initial={"gate": request.session.get("tourism_gate")})
    decision = None
    status = 200
    if request.method == "POST":
        form = DiscountDecisionForm(request.POST, spot=spot)
        if form.is_valid():
            try:
                decision = services.discount_decide(actor=request.user, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                status = 400
                add_to_form(form, exc)
            else:
                request.session["tourism_gate"] = decision.gate
                form = DiscountDecisionForm(
                    spot=spot, initial={"gate": decision.gate, "policy": decision.policy_id}
                )
        else:
            status = 400
    recent = (
        DiscountDecision.objects.filter(policy__spot=spot)
        .select_related("region", "policy")
        .order_by("-decided_at", "-pk")[:20]
    )
    return render(
        request,
        "tourism/spot_gate.html",
        {"spot": spot, "form": form, "decision": decision, "recent": recent},
        status=status,
    )


# Reconciliation --------------------------------------------------------------------------------


def _bars(name: str, rows: list[dict[str, Any]], label: str, value: str) -> dict[str, Any]:
    return {
        "name": name,
        "labels": [str(row[label]) for row in rows],
        "values": [
            float(row[value]) if isinstance(row[value], Decimal) else row[value] for row in rows
        ],
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Issued, redeemed, expired and value per campaign, district, merchant and day."""
    campaigns = selectors.reconciliation_campaigns(who=request)
    figures = selectors.reconciliation(campaigns=campaigns)
    return render(
        request,
        "tourism/dashboard.html",
        {
            **figures,
            # Figures summed over generated claims are generated too, and marked like them.
            "generated": includes_generated(Voucher.objects.filter(campaign__in=campaigns)),
            "campaign_chart": _bars(
                _("Vouchers redeemed"), figures["per_campaign"], "name", "redeemed"
            ),
            "merchant_chart": _bars(
                _("Amount due (yuan)"), figures["per_merchant"][:15], "name", "value"
            ),
            "day_chart": _bars(_("Vouchers claimed"), figures["per_day"], "day", "claimed"),
        },
    )


@login_required
def settlement(request: HttpRequest, slug: str) -> HttpResponse:
    """The settlement workbook of a campaign (all merchants, or ``?merchant=<id>``)."""
    campaign = get_object_or_404(selectors.reconciliation_campaigns(who=request), slug=slug)
    merchant = None
    if request.GET.get("merchant", "").isdigit():
        merchant = get_object_or_404(campaign.merchants.all(), pk=int(request.GET["merchant"]))
    rows = selectors.settlement_rows(campaign=campaign, merchant=merchant)
    content = exports.settlement_workbook(campaign, rows)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    suffix = f"-{merchant.pk}" if merchant else ""
    response["Content-Disposition"] = (
        f'attachment; filename="{campaign.slug}-settlement{suffix}.xlsx"'
    )
    return response


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("campaigns/<slug:slug>/settlement.xlsx", settlement, name="settlement"),
    path("campaigns/<slug:slug>/vouchers/", campaign_vouchers, name="campaign-vouchers"),
    path("", campaign_list, name="campaign-list"),
    path("campaigns/<slug:slug>/", campaign_detail, name="campaign-detail"),
    path("campaigns/<slug:slug>/enter/", lottery_enter, name="lottery-enter"),
    path("campaigns/<slug:slug>/entry/claim/", lottery_claim, name="lottery-claim"),
    path("campaigns/<slug:slug>/entrants.txt", lottery_entrants, name="lottery-entrants"),
    path("campaigns/<slug:slug>/draw/", lottery_run, name="lottery-run"),
    path("vouchers/", my_vouchers, name="my-vouchers"),
    path("vouchers/<str:code>/", voucher_detail, name="voucher-detail"),
    path("vouchers/<str:code>/qr.svg", voucher_qr, name="voucher-qr"),
    path("redeem/", redeem, name="redeem"),
    path("spots/<int:pk>/gate/", spot_gate, name="spot-gate"),
]
