"""Matchmaking pages: profile, recommendations, requests, agenda (+ .ics), notices, and the
organiser's slots, tables, schedule and dashboard. Thin: forms parse, services write."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiqia.accounts import access
from xiqia.core.errors import DomainError
from xiqia.fair import selectors as fair_selectors
from xiqia.fair.models import Fair, Registration, RegistrationStatus
from xiqia.fair.policies import runs_fairs
from xiqia.fair.views.public import refusal_message
from xiqia.matchmaking import exports, selectors, services
from xiqia.matchmaking.forms import (
    LateArrivalForm,
    OutcomeForm,
    ProfileForm,
    ProposalPolicyForm,
    ProposeForm,
    RequestForm,
    SlotSeriesForm,
    TablesForm,
)
from xiqia.matchmaking.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    PlanStatus,
    Profile,
    RequestStatus,
    SchedulePlan,
    Table,
)

REFUSALS = (DomainError, ValidationError, PermissionDenied)


def _fair(request: HttpRequest, slug: str) -> Fair:
    return fair_selectors.fair_get(who=request, slug=slug)


def _my_profile(request: HttpRequest, fair: Fair) -> Profile:
    """Return the signed-in person's profile, or send them to make one."""
    profile = selectors.profile_of(request.user, fair)
    if profile is None:
        raise _NoProfile
    return profile


class _NoProfile(Exception):
    pass


def _organiser(request: HttpRequest) -> None:
    if not runs_fairs(access.principal_for(request.user)):
        raise PermissionDenied


def _refuse(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, refusal_message(exc))


