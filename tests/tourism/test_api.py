"""The tourism API: claim with an Idempotency-Key, rate limits, my vouchers, redemption."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import make_user
from tests.tourism.conftest import ALICE_ID, BOB_ID, TourismWorld, make_campaign
from xiqia.tourism import services
from xiqia.tourism.models import IdempotencyKey, Voucher


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_claim(client: Client, slug: str, body: dict[str, Any], key: str | None = "k1") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        f"/api/v1/voucher-campaigns/{slug}/claim/",
        data=json.dumps(body),
        content_type="application/json",
        **headers,
    )


BODY = {"holder_name": "张三", "id_number": ALICE_ID}


def test_claim_api_creates_voucher_with_masked_id(tw: TourismWorld) -> None:
    response = post_claim(client_for(tw.resident), tw.campaign.slug, BODY)

    assert response.status_code == 201
    data = response.json()
    assert data["campaign"] == tw.campaign.slug
    assert data["id_number"] == ALICE_ID[:6] + "********" + ALICE_ID[-4:]
    assert data["status"] == "claimed"
    assert data["qr"] == f"/tourism/vouchers/{data['code']}/qr.svg"
    assert ALICE_ID not in response.content.decode()


def test_claim_api_same_key_same_body_returns_the_same_single_claim(tw: TourismWorld) -> None:
    client = client_for(tw.resident)

    first = post_claim(client, tw.campaign.slug, BODY)
    again = post_claim(client, tw.campaign.slug, {**BODY, "id_number": " " + ALICE_ID + " "})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["code"] == first.json()["code"]
    assert Voucher.objects.count() == 1


def test_claim_api_same_key_other_body_is_422(tw: TourismWorld) -> None:
    client = client_for(tw.resident)
    post_claim(client, tw.campaign.slug, BODY)

    response = post_claim(client, tw.campaign.slug, {**BODY, "id_number": BOB_ID})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Voucher.objects.count() == 1


def test_claim_api_same_key_while_first_in_flight_is_409(tw: TourismWorld) -> None:
    IdempotencyKey.objects.create(
        user=tw.resident,
        key="k1",
        request_hash=services.claim_request_hash(campaign=tw.campaign, body=BODY),
    )

    response = post_claim(client_for(tw.resident), tw.campaign.slug, BODY)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "request_in_flight"
    assert Voucher.objects.count() == 0


def test_claim_api_takes_over_a_key_abandoned_in_flight(tw: TourismWorld) -> None:
    IdempotencyKey.objects.create(
        user=tw.resident,
        key="k1",
        request_hash=services.claim_request_hash(campaign=tw.campaign, body=BODY),
        created_at=timezone.now() - datetime.timedelta(minutes=5),
    )

    response = post_claim(client_for(tw.resident), tw.campaign.slug, BODY)

    assert response.status_code == 201
    assert IdempotencyKey.objects.get().completed is True


def test_claim_api_refusal_frees_the_key(tw: TourismWorld) -> None:
    client = client_for(tw.resident)
    post_claim(client, tw.campaign.slug, BODY, key="a")

    refused = post_claim(client, tw.campaign.slug, BODY, key="b")

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "already_claimed"
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["a"]


def test_claim_api_without_key_is_400(tw: TourismWorld) -> None:
    response = post_claim(client_for(tw.resident), tw.campaign.slug, BODY, key=None)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"


def test_claim_api_bad_id_number_is_400_with_field(tw: TourismWorld) -> None:
    response = post_claim(
        client_for(tw.resident), tw.campaign.slug, {**BODY, "id_number": ALICE_ID[:17] + "Y"}
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["id_number"]


def test_claim_api_sold_out_is_400(tw: TourismWorld) -> None:
    campaign = make_campaign(slug="one", total=1)
    post_claim(client_for(tw.resident), "one", BODY)

    response = post_claim(client_for(tw.cashier), "one", {**BODY, "id_number": BOB_ID})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "sold_out"
    campaign.refresh_from_db()
    assert campaign.remaining == 0


def test_claim_api_anonymous_is_401(tw: TourismWorld) -> None:
    response = post_claim(Client(), tw.campaign.slug, BODY)

    assert response.status_code == 401


def test_claim_api_rate_limit_per_account(tw: TourismWorld, settings: Any) -> None:
    settings.VOUCHER_CLAIM_RATE_ACCOUNT = "2/min"
    client = client_for(tw.resident)

    codes = [post_claim(client, tw.campaign.slug, BODY, key=f"k{i}").status_code for i in range(3)]

    assert codes == [201, 409, 429]


def test_claim_api_rate_limit_per_ip_across_accounts(tw: TourismWorld, settings: Any) -> None:
    settings.VOUCHER_CLAIM_RATE_IP = "2/min"
    users = [make_user(f"visitor{i}") for i in range(3)]

    codes = [post_claim(client_for(u), tw.campaign.slug, BODY, key="k").status_code for u in users]

    assert codes == [201, 409, 429]


def test_voucher_list_api_shows_own_only(tw: TourismWorld) -> None:
    post_claim(client_for(tw.resident), tw.campaign.slug, BODY)

    mine = client_for(tw.resident).get("/api/v1/vouchers/").json()
    theirs = client_for(tw.cashier).get("/api/v1/vouchers/").json()

    assert [v["holder_name"] for v in mine["results"]] == ["张三"]
    assert theirs["results"] == []


def test_voucher_list_api_officer_sees_campaign_vouchers_masked(tw: TourismWorld) -> None:
    post_claim(client_for(tw.resident), tw.campaign.slug, BODY)

    response = client_for(tw.officer).get("/api/v1/vouchers/")

    assert [v["id_number"] for v in response.json()["results"]] == [
        ALICE_ID[:6] + "********" + ALICE_ID[-4:]
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_voucher_list_api_query_count_is_constant(
    tw: TourismWorld, count: int, django_assert_num_queries: Any
) -> None:
    people = [ALICE_ID, BOB_ID, "510125199506060028"]
    from tests.tourism.conftest import valid

    for number in people[:count]:
        services.voucher_claim(
            campaign=tw.campaign, holder_name="张三", id_number=valid(number), holder=tw.resident
        )
    client = client_for(tw.resident)

    with django_assert_num_queries(5):
        response = client.get("/api/v1/vouchers/")

    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [1, 3])
def test_campaign_list_api_query_count_is_constant(
    tw: TourismWorld, count: int, django_assert_num_queries: Any
) -> None:
    for n in range(count - 1):
        make_campaign(slug=f"extra-{n}")

    with django_assert_num_queries(4):
        response = Client().get("/api/v1/voucher-campaigns/")

    assert response.json()["count"] == count


def test_redeem_api_once_then_409(tw: TourismWorld) -> None:
    code = post_claim(client_for(tw.resident), tw.campaign.slug, BODY).json()["code"]
    body = {"code": code, "merchant": tw.merchant.pk, "spend": "88.00"}

    first = client_for(tw.cashier).post(
        "/api/v1/vouchers/redeem/", data=body, content_type="application/json"
    )
    second = client_for(tw.other_cashier).post(
        "/api/v1/vouchers/redeem/", data=body, content_type="application/json"
    )

    assert first.status_code == 200
    assert first.json()["status"] == "redeemed"
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_redeemed"


def test_redeem_api_refuses_non_cashier_403(tw: TourismWorld) -> None:
    code = post_claim(client_for(tw.resident), tw.campaign.slug, BODY).json()["code"]

    response = client_for(tw.resident).post(
        "/api/v1/vouchers/redeem/",
        data={"code": code, "merchant": tw.merchant.pk, "spend": "88"},
        content_type="application/json",
    )

    assert response.status_code == 403


def test_claim_api_residence_region_by_code(tw: TourismWorld) -> None:
    make_campaign(slug="residents", eligible=("500107",))

    response = post_claim(
        client_for(tw.resident), "residents", {**BODY, "residence_region": "500107"}
    )

    assert response.status_code == 201
    assert Voucher.objects.get().residence_region.code == "500107"


def test_voucher_output_matches_drf_generic_representation(tw: TourismWorld) -> None:
    from decimal import Decimal

    from rest_framework import serializers

    from xiqia.tourism.api import VoucherOutput

    claimed = services.voucher_claim(
        campaign=tw.campaign,
        holder=tw.resident,
        actor=tw.resident,
        holder_name="张三",
        id_number=ALICE_ID,
    )
    visitor = make_user("visitor")
    other = services.voucher_claim(
        campaign=tw.campaign, holder=visitor, actor=visitor, holder_name="李四", id_number=BOB_ID
    )
    redeemed = services.voucher_redeem(
        code=other.code, merchant=tw.merchant, spend=Decimal("88.5"), actor=tw.cashier
    )

    for voucher in (claimed, redeemed, Voucher.objects.get(pk=claimed.pk)):
        ours = VoucherOutput(voucher).data
        generic = serializers.Serializer.to_representation(VoucherOutput(voucher), voucher)
        assert dict(ours) == dict(generic)
        assert list(ours) == list(generic)
    assert VoucherOutput(redeemed).data["spend"] == "88.50"
    assert VoucherOutput(redeemed).data["redeemed_at"] is not None
