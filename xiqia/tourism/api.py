"""Tourism API: campaigns, claiming with an Idempotency-Key, my vouchers, redemption."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from xiqia.accounts import access
from xiqia.core.api import ScopedViewSetMixin
from xiqia.core.errors import DomainError
from xiqia.core.models import Region
from xiqia.tourism import gate, selectors, services
from xiqia.tourism.models import Merchant, Voucher
from xiqia.tourism.ratelimits import CLAIM_THROTTLES, claim_wait


class CampaignOutput(serializers.Serializer):
    slug = serializers.SlugField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    allocation_mode = serializers.CharField()
    total_count = serializers.IntegerField()
    remaining = serializers.IntegerField()
    face_value = serializers.DecimalField(max_digits=18, decimal_places=2)
    min_spend = serializers.DecimalField(max_digits=18, decimal_places=2)
    per_person_limit = serializers.IntegerField()
    claim_opens_at = serializers.DateTimeField()
    claim_closes_at = serializers.DateTimeField()
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    issuing_regions = serializers.SerializerMethodField()
    eligible_regions = serializers.SerializerMethodField()
    origin = serializers.CharField()

    def get_issuing_regions(self, campaign: Any) -> list[str]:
        return [r.code for r in campaign.issuing_regions.all()]

    def get_eligible_regions(self, campaign: Any) -> list[str]:
        return [r.code for r in campaign.eligible_regions.all()]


class ClaimInput(serializers.Serializer):
    holder_name = serializers.CharField(max_length=60)
    id_number = serializers.CharField(max_length=32)
    # Codes are reused across history: the district is one in force today.
    residence_region = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.filter(valid_to__isnull=True),
        required=False,
        allow_null=True,
    )


class VoucherOutput(serializers.Serializer):
    code = serializers.CharField()
    campaign = serializers.CharField(source="campaign.slug")
    holder_name = serializers.CharField()
    id_number = serializers.SerializerMethodField(help_text=str(_("Masked.")))
    status = serializers.CharField()
    claimed_at = serializers.DateTimeField()
    redeemed_at = serializers.DateTimeField(allow_null=True)
    merchant = serializers.IntegerField(source="merchant_id", allow_null=True)
    spend = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    qr = serializers.SerializerMethodField()

    def get_id_number(self, voucher: Voucher) -> str:
        return str(voucher.id_number) if voucher.id_number else ""

    def get_qr(self, voucher: Voucher) -> str:
        return reverse("tourism:voucher-qr", args=[voucher.code])

    def to_representation(self, voucher: Voucher) -> dict[str, Any]:
        """What DRF's generic ``to_representation`` gives, with the declared fields' own
        conversions, but without DRF deep-copying all ten fields for every answer first (half
        of the cost, and every successful claim answers with one). A test holds the two equal.
        """
        fields = type(self)._declared_fields

        def converted(name: str, value: Any) -> Any:
            return None if value is None else fields[name].to_representation(value)

        return {
            "code": voucher.code,
            "campaign": voucher.campaign.slug,
            "holder_name": voucher.holder_name,
            "id_number": self.get_id_number(voucher),
            "status": str(voucher.status),
            "claimed_at": converted("claimed_at", voucher.claimed_at),
            "redeemed_at": converted("redeemed_at", voucher.redeemed_at),
            "merchant": voucher.merchant_id,
            "spend": converted("spend", voucher.spend),
            "qr": self.get_qr(voucher),
        }


class RedeemInput(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    merchant = serializers.PrimaryKeyRelatedField(queryset=Merchant.objects.all())
    spend = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=str(
        _(
            "A key the client makes up per claim. The same key with the same body returns the "
            "same claim; with another body, 422; while the first is still running, 409."
        )
    ),
)


class VoucherCampaignViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Voucher campaigns (published ones for everyone)."""

    serializer_class = CampaignOutput
    lookup_field = "slug"

    def base_queryset(self) -> Any:
        return selectors.campaign_list(who=self.request)

    @extend_schema(
        request=ClaimInput,
        responses={201: VoucherOutput, 200: VoucherOutput},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated],
        throttle_classes=CLAIM_THROTTLES,
    )
    def claim(self, request: Request, slug: str) -> Response:
        """Claim a voucher (201); a replay with the same Idempotency-Key answers 200."""
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > 100:
            raise DomainError(
                _("Send an Idempotency-Key header (up to 100 characters)."),
                code="idempotency_key_required",
            )
        campaign = self.get_object()
        data = ClaimInput(data=request.data)
        data.is_valid(raise_exception=True)
        voucher, replayed = services.voucher_claim_idempotent(
            key=key,
            request_hash=services.claim_request_hash(campaign=campaign, body=request.data),
            holder=request.user,
            campaign=campaign,
            **data.validated_data,
        )
        code = status.HTTP_200_OK if replayed else status.HTTP_201_CREATED
        return Response(VoucherOutput(voucher).data, status=code)


def claim_hot_path(request: Any, body: dict[str, Any], slug: str) -> tuple[int, Any] | None:
    """``VoucherCampaignViewSet.claim`` without DRF's request cycle (see xiqia/core/hotpaths.py).

    The same rate limits, campaign scope, input serializer, service and answer; no key, or a
    campaign this user cannot see, goes through the viewset for its usual answer.
    """
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        return None
    wait = claim_wait(request)
    if wait is not None:
        raise exceptions.Throttled(wait=wait)
    campaign = selectors.published_campaign_for_claim(slug) if gate.enabled() else None
    if campaign is None or not gate.applies(campaign):
        campaign = (
            access.scope(request, selectors.campaign_for_claim(), access.Action.VIEW)
            .filter(slug=slug)
            .first()
        )
    if campaign is None:
        return None
    data = ClaimInput(data=body)
    data.is_valid(raise_exception=True)
    voucher, replayed = services.voucher_claim_idempotent(
        key=key,
        request_hash=services.claim_request_hash(campaign=campaign, body=body),
        holder=request.user,
        campaign=campaign,
        **data.validated_data,
    )
    return (200 if replayed else 201), VoucherOutput(voucher).data


class VoucherViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Vouchers: your own; those who run a campaign see its vouchers (ID numbers masked)."""

    serializer_class = VoucherOutput
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "code"
    filterset_fields = ["status"]

    def base_queryset(self) -> Any:
        return Voucher.objects.select_related("campaign").order_by("-claimed_at", "-pk")

    @extend_schema(request=RedeemInput, responses=VoucherOutput)
    @action(detail=False, methods=["post"])
    def redeem(self, request: Request) -> Response:
        """Redeem a voucher at a merchant's till (its cashiers); a second time answers 409."""
        data = RedeemInput(data=request.data)
        data.is_valid(raise_exception=True)
        voucher = services.voucher_redeem(actor=request.user, **data.validated_data)
        return Response(VoucherOutput(voucher).data)