def _participant(view: Any) -> Any:
    """A page for a participant with a profile: without one, go to the profile form."""

    @login_required
    def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, slug, *args, **kwargs)
        except _NoProfile:
            messages.info(request, _("First tell others what you offer and seek."))
            return redirect("matchmaking:profile", slug=slug)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Go to matchmaking at the newest fair the person takes part in (or the newest fair)."""
    registration = (
        Registration.objects.filter(person=request.user, status=RegistrationStatus.APPROVED)
        .select_related("fair")
        .order_by("-fair__starts_on")
        .first()
    )
    fair = registration.fair if registration else fair_selectors.fair_list(who=request).first()
    if fair is None:
        raise Http404
    if registration is None and runs_fairs(access.principal_for(request.user)):
        return redirect("matchmaking:organise", slug=fair.slug)
    return redirect("matchmaking:recommendations", slug=fair.slug)


# Profile ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    registration = Registration.objects.filter(fair=fair, person=request.user).first()
    profile = selectors.profile_of(request.user, fair)
    form = ProfileForm(request.POST or None, fair=fair, profile=profile)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if registration is None:
                raise DomainError(
                    _("Only approved participants of the fair take part in matchmaking."),
                    code="not_participating",
                )
            services.profile_update(
                registration=registration,
                actor=request.user,
                role=data["role"],
                industries=data["industries"],
                offers=data["offers"],
                seeks=data["seeks"],
                offers_text=data["offers_text"],
                seeks_text=data["seeks_text"],
                investment_size=data["investment_size"],
                regions=data["regions"],
                languages=data["languages"],
                is_visible=data["is_visible"],
                windows=form.windows(),
            )
        except REFUSALS as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("Your matchmaking profile is saved."))
            return redirect("matchmaking:recommendations", slug=fair.slug)
    return render(
        request,
        "matchmaking/profile.html",
        {"fair": fair, "form": form, "profile": profile, "registration": registration},
    )


# Recommendations and requests ------------------------------------------------------------------


@_participant
def recommendations(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    profile = _my_profile(request, fair)
    return render(
        request,
        "matchmaking/recommendations.html",
        {
            "fair": fair,
            "profile": profile,
            "suggestions": selectors.recommendations(profile, limit=20),
            "request_form": RequestForm(),
            "tab": "recommendations",
        },
    )


def _other(request: HttpRequest, fair: Fair, pk: int) -> Profile:
    return access.get_object(
        request,
        Profile.objects.select_related(*selectors.PROFILE_RELATED),
        pk=pk,
        registration__fair=fair,
    )


@_participant
@require_POST
def hide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    fair = _fair(request, slug)
    profile = _my_profile(request, fair)
    other = _other(request, fair, pk)
    try:
        services.hide(profile=profile, hidden=other, actor=request.user)
    except REFUSALS as exc:
        _refuse(request, exc)
    if request.htmx:
        return HttpResponse("")  # the card disappears
    messages.success(request, _("%(name)s is hidden.") % {"name": other.display_name})
    return redirect("matchmaking:recommendations", slug=slug)


@_participant
@require_POST
def request_send(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    fair = _fair(request, slug)
    profile = _my_profile(request, fair)
    other = _other(request, fair, pk)
    form = RequestForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.request_send(
                sender=profile,
                recipient=other,
                actor=request.user,
                message=form.cleaned_data["message"],
            )
        except REFUSALS as exc:
            error = refusal_message(exc)
    else:
        error = _("Check the message.")
    if request.htmx:
        return render(
            request,
            "matchmaking/_request_sent.html",
            {"other": other, "error": error},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("Your request went to %(name)s.") % {"name": other.display_name}
        )
    return redirect("matchmaking:recommendations", slug=slug)


@_participant
def requests(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    profile = _my_profile(request, fair)
    return render(
        request,
        "matchmaking/requests.html",
        {
            "fair": fair,
            "profile": profile,
            "incoming": selectors.requests_incoming(profile),
            "outgoing": selectors.requests_outgoing(profile),
            "tab": "requests",
        },
    )


@_participant
@require_POST
def request_answer(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    fair = _fair(request, slug)
    _my_profile(request, fair)
    found = access.get_object(
        request, MeetingRequest.objects.all(), pk=pk, sender__registration__fair=fair
    )
    service = {
        "accept": services.request_accept,
        "decline": services.request_decline,
        "withdraw": services.request_withdraw,
    }.get(action)
    if service is None:
        raise Http404
    try:
        result = service(request=found, actor=request.user)
    except REFUSALS as exc:
        _refuse(request, exc)
    else:
        done = {
            "accept": _("Accepted: the meeting will be scheduled."),
            "decline": _("Declined."),
            "withdraw": _("Withdrawn."),
        }[action]
        if action == "accept" and result is None:
            done = _("Accepted: the meeting is made once the other side accepts too.")
        messages.success(request, done)
    return redirect("matchmaking:requests", slug=slug)


# Agenda ----------------------------------------------------------------------------------------


@_participant
def agenda(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    profile = _my_profile(request, fair)
    meetings = list(selectors.agenda(profile))
    for meeting in meetings:
        meeting.other = meeting.counterpart(profile)  # type: ignore[attr-defined]
        meeting.my_side = meeting.side(profile)  # type: ignore[attr-defined]
        meeting.me_checked_in = getattr(meeting, f"{meeting.my_side}_checked_in_at")  # type: ignore[attr-defined]
    return render(
        request,
        "matchmaking/agenda.html",
        {
            "fair": fair,
            "profile": profile,
            "placed": [m for m in meetings if m.is_placed],
            "waiting": [m for m in meetings if not m.is_placed],
            "outcome_form": OutcomeForm(),
            "now": timezone.now(),
            "tab": "agenda",
        },
    )


@require_GET
@_participant
@never_cache
def agenda_ics(request: HttpRequest, slug: str) -> HttpResponse:
    fair = _fair(request, slug)
    profile = _my_profile(request, fair)
    response = HttpResponse(
        exports.agenda_calendar(profile, selectors.agenda(profile)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{fair.slug}-meetings.ics"'
    return response


def _meeting(request: HttpRequest, fair: Fair, pk: int) -> Meeting:
    return access.get_object(
        request,
        Meeting.objects.select_related("a__registration", "b__registration"),
        pk=pk,
        fair=fair,
    )


@_participant
@require_POST
def meeting_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    fair = _fair(request, slug)
    profile = _my_profile(request, fair)
    meeting = _meeting(request, fair, pk)
    try:
        if action == "cancel":
            services.meeting_cancel(
                meeting=meeting, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("The meeting is cancelled; the other side is told."))
        elif action == "check-in":
            services.meeting_check_in(meeting=meeting, profile=profile, actor=request.user)
            messages.success(request, _("You are checked in."))
        elif action == "outcome":
            form = OutcomeForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose an outcome."))
            services.meeting_outcome_record(
                meeting=meeting,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("The outcome is recorded."))
        else:
            raise Http404
    except REFUSALS as exc:
        _refuse(request, exc)
    return redirect("matchmaking:agenda", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def table_check_in(request: HttpRequest, key: str) -> HttpResponse:
    """The page a table's QR code opens: check in to your meeting at this table now."""
    table = get_object_or_404(Table.objects.select_related("fair", "room"), check_in_key=key)
    meeting = None
    if request.method == "POST":
        try:
            meeting = services.table_check_in(table_key=table.check_in_key, actor=request.user)
        except REFUSALS as exc:
            _refuse(request, exc)
        else:
            messages.success(request, _("You are checked in."))
    return render(request, "matchmaking/table_check_in.html", {"table": table, "meeting": meeting})


# Notifications ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("matchmaking:notifications")
    return render(
        request,
        "matchmaking/notifications.html",
        {"notices": selectors.notifications(request.user)[:100]},
    )


