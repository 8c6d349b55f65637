"""Resident discounts at a spot's gate: staff record the class of proof and district only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import region
from tests.tourism.conftest import TourismWorld
from xiqia.tourism import services
from xiqia.tourism.models import (
    Discount,
    DiscountDecision,
    Proof,
    ResidentDiscountPolicy,
    ScenicSpot,
)


def make_policy(**extra: Any) -> ResidentDiscountPolicy:
    spot = ScenicSpot.objects.create(
        name_zh="黄桷坪演示景区", region=region("500107"), full_price=Decimal("60")
    )
    policy = ResidentDiscountPolicy.objects.create(
        spot=spot, discount=extra.pop("discount", Discount.FREE), **extra
    )
    policy.eligible_regions.set([region("500107"), region("510114")])
    return policy


def test_discount_decision_keeps_no_number_or_picture() -> None:
    names = {field.name for field in DiscountDecision._meta.get_fields()}

    assert names == {
        "id",
        "policy",
        "proof",
        "region",
        "granted",
        "gate",
        "decided_at",
        "recorded_by",
        "origin",
    }


def test_discount_decide_grants_residents_of_eligible_districts(tw: TourismWorld) -> None:
    policy = make_policy()

    xindu = services.discount_decide(
        policy=policy,
        proof=Proof.HOUSEHOLD_REGISTER,
        region=region("510114"),
        gate="东门",
        actor=tw.officer,
    )
    yubei = services.discount_decide(
        policy=policy, proof=Proof.ID_CARD, region=region("500112"), gate="东门", actor=tw.officer
    )

    assert (xindu.granted, yubei.granted) == (True, False)
    assert xindu.recorded_by == tw.officer


def test_discount_decide_refuses_a_proof_the_spot_does_not_accept(tw: TourismWorld) -> None:
    policy = make_policy(accepts_household_register=False)

    with pytest.raises(ValidationError) as exc:
        services.discount_decide(
            policy=policy,
            proof=Proof.HOUSEHOLD_REGISTER,
            region=region("500107"),
            gate="东门",
            actor=tw.officer,
        )

    assert list(exc.value.message_dict) == ["proof"]
    assert DiscountDecision.objects.count() == 0


def test_gate_page_records_and_shows_the_residency_rule(tw: TourismWorld) -> None:
    policy = make_policy()
    client = Client()
    client.force_login(tw.officer)
    url = f"/tourism/spots/{policy.spot_id}/gate/"

    page = client.get(url).content.decode()
    response = client.post(
        url,
        {"policy": policy.pk, "proof": "id_card", "region": region("500107").pk, "gate": "东门"},
    )

    assert "510213" in page and "data-residency-rule" in page
    assert 'data-decision="granted"' in response.content.decode()
    assert DiscountDecision.objects.get().gate == "东门"


def test_gate_page_is_403_for_a_resident(tw: TourismWorld) -> None:
    policy = make_policy()
    client = Client()
    client.force_login(tw.resident)

    assert client.get(f"/tourism/spots/{policy.spot_id}/gate/").status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_gate_page_query_count_is_constant(
    tw: TourismWorld, count: int, django_assert_num_queries: Any
) -> None:
    policy = make_policy()
    for _ in range(count):
        services.discount_decide(
            policy=policy, proof=Proof.ID_CARD, region=region("500107"), gate="东门", actor=None
        )
    client = Client()
    client.force_login(tw.officer)
    url = f"/tourism/spots/{policy.spot_id}/gate/"
    client.get(url)

    with django_assert_num_queries(10):
        response = client.get(url)

    assert response.content.decode().count("data-decision-row") == count
