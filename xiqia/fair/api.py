"""Fair API: programme, registration, badges, gates and check-in. Thin: services decide."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from xiqia.accounts import access
from xiqia.accounts.models import Role
from xiqia.core.api import MAX_ID, ScopedViewSetMixin
from xiqia.fair import selectors, services
from xiqia.fair.models import Badge, Category, Event, Fair, Gate, Registration
from xiqia.fair.policies import runs_fairs


class FairOutput(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")

    class Meta:
        model = Fair
        fields = [
            "id",
            "slug",
            "name_zh",
            "name_en",
            "short_name_zh",
            "short_name_en",
            "slogan_zh",
            "slogan_en",
            "region",
            "starts_on",
            "ends_on",
            "registration_opens_at",
            "registration_closes_at",
            "requires_approval",
            "is_published",
            "origin",
        ]


class FairViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Fair editions (published ones for everyone, drafts for organisers)."""

    serializer_class = FairOutput
    lookup_field = "slug"

    def base_queryset(self) -> Any:
        return Fair.objects.select_related("region")

    @extend_schema(
        responses=inline_serializer(
            "Arrivals",
            {
                "fair_total": serializers.IntegerField(),
                "registered": serializers.IntegerField(),
                "gates": serializers.ListField(child=serializers.DictField()),
                "events": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    @action(detail=True, methods=["get"])
    def arrivals(self, request: Request, slug: str) -> Response:
        """Live arrivals per gate and per event (organisers and analysts)."""
        fair = self.get_object()
        principal = access.principal_for(request.user)
        if not (runs_fairs(principal) or principal.has(Role.ANALYST)):
            raise PermissionDenied
        data = selectors.arrivals(fair=fair)
        return Response(
            {
                "fair_total": data["fair_total"],
                "registered": data["registered"],
                "gates": [
                    {"id": g.pk, "code": g.code, "event": g.event_id, "count": n}
                    for g, n in data["gates"]
                ],
                "events": [
                    {"id": e.pk, "title_zh": e.title_zh, "count": n} for e, n in data["events"]
                ],
            }
        )


class SpeakerOutput(serializers.Serializer):
    name_zh = serializers.CharField(source="speaker.name_zh")
    name_en = serializers.CharField(source="speaker.name_en")
    title_zh = serializers.CharField(source="speaker.title_zh")
    title_en = serializers.CharField(source="speaker.title_en")
    role_zh = serializers.CharField()
    role_en = serializers.CharField()


class EventOutput(serializers.ModelSerializer):
    fair = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    room = serializers.StringRelatedField(allow_null=True)
    speakers = SpeakerOutput(source="event_speakers", many=True)
    seats_left = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "fair",
            "kind",
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "starts_at",
            "ends_at",
            "times_illustrative",
            "room",
            "capacity",
            "seats_left",
            "speakers",
        ]


class EventViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The programme. Filter with ``?fair=<slug>&kind=<kind>``."""

    serializer_class = EventOutput
    filterset_fields = ["kind"]

    def base_queryset(self) -> Any:
        qs = Event.objects.select_related("room__venue", "fair").prefetch_related(
            "event_speakers__speaker"
        )
        fair = self.request.query_params.get("fair")
        return qs.filter(fair__slug=fair) if fair else qs


class SeatOutput(serializers.Serializer):
    event = serializers.IntegerField(source="event_id")
    title_zh = serializers.CharField(source="event.title_zh")
    status = serializers.CharField()


class RegistrationOutput(serializers.ModelSerializer):
    fair = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    person = serializers.CharField(source="person.get_full_name")
    organisation = serializers.CharField(source="organisation_label")
    seats = SeatOutput(many=True)
    badge = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "fair",
            "person",
            "organisation",
            "job_title",
            "category",
            "status",
            "created_at",
            "decided_at",
            "decision_reason",
            "seats",
            "badge",
        ]

    def get_badge(self, registration: Registration) -> str | None:
        badge = getattr(registration, "badge", None)
        return str(badge.pk) if badge is not None else None


class RegistrationInput(serializers.Serializer):
    fair = serializers.SlugRelatedField(slug_field="slug", queryset=Fair.objects.all())
    category = serializers.ChoiceField(choices=Category.choices, default=Category.GUEST)
    organisation_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    job_title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    events = serializers.PrimaryKeyRelatedField(
        queryset=Event.objects.all(), many=True, required=False
    )


class DecisionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BulkApproveInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False
    )


class RegistrationViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Registrations: a person registers themself; organisers decide. Filter ``?fair=<slug>``."""

    serializer_class = RegistrationOutput
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "category"]

    def base_queryset(self) -> Any:
        seats = "seats__event"
        qs = Registration.objects.select_related("fair", "person", "organisation", "badge")
        fair = self.request.query_params.get("fair")
        return (qs.filter(fair__slug=fair) if fair else qs).prefetch_related(seats)

    def _output(self, registration: Registration, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.base_queryset().get(pk=registration.pk)
        return Response(RegistrationOutput(fresh).data, status=code)

    @extend_schema(request=RegistrationInput, responses={201: RegistrationOutput})
    def create(self, request: Request) -> Response:
        data = RegistrationInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fair = fields.pop("fair")
        if not access.allows(request, access.Action.VIEW, fair):
            raise PermissionDenied
        registration = services.registration_create(
            fair=fair, person=request.user, actor=request.user, **fields
        )
        return self._output(registration, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RegistrationOutput)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        registration = services.registration_approve(
            registration=self.get_object(), actor=request.user
        )
        return self._output(registration)

    def _close(self, request: Request, service: Any) -> Response:
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        registration = service(
            registration=self.get_object(),
            actor=request.user,
            reason=data.validated_data.get("reason", ""),
        )
        return self._output(registration)

    @extend_schema(request=DecisionInput, responses=RegistrationOutput)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        return self._close(request, services.registration_reject)

    @extend_schema(request=DecisionInput, responses=RegistrationOutput)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return self._close(request, services.registration_cancel)

    @extend_schema(
        request=BulkApproveInput,
        responses=inline_serializer("BulkApproved", {"approved": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="approve")
    def approve_many(self, request: Request) -> Response:
        services.require_organiser(actor=request.user)
        data = BulkApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        registrations = self.get_queryset().filter(pk__in=data.validated_data["ids"])
        approved = services.registrations_approve(
            registrations=list(registrations), actor=request.user
        )
        return Response({"approved": approved})


class BadgeOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    person = serializers.CharField(source="registration.person.get_full_name")
    category = serializers.CharField(source="registration.category")
    fair = serializers.CharField(source="registration.fair.slug")
    token = serializers.SerializerMethodField()

    def get_token(self, badge: Badge) -> str:
        return services.badge_token(badge)


class BadgeViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """E-badges: the holder and organisers read them; the token is what the QR code holds."""

    serializer_class = BadgeOutput
    permission_classes = [permissions.IsAuthenticated]

    def base_queryset(self) -> Any:
        return Badge.objects.select_related(
            "registration__person", "registration__fair__signing_key"
        )

    @extend_schema(request=DecisionInput, responses=BadgeOutput)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        badge = services.badge_revoke(
            badge=self.get_object(),
            actor=request.user,
            reason=data.validated_data.get("reason", ""),
        )
        return Response(BadgeOutput(self.base_queryset().get(pk=badge.pk)).data)


class ScanInput(serializers.Serializer):
    """An online scan: the server's clock times it (offline scans go through ``upload``)."""

    token = serializers.CharField(max_length=1000)
    device_id = serializers.CharField(max_length=64, required=False, default="server")
    scan_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class ScanOutput(serializers.Serializer):
    outcome = serializers.CharField()
    accepted = serializers.BooleanField()
    message = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    gate = serializers.CharField()
    conflict = serializers.CharField()
    duplicate_upload = serializers.BooleanField()


def _plain_text(
    body: dict[str, Any], name: str, default: str, *, blank: bool, max_length: int = 64
) -> str | None:
    """Return a field as ScanInput would clean it, or None when ScanInput should decide."""
    value = body.get(name, default)
    if not isinstance(value, str) or "\x00" in value:
        return None
    value = value.strip()
    if (not value and not blank) or len(value) > max_length:
        return None
    try:
        value.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return None
    return value


def scan_hot_path(request: Any, body: dict[str, Any], pk: str) -> tuple[int, Any] | None:
    """``GateViewSet.scan`` for a gate's plain case (see xiqia/core/hotpaths.py).

    The same service and answer; anything else (not an organiser, an unknown gate, input that
    ScanInput would refuse or change) returns None and goes through ``GateViewSet.scan``.
    """
    if not runs_fairs(access.principal_for(request.user)):
        return None
    gate = selectors.gate_for_scanning(pk=int(pk))
    token = _plain_text(body, "token", "", blank=False, max_length=1000)
    device_id = _plain_text(body, "device_id", "server", blank=False)
    scan_id = _plain_text(body, "scan_id", "", blank=True)
    if gate is None or token is None or device_id is None or scan_id is None:
        return None
    result = services.check_in(gate=gate, token=token, device_id=device_id, client_scan_id=scan_id)
    return 200, result.as_dict()


class UploadScanInput(serializers.Serializer):
    id = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=1000)
    scanned_at = serializers.DateTimeField()


class UploadInput(serializers.Serializer):
    device_id = serializers.CharField(max_length=64)
    scans = UploadScanInput(many=True, allow_empty=True)


class GateOutput(serializers.ModelSerializer):
    class Meta:
        model = Gate
        fields = ["id", "fair", "code", "name_zh", "name_en", "event"]


class GateViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Gates; scanning, the offline list and offline uploads (organisers and gate staff)."""

    serializer_class = GateOutput
    permission_classes = [permissions.IsAuthenticated]

    def base_queryset(self) -> Any:
        return Gate.objects.select_related("fair__signing_key", "event")

    def _gate(self) -> Gate:
        gate = self.get_object()
        if not runs_fairs(access.principal_for(self.request.user)):
            raise PermissionDenied
        return gate

    @extend_schema(
        request=ScanInput,
        responses=ScanOutput,
        description=str(_("A refused scan still answers 200, with accepted false and the reason.")),
    )
    @action(detail=True, methods=["post"])
    def scan(self, request: Request, pk: str) -> Response:
        gate = None
        if pk.isdigit() and runs_fairs(access.principal_for(request.user)):
            # The hot path of a gate: the gate comes from the per-process cache.
            gate = selectors.gate_for_scanning(pk=int(pk))
        gate = gate or self._gate()  # anyone else, or no such gate: the usual 403 or 404
        data = ScanInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.check_in(
            gate=gate,
            token=data.validated_data["token"],
            device_id=data.validated_data["device_id"],
            client_scan_id=data.validated_data["scan_id"],
        )
        return Response(result.as_dict())

    @extend_schema(
        responses=inline_serializer(
            "GateList", {"list": serializers.DictField(), "signature": serializers.CharField()}
        )
    )
    @action(detail=True, methods=["get"], url_path="list")
    def offline_list(self, request: Request, pk: str) -> Response:
        """The signed list of valid and revoked badges, for scanning without a network."""
        return Response(services.gate_list(gate=self._gate()))

    @extend_schema(
        request=UploadInput,
        responses=inline_serializer(
            "UploadReport",
            {
                "received": serializers.IntegerField(),
                "accepted": serializers.IntegerField(),
                "already": serializers.IntegerField(),
                "refused": serializers.IntegerField(),
                "duplicates": serializers.IntegerField(),
                "conflicts": serializers.ListField(child=serializers.DictField()),
                "results": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    @action(detail=True, methods=["post"])
    def upload(self, request: Request, pk: str) -> Response:
        """Merge the scans an offline gate kept; sending a batch twice counts nothing twice."""
        gate = self._gate()
        data = UploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.gate_upload(
            gate=gate,
            device_id=data.validated_data["device_id"],
            scans=data.validated_data["scans"],
        )
        return Response(report.__dict__)
