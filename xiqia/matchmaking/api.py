"""Matchmaking API: profiles, recommendations, requests, meetings and the agenda.

Thin: input serializers validate, the services decide, output serializers present.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from xiqia.accounts import access
from xiqia.core.api import ScopedViewSetMixin
from xiqia.core.models import Region
from xiqia.directory.models import Industry
from xiqia.fair import selectors as fair_selectors
from xiqia.fair.models import Fair
from xiqia.matchmaking import selectors, services
from xiqia.matchmaking.models import (
    InvestmentSize,
    Language,
    Meeting,
    MeetingRequest,
    Need,
    Outcome,
    ParticipantRole,
    Profile,
    SchedulePlan,
)

FAIR_PARAM = OpenApiParameter("fair", str, description="the fair's slug", required=False)


class ProfileOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    organisation = serializers.CharField(source="organisation_label")
    fair = serializers.CharField(source="registration.fair.slug")
    industries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Profile
        fields = [
            "id",
            "fair",
            "name",
            "organisation",
            "role",
            "industries",
            "offers",
            "seeks",
            "offers_text",
            "seeks_text",
            "investment_size",
            "regions",
            "languages",
            "is_visible",
            "origin",
        ]


class ProfileInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=ParticipantRole.choices)
    industries = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Industry.objects.all(), required=False
    )
    offers = serializers.ListField(child=serializers.ChoiceField(Need.choices), required=False)
    seeks = serializers.ListField(child=serializers.ChoiceField(Need.choices), required=False)
    offers_text = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    seeks_text = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    investment_size = serializers.ChoiceField(
        choices=InvestmentSize.choices, required=False, allow_blank=True
    )
    regions = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Region.objects.current(), required=False
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(Language.choices), required=False
    )
    is_visible = serializers.BooleanField(required=False, default=True)


class ProfileViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Profiles you may see (your own; visible ones of your fairs). ``?fair=<slug>``.

    ``PUT /profiles/<id>/`` changes your own (organisers: anyone's).
    """

    serializer_class = ProfileOutput
    permission_classes = [permissions.IsAuthenticated]

    def base_queryset(self) -> Any:
        qs = Profile.objects.select_related(*selectors.PROFILE_RELATED).prefetch_related(
            "industries", "regions"
        )
        fair = self.request.query_params.get("fair")
        return qs.filter(registration__fair__slug=fair) if fair else qs

    @extend_schema(request=ProfileInput, responses=ProfileOutput)
    def update(self, request: Request, pk: str) -> Response:
        profile = self.get_object()
        data = ProfileInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.profile_update(
            registration=profile.registration, actor=request.user, **data.validated_data
        )
        return Response(ProfileOutput(self.base_queryset().get(pk=profile.pk)).data)


def _fair_param(request: Request) -> Fair:
    slug = request.query_params.get("fair")
    if not slug:
        raise Http404
    return fair_selectors.fair_get(who=request, slug=slug)


def _my_profile(request: Request, fair: Fair) -> Profile:
    profile = selectors.profile_of(request.user, fair)
    if profile is None:
        raise Http404
    return profile


class SuggestionOutput(serializers.Serializer):
    profile = ProfileOutput()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class RecommendationsView(APIView):
    """Your recommended counterparts at a fair, best first, with reasons in words."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[FAIR_PARAM], responses=SuggestionOutput(many=True))
    def get(self, request: Request) -> Response:
        profile = _my_profile(request, _fair_param(request))
        found = selectors.recommendations(profile, limit=20)
        return Response(SuggestionOutput(found, many=True).data)


class MeetingRequestOutput(serializers.ModelSerializer):
    sender = serializers.IntegerField(source="sender_id")
    recipient = serializers.IntegerField(source="recipient_id")
    sender_name = serializers.CharField(source="sender.display_name")
    recipient_name = serializers.CharField(source="recipient.display_name")

    class Meta:
        model = MeetingRequest
        fields = [
            "id",
            "sender",
            "sender_name",
            "recipient",
            "recipient_name",
            "message",
            "status",
            "proposed_by_organiser",
            "sender_agreed_at",
            "recipient_agreed_at",
            "created_at",
            "decided_at",
        ]


class RequestInput(serializers.Serializer):
    recipient = serializers.PrimaryKeyRelatedField(queryset=Profile.objects.all())
    message = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class ProposeInput(serializers.Serializer):
    sender = serializers.PrimaryKeyRelatedField(queryset=Profile.objects.all())
    recipient = serializers.PrimaryKeyRelatedField(queryset=Profile.objects.all())
    message = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class MeetingRequestViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Meeting requests you sent or received (organisers: all). ``?status=pending``.

    ``POST`` sends one from your profile at the recipient's fair; ``accept``, ``decline`` and
    ``withdraw`` answer it. ``POST propose/`` (organisers) proposes that two participants meet;
    an organiser's proposal needs both sides' ``accept`` unless the fair makes proposals
    accepted meetings at once.
    """

    serializer_class = MeetingRequestOutput
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status"]

    def base_queryset(self) -> Any:
        return MeetingRequest.objects.select_related(
            "sender__registration__person", "recipient__registration__person"
        )

    def _output(self, found: MeetingRequest, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            MeetingRequestOutput(self.base_queryset().get(pk=found.pk)).data, status=code
        )

    @extend_schema(request=RequestInput, responses={201: MeetingRequestOutput})
    def create(self, request: Request) -> Response:
        data = RequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        recipient = data.validated_data["recipient"]
        if not access.allows(request, access.Action.VIEW, recipient):
            raise Http404
        sender = _my_profile(request, recipient.registration.fair)
        created = services.request_send(
            sender=sender,
            recipient=recipient,
            actor=request.user,
            message=data.validated_data.get("message", ""),
        )
        return self._output(created, status.HTTP_201_CREATED)

    @extend_schema(request=ProposeInput, responses={201: MeetingRequestOutput})
    @action(detail=False, methods=["post"])
    def propose(self, request: Request) -> Response:
        data = ProposeInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.organiser_propose(actor=request.user, **data.validated_data)
        return self._output(created, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MeetingRequestOutput)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        services.request_accept(request=found, actor=request.user)
        return self._output(found)

    @extend_schema(request=None, responses=MeetingRequestOutput)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        services.request_decline(request=found, actor=request.user)
        return self._output(found)

    @extend_schema(request=None, responses=MeetingRequestOutput)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        services.request_withdraw(request=found, actor=request.user)
        return self._output(found)


