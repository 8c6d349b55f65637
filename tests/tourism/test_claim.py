"""Claiming a voucher: real name, eligibility, window, one per person, stock."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tests.conftest import region
from tests.tourism.conftest import ALICE_ID, BOB_ID, CAROL_ID, TourismWorld, make_campaign
from xiqia.core import personal
from xiqia.core.errors import Conflict, DomainError
from xiqia.tourism import services
from xiqia.tourism.models import AllocationMode, Voucher, VoucherCampaign


def claim(tw: TourismWorld, number: str = ALICE_ID, **extra: object) -> Voucher:
    campaign = extra.pop("campaign", tw.campaign)
    return services.voucher_claim(
        campaign=campaign,
        holder_name=extra.pop("holder_name", "张三"),
        id_number=number,
        holder=tw.resident,
        actor=tw.resident,
        **extra,
    )


def remaining(campaign: VoucherCampaign) -> int:
    campaign.refresh_from_db()
    return campaign.remaining


def test_voucher_claim_issues_one_and_takes_stock(tw: TourismWorld) -> None:
    voucher = claim(tw)

    assert voucher.holder == tw.resident
    assert voucher.id_number.reveal() == ALICE_ID
    assert voucher.id_number_digest == personal.digest("id_number", ALICE_ID)
    assert str(voucher.id_number) == ALICE_ID[:6] + "********" + ALICE_ID[-4:]
    assert len(voucher.code) == 16
    assert remaining(tw.campaign) == 9


def test_voucher_claim_stores_the_id_number_encrypted(tw: TourismWorld) -> None:
    voucher = claim(tw)

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM tourism_voucher WHERE id = %s", [voucher.pk])
        stored = cursor.fetchone()[0]
    assert ALICE_ID not in stored
    assert personal.decrypt(stored) == ALICE_ID


def test_voucher_claim_refuses_bad_check_digit(tw: TourismWorld) -> None:
    wrong = ALICE_ID[:17] + ("0" if ALICE_ID[17] != "0" else "1")

    with pytest.raises(ValidationError) as exc:
        claim(tw, wrong)

    assert exc.value.message_dict["id_number"] == [
        "The last character (the check digit) does not match the first 17: check the number "
        "for a typing error."
    ]
    assert [e.code for e in exc.value.error_dict["id_number"]] == ["id_number_check_digit"]
    assert remaining(tw.campaign) == 10


def test_voucher_claim_refuses_unknown_region_code(tw: TourismWorld) -> None:
    from stdnum.cn import ric

    body = "99999919900101001"
    with pytest.raises(ValidationError) as exc:
        claim(tw, body + ric.calc_check_digit(body + "0"))

    assert [e.code for e in exc.value.error_dict["id_number"]] == ["id_number_address_code"]
    assert Voucher.objects.count() == 0


def test_voucher_claim_refuses_empty_name(tw: TourismWorld) -> None:
    with pytest.raises(ValidationError) as exc:
        claim(tw, holder_name="   ")

    assert exc.value.message_dict == {"holder_name": ["Enter the name on the ID card."]}


def test_voucher_claim_refuses_second_claim_by_same_person(tw: TourismWorld) -> None:
    claim(tw)

    with pytest.raises(Conflict) as exc:
        claim(tw, " " + ALICE_ID.lower() + " ", holder_name="李四")

    assert exc.value.code == "already_claimed"
    assert Voucher.objects.count() == 1
    assert remaining(tw.campaign) == 9


def test_voucher_claim_per_person_limit_two_allows_exactly_two(tw: TourismWorld) -> None:
    campaign = make_campaign(slug="two-each", per_person_limit=2)

    first = claim(tw, campaign=campaign)
    second = claim(tw, campaign=campaign)
    with pytest.raises(Conflict) as exc:
        claim(tw, campaign=campaign)

    assert (first.slot, second.slot) == (1, 2)
    assert exc.value.code == "already_claimed"
    assert remaining(campaign) == 8


def test_voucher_claim_refuses_when_sold_out_and_writes_nothing(tw: TourismWorld) -> None:
    campaign = make_campaign(slug="tiny", total=1)
    claim(tw, campaign=campaign)

    with pytest.raises(DomainError) as exc:
        claim(tw, BOB_ID, campaign=campaign)

    assert exc.value.code == "sold_out"
    assert Voucher.objects.filter(campaign=campaign).count() == 1
    assert remaining(campaign) == 0


def test_voucher_claim_refuses_before_window_on_server_clock(tw: TourismWorld) -> None:
    opens = tw.campaign.claim_opens_at
    with (
        time_machine.travel(opens - datetime.timedelta(seconds=1), tick=False),
        pytest.raises(DomainError) as exc,
    ):
        claim(tw)

    assert exc.value.code == "claim_not_open"


def test_voucher_claim_ignores_a_clock_passed_with_an_actor(tw: TourismWorld) -> None:
    late = tw.campaign.claim_closes_at + datetime.timedelta(days=1)

    voucher = claim(tw, now=late)  # a request's claim is always on the server clock

    assert voucher.claimed_at < late


def test_voucher_claim_refuses_after_window(tw: TourismWorld) -> None:
    with (
        time_machine.travel(tw.campaign.claim_closes_at, tick=False),
        pytest.raises(DomainError) as exc,
    ):
        claim(tw)

    assert exc.value.code == "claim_closed"


def test_voucher_claim_refuses_unpublished_campaign(tw: TourismWorld) -> None:
    campaign = make_campaign(slug="draft", is_published=False)

    with pytest.raises(DomainError) as exc:
        claim(tw, campaign=campaign)

    assert exc.value.code == "claim_closed"


def test_voucher_claim_refuses_lottery_campaign(tw: TourismWorld) -> None:
    campaign = make_campaign(slug="draw", allocation_mode=AllocationMode.LOTTERY)

    with pytest.raises(DomainError) as exc:
        claim(tw, campaign=campaign)

    assert exc.value.code == "lottery_campaign"


def test_voucher_claim_refuses_someone_else_as_holder(tw: TourismWorld) -> None:
    with pytest.raises(PermissionDenied):
        services.voucher_claim(
            campaign=tw.campaign,
            holder_name="张三",
            id_number=ALICE_ID,
            holder=tw.cashier,
            actor=tw.resident,
        )


def test_voucher_claim_eligibility_follows_declared_district_not_id_prefix(
    tw: TourismWorld,
) -> None:
    campaign = make_campaign(slug="residents", eligible=("500107",))

    # Born in Jiulongpo in 1990 (old prefix 510213), living in Jiulongpo: eligible.
    voucher = claim(tw, ALICE_ID, campaign=campaign, residence_region=region("500107"))
    # Prefix 500107 but living in Xindu: not eligible, whatever the number says.
    with pytest.raises(DomainError) as exc:
        claim(tw, BOB_ID, campaign=campaign, residence_region=region("510114"))

    assert voucher.residence_region.code == "500107"
    assert exc.value.code == "not_eligible"


def test_voucher_claim_requires_a_district_when_eligibility_is_limited(tw: TourismWorld) -> None:
    campaign = make_campaign(slug="residents", eligible=("500107",))

    with pytest.raises(ValidationError) as exc:
        claim(tw, CAROL_ID, campaign=campaign)

    assert exc.value.message_dict == {"residence_region": ["Choose the district you live in."]}


def test_campaign_save_moves_stock_with_total(tw: TourismWorld) -> None:
    claim(tw)
    tw.campaign.total_count = 15

    services.campaign_save(campaign=tw.campaign, actor=None)

    assert remaining(tw.campaign) == 14


def test_campaign_save_refuses_total_below_issued(tw: TourismWorld) -> None:
    claim(tw)
    claim(tw, BOB_ID)
    tw.campaign.total_count = 1

    with pytest.raises(ValidationError) as exc:
        services.campaign_save(campaign=tw.campaign, actor=None)

    assert exc.value.message_dict == {"total_count": ["2 vouchers are already issued."]}