# Organiser -------------------------------------------------------------------------------------


@login_required
def organise(request: HttpRequest, slug: str) -> HttpResponse:
    """The organiser's dashboard: requests, meetings, no-shows, busiest slots."""
    _organiser(request)
    fair = _fair(request, slug)
    figures = selectors.figures(fair)
    chart = {
        "name": _("Meetings placed"),
        "labels": [str(slot) for slot, _n in figures.busiest],
        "values": [n for _slot, n in figures.busiest],
    }
    funnel = {
        "name": _("Count"),
        "labels": [
            _("Requests sent"),
            _("Requests accepted"),
            _("Meetings placed"),
            _("Meetings held"),
        ],
        "values": [
            figures.requests_sent,
            figures.requests_accepted,
            figures.meetings_placed,
            figures.meetings_held,
        ],
    }
    return render(
        request,
        "matchmaking/organise.html",
        {
            "fair": fair,
            "figures": figures,
            "slot_chart": chart,
            "funnel_chart": funnel,
            "funnel": list(zip(funnel["labels"], funnel["values"], strict=True)),
            "busiest": sorted(figures.busiest, key=lambda pair: -pair[1])[:5],
            "tab": "dashboard",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest, slug: str) -> HttpResponse:
    """Slots and tables, preview and publish, cancellations and late arrivals."""
    _organiser(request)
    fair = _fair(request, slug)
    slot_form = SlotSeriesForm(fair=fair, prefix="slots")
    tables_form = TablesForm(prefix="tables")
    late_form = LateArrivalForm(fair=fair, prefix="late")
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "slots":
                slot_form = SlotSeriesForm(request.POST, fair=fair, prefix="slots")
                if slot_form.is_valid():
                    for begins, ends in slot_form.spans():
                        services.slot_create(
                            fair=fair, starts_at=begins, ends_at=ends, actor=request.user
                        )
                    messages.success(request, _("Slots added."))
                    return redirect("matchmaking:schedule", slug=slug)
            elif action == "tables":
                tables_form = TablesForm(request.POST, prefix="tables")
                if tables_form.is_valid():
                    start = Table.objects.filter(fair=fair).count()
                    for n in range(start + 1, start + tables_form.cleaned_data["count"] + 1):
                        services.table_create(
                            fair=fair,
                            code=f"T{n:02d}",
                            seats=tables_form.cleaned_data["seats"],
                            actor=request.user,
                        )
                    messages.success(request, _("Tables added."))
                    return redirect("matchmaking:schedule", slug=slug)
            elif action == "preview":
                plan = services.schedule_preview(fair=fair, actor=request.user)
                messages.success(
                    request,
                    _("Preview: placed %(placed)s of at most %(bound)s meetings.")
                    % {"placed": plan.placed, "bound": plan.upper_bound},
                )
                return redirect("matchmaking:schedule", slug=slug)
            elif action == "publish":
                plan = get_object_or_404(SchedulePlan, pk=request.POST.get("plan"), fair=fair)
                applied = services.schedule_publish(plan=plan, actor=request.user)
                messages.success(
                    request,
                    _("Published: %(n)s people were notified.") % {"n": applied.notified},
                )
                return redirect("matchmaking:schedule", slug=slug)
            elif action == "late":
                late_form = LateArrivalForm(request.POST, fair=fair, prefix="late")
                if late_form.is_valid():
                    result = services.participant_late_arrival(
                        profile=late_form.cleaned_data["profile"],
                        arrives_at=late_form.cleaned_data["arrives_at"],
                        actor=request.user,
                    )
                    messages.success(request, _replanned(result))
                    return redirect("matchmaking:schedule", slug=slug)
            elif action == "cancel":
                meeting = _meeting(request, fair, int(request.POST.get("meeting", 0)))
                result = services.meeting_cancel(
                    meeting=meeting, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _replanned(result))
                return redirect("matchmaking:schedule", slug=slug)
            else:
                raise Http404
        except REFUSALS as exc:
            _refuse(request, exc)
    slots, tables = selectors.slots_and_tables(fair)
    plans = SchedulePlan.objects.filter(fair=fair)
    meetings = selectors.meeting_list(request).filter(fair=fair, status=MeetingStatus.PUBLISHED)
    who = request.GET.get("who", "").strip()
    if who:
        meetings = meetings.filter(
            Q(a__registration__person__full_name__icontains=who)
            | Q(b__registration__person__full_name__icontains=who)
        )
    meetings = meetings.order_by("slot__starts_at", "table__code")[:200]
    return render(
        request,
        "matchmaking/schedule.html",
        {
            "fair": fair,
            "slots": slots,
            "tables": tables,
            "slot_form": slot_form,
            "tables_form": tables_form,
            "late_form": late_form,
            "preview": plans.filter(status=PlanStatus.PREVIEW).first(),
            "published": plans.filter(status=PlanStatus.PUBLISHED).first(),
            "meetings": meetings,
            "who": who,
            "pending": Meeting.objects.filter(fair=fair, status=MeetingStatus.DRAFT).count(),
            "open_requests": MeetingRequest.objects.filter(
                sender__registration__fair=fair, status=RequestStatus.PENDING
            ).count(),
            "tab": "schedule",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposals(request: HttpRequest, slug: str) -> HttpResponse:
    """The organiser proposes meetings, sets what a proposal becomes, and follows the answers."""
    _organiser(request)
    fair = _fair(request, slug)
    limits = services.settings_for(fair)
    form = ProposeForm(fair=fair, prefix="propose")
    policy_form = ProposalPolicyForm(
        prefix="policy", initial={"organiser_proposals": limits.organiser_proposals}
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "propose":
                form = ProposeForm(request.POST, fair=fair, prefix="propose")
                if form.is_valid():
                    proposal = services.organiser_propose(actor=request.user, **form.cleaned_data)
                    done = _("Proposed: both participants are asked to accept.")
                    if proposal.status == RequestStatus.ACCEPTED:
                        done = _("Arranged: the meeting waits for the schedule.")
                    messages.success(request, done)
                    return redirect("matchmaking:proposals", slug=slug)
            elif action == "policy":
                policy_form = ProposalPolicyForm(request.POST, prefix="policy")
                if policy_form.is_valid():
                    services.settings_update(
                        fair=fair,
                        actor=request.user,
                        max_open_requests=limits.max_open_requests,
                        max_meetings=limits.max_meetings,
                        **policy_form.cleaned_data,
                    )
                    messages.success(request, _("Saved."))
                    return redirect("matchmaking:proposals", slug=slug)
            elif action == "withdraw":
                found = get_object_or_404(
                    MeetingRequest,
                    pk=request.POST.get("request"),
                    sender__registration__fair=fair,
                    proposed_by_organiser=True,
                )
                services.request_withdraw(request=found, actor=request.user)
                messages.success(request, _("Withdrawn."))
                return redirect("matchmaking:proposals", slug=slug)
            else:
                raise Http404
        except REFUSALS as exc:
            _refuse(request, exc)
    return render(
        request,
        "matchmaking/proposals.html",
        {
            "fair": fair,
            "form": form,
            "policy_form": policy_form,
            "proposals": selectors.proposals(fair)[:100],
            "tab": "proposals",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, slug: str) -> HttpResponse:
    """Meetings whose time has passed without both sides checking in: mark the no-shows."""
    _organiser(request)
    fair = _fair(request, slug)
    if request.method == "POST":
        meeting = _meeting(request, fair, int(request.POST.get("meeting", 0) or 0))
        try:
            services.meeting_no_show(meeting=meeting, actor=request.user)
        except REFUSALS as exc:
            _refuse(request, exc)
        else:
            messages.success(request, _("Marked as a no-show."))
        return redirect("matchmaking:attendance", slug=slug)
    return render(
        request,
        "matchmaking/attendance.html",
        {
            "fair": fair,
            "figures": selectors.figures(fair),
            "meetings": selectors.meetings_without_attendance(fair, timezone.now())[:300],
            "tab": "attendance",
        },
    )


@login_required
@require_GET
def table_sheet(request: HttpRequest, slug: str) -> HttpResponse:
    """A printable sheet: one QR code per table, opening that table's check-in page."""
    _organiser(request)
    fair = _fair(request, slug)
    tables = []
    for table in Table.objects.filter(fair=fair, is_active=True).select_related("room"):
        link = request.build_absolute_uri(
            reverse("matchmaking:table-check-in", args=[table.check_in_key])
        )
        code = segno.make(link, error="m", micro=False)
        tables.append({"table": table, "link": link, "svg": code.svg_inline(scale=4, border=2)})
    context = {"fair": fair, "tables": tables, "tab": "attendance"}
    response = render(request, "matchmaking/table_sheet.html", context)
    response["Cache-Control"] = "private, no-store"  # the codes let anyone check in at a table
    return response


def _replanned(result: services.Replanned) -> str:
    if result.plan is None:
        return _("Done. No schedule is published yet, so nothing was re-planned.")
    return _(
        "Re-planned: %(placed)s newly placed, %(moved)s moved, %(unplaced)s left out; "
        "%(notified)s notices sent."
    ) % {
        "placed": result.applied.placed,
        "moved": result.applied.moved,
        "unplaced": result.applied.unplaced,
        "notified": result.applied.notified,
    }