class MeetingOutput(serializers.ModelSerializer):
    fair = serializers.CharField(source="fair.slug")
    a_name = serializers.CharField(source="a.display_name")
    b_name = serializers.CharField(source="b.display_name")
    starts_at = serializers.DateTimeField(source="slot.starts_at", allow_null=True)
    ends_at = serializers.DateTimeField(source="slot.ends_at", allow_null=True)
    table = serializers.CharField(source="table.code", allow_null=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "fair",
            "a",
            "a_name",
            "b",
            "b_name",
            "status",
            "starts_at",
            "ends_at",
            "table",
            "attendance",
            "outcome",
            "outcome_note",
            "deal",
        ]


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class OutcomeInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[c for c in Outcome.choices if c[0]])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class MeetingViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings you take part in (organisers: all). ``?fair=<slug>&status=published``.

    ``cancel`` (a published schedule is re-planned), ``check_in`` (your side), ``outcome``,
    ``no-show`` (organisers, after the slot).
    """

    serializer_class = MeetingOutput
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status"]

    def base_queryset(self) -> Any:
        qs = Meeting.objects.select_related(
            "fair", "slot", "table", "a__registration__person", "b__registration__person"
        )
        fair = self.request.query_params.get("fair")
        return qs.filter(fair__slug=fair) if fair else qs

    def _output(self, found: Meeting) -> Response:
        return Response(MeetingOutput(self.base_queryset().get(pk=found.pk)).data)

    @extend_schema(request=CancelInput, responses=MeetingOutput)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.meeting_cancel(
            meeting=found, actor=request.user, reason=data.validated_data.get("reason", "")
        )
        return self._output(found)

    @extend_schema(request=None, responses=MeetingOutput)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        mine = [p for p in (found.a, found.b) if p.registration.person_id == request.user.pk]
        if not mine:
            raise Http404
        services.meeting_check_in(meeting=found, profile=mine[0], actor=request.user)
        return self._output(found)

    @extend_schema(request=None, responses=MeetingOutput)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        services.meeting_no_show(meeting=found, actor=request.user)
        return self._output(found)

    @extend_schema(request=OutcomeInput, responses=MeetingOutput)
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        data = OutcomeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.meeting_outcome_record(
            meeting=found,
            actor=request.user,
            outcome=data.validated_data["outcome"],
            note=data.validated_data.get("note", ""),
        )
        return self._output(found)


class AgendaView(APIView):
    """Your meetings at a fair: placed ones by time, then those waiting for the schedule."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[FAIR_PARAM], responses=MeetingOutput(many=True))
    def get(self, request: Request) -> Response:
        profile = _my_profile(request, _fair_param(request))
        return Response(MeetingOutput(selectors.agenda(profile), many=True).data)


class PlanOutput(serializers.ModelSerializer):
    fair = serializers.CharField(source="fair.slug")
    share_of_bound = serializers.FloatField()

    class Meta:
        model = SchedulePlan
        fields = [
            "id",
            "fair",
            "kind",
            "status",
            "meetings_total",
            "placed",
            "upper_bound",
            "share_of_bound",
            "fcfs_placed",
            "moved",
            "solver_status",
            "solve_seconds",
            "created_at",
            "published_at",
        ]


class PreviewInput(serializers.Serializer):
    fair = serializers.SlugField()


class AppliedOutput(serializers.Serializer):
    placed = serializers.IntegerField()
    moved = serializers.IntegerField()
    unplaced = serializers.IntegerField()
    notified = serializers.IntegerField()


class PublishOutput(serializers.Serializer):
    plan = PlanOutput()
    applied = AppliedOutput()


class SchedulePlanViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Schedule runs (organisers and analysts read; organisers run). ``?fair=<slug>&status=``.

    ``POST preview/`` runs the scheduler ("placed N of at most M") and keeps the result as the
    fair's preview; ``POST <id>/publish/`` publishes that preview. Same services as the pages.
    """

    serializer_class = PlanOutput
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "kind"]

    def base_queryset(self) -> Any:
        qs = SchedulePlan.objects.select_related("fair")
        fair = self.request.query_params.get("fair")
        return qs.filter(fair__slug=fair) if fair else qs

    @extend_schema(request=PreviewInput, responses={201: PlanOutput})
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        data = PreviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        fair = fair_selectors.fair_get(who=request, slug=data.validated_data["fair"])
        plan = services.schedule_preview(fair=fair, actor=request.user)
        return Response(
            PlanOutput(self.base_queryset().get(pk=plan.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=PublishOutput)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        plan = self.get_object()
        applied = services.schedule_publish(plan=plan, actor=request.user)
        body = {"plan": self.base_queryset().get(pk=plan.pk), "applied": applied}
        return Response(PublishOutput(body).data)
