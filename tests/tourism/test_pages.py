"""Tourism pages: campaigns, claiming on a phone, my vouchers, the voucher's QR, the till."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.tourism.conftest import ALICE_ID, BOB_ID, TourismWorld, make_campaign, valid
from xiqia.tourism import services
from xiqia.tourism.models import Voucher, VoucherStatus

MASKED_ALICE = ALICE_ID[:6] + "********" + ALICE_ID[-4:]


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def claim_page(client: Client, slug: str, number: str = ALICE_ID) -> Any:
    return client.post(f"/tourism/campaigns/{slug}/", {"holder_name": "张三", "id_number": number})


def test_campaign_page_shows_claim_form_when_open(tw: TourismWorld) -> None:
    html = client_for(tw.resident).get(f"/tourism/campaigns/{tw.campaign.slug}/").content.decode()

    assert "data-claim-form" in html
    assert 'data-remaining="10"' in html


def test_campaign_page_anonymous_is_asked_to_sign_in(tw: TourismWorld) -> None:
    html = Client().get(f"/tourism/campaigns/{tw.campaign.slug}/").content.decode()

    assert 'data-action="sign-in"' in html
    assert "data-claim-form" not in html


def test_claim_page_success_redirects_to_voucher(tw: TourismWorld) -> None:
    response = claim_page(client_for(tw.resident), tw.campaign.slug)

    voucher = Voucher.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tourism/vouchers/{voucher.code}/"


def test_claim_page_second_claim_shows_refusal(tw: TourismWorld) -> None:
    client = client_for(tw.resident)
    claim_page(client, tw.campaign.slug)

    response = claim_page(client, tw.campaign.slug)

    assert response.status_code == 409
    assert "data-form-errors" in response.content.decode()
    assert Voucher.objects.count() == 1


def test_claim_page_bad_id_shows_field_error(tw: TourismWorld) -> None:
    response = claim_page(client_for(tw.resident), tw.campaign.slug, ALICE_ID[:17] + "Y")

    assert response.status_code == 400
    assert 'data-error-for="id_number"' in response.content.decode()


def test_claim_page_rate_limited_is_429(tw: TourismWorld, settings: Any) -> None:
    settings.VOUCHER_CLAIM_RATE_ACCOUNT = "1/min"
    client = client_for(tw.resident)
    claim_page(client, tw.campaign.slug)

    response = claim_page(client, tw.campaign.slug, BOB_ID)

    assert response.status_code == 429
    assert Voucher.objects.count() == 1


def test_claim_page_residence_field_only_when_limited(tw: TourismWorld) -> None:
    make_campaign(slug="residents", eligible=("500107",))

    limited = client_for(tw.resident).get("/tourism/campaigns/residents/").content.decode()
    open_to_all = client_for(tw.resident).get(f"/tourism/campaigns/{tw.campaign.slug}/")

    assert 'name="residence_region"' in limited
    assert "510213" in limited  # the residency rule, as help text
    assert 'name="residence_region"' not in open_to_all.content.decode()


def test_voucher_page_shows_qr_and_masked_id(tw: TourismWorld) -> None:
    client = client_for(tw.resident)
    claim_page(client, tw.campaign.slug)
    voucher = Voucher.objects.get()

    html = client.get(f"/tourism/vouchers/{voucher.code}/").content.decode()
    qr = client.get(f"/tourism/vouchers/{voucher.code}/qr.svg")

    assert MASKED_ALICE in html
    assert ALICE_ID not in html
    assert "data-voucher-qr" in html
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr["Cache-Control"] == "private, no-store"
    assert qr.content.startswith(b"<svg")


def test_voucher_page_of_someone_else_is_404(tw: TourismWorld) -> None:
    claim_page(client_for(tw.resident), tw.campaign.slug)
    voucher = Voucher.objects.get()

    assert client_for(tw.cashier).get(f"/tourism/vouchers/{voucher.code}/").status_code == 404
    assert client_for(tw.cashier).get(f"/tourism/vouchers/{voucher.code}/qr.svg").status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_my_vouchers_page_query_count_is_constant(
    tw: TourismWorld, count: int, django_assert_num_queries: Any
) -> None:
    for n in range(count):
        services.voucher_claim(
            campaign=make_campaign(slug=f"c{n}"),
            holder_name="张三",
            id_number=ALICE_ID,
            holder=tw.resident,
        )
    client = client_for(tw.resident)

    with django_assert_num_queries(4):
        response = client.get("/tourism/vouchers/")

    assert response.content.decode().count("data-voucher=") == count


@pytest.mark.parametrize("count", [1, 3])
def test_campaign_list_page_query_count_is_constant(
    tw: TourismWorld, count: int, django_assert_num_queries: Any
) -> None:
    for n in range(count - 1):
        make_campaign(slug=f"extra-{n}")

    with django_assert_num_queries(4):
        response = Client().get("/tourism/")

    assert response.content.decode().count("data-campaign=") == count


def redeem_page(client: Client, tw: TourismWorld, code: str, spend: str = "80") -> Any:
    return client.post(
        "/tourism/redeem/", {"merchant": tw.merchant.pk, "code": code, "spend": spend}
    )


def test_redeem_page_redeems_then_refuses_second(tw: TourismWorld) -> None:
    voucher = services.voucher_claim(
        campaign=tw.campaign, holder_name="张三", id_number=valid(ALICE_ID), holder=tw.resident
    )

    first = redeem_page(client_for(tw.cashier), tw, voucher.code)
    second = redeem_page(client_for(tw.other_cashier), tw, voucher.code)

    assert 'data-outcome="redeemed"' in first.content.decode()
    assert second.status_code == 409
    assert 'data-outcome="already_redeemed"' in second.content.decode()
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.REDEEMED


def test_redeem_page_below_minimum_spend_is_refused(tw: TourismWorld) -> None:
    voucher = services.voucher_claim(
        campaign=tw.campaign, holder_name="张三", id_number=ALICE_ID, holder=tw.resident
    )

    response = redeem_page(client_for(tw.cashier), tw, voucher.code, spend="10")

    assert 'data-outcome="below_min_spend"' in response.content.decode()


def test_redeem_page_is_403_for_someone_without_a_till(tw: TourismWorld) -> None:
    assert client_for(tw.resident).get("/tourism/redeem/").status_code == 403


def claim_form_key(client: Client, slug: str) -> str:
    html = client.get(f"/tourism/campaigns/{slug}/").content.decode()
    found = re.search(r'name="claim_key" value="([0-9a-f]{32})"', html)
    assert found, "the claim form carries its key"
    return found.group(1)


def test_claim_page_sent_twice_from_one_form_gives_the_one_voucher(tw: TourismWorld) -> None:
    client = client_for(tw.resident)
    key = claim_form_key(client, tw.campaign.slug)
    body = {"holder_name": "张三", "id_number": ALICE_ID, "claim_key": key}

    first = client.post(f"/tourism/campaigns/{tw.campaign.slug}/", body)
    again = client.post(f"/tourism/campaigns/{tw.campaign.slug}/", body)  # a double tap

    voucher = Voucher.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/tourism/vouchers/{voucher.code}/"
    assert tw.campaign.remaining == 9
    # Other details from the same form are another claim, refused on its own merits.
    other = client.post(f"/tourism/campaigns/{tw.campaign.slug}/", {**body, "id_number": BOB_ID})
    assert other.status_code == 302 and Voucher.objects.count() == 2
    assert claim_form_key(client, tw.campaign.slug) != key  # every form shown has its own


def test_claim_page_while_the_same_form_is_in_flight_says_so(tw: TourismWorld) -> None:
    from xiqia.tourism.models import IdempotencyKey

    client = client_for(tw.resident)
    key = claim_form_key(client, tw.campaign.slug)
    body = {"holder_name": "张三", "id_number": ALICE_ID, "claim_key": key}
    request_hash = services.claim_request_hash(campaign=tw.campaign, body=body)
    IdempotencyKey.objects.create(  # the first tap, still being written
        user=tw.resident, key=f"page:{key}:{request_hash[:16]}", request_hash=request_hash
    )

    response = client.post(
        f"/tourism/campaigns/{tw.campaign.slug}/", body, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 409
    assert "still being processed" in response.content.decode()
    assert not Voucher.objects.exists()


def test_lottery_registration_form_has_no_claim_key(tw: TourismWorld) -> None:
    lottery = make_campaign(slug="draw", allocation_mode="lottery")
    html = client_for(tw.resident).get(f"/tourism/campaigns/{lottery.slug}/").content.decode()

    assert "data-claim-form" in html
    assert 'name="claim_key"' not in html


def test_claim_page_accepts_jiulongpo_resident_born_1985_with_500107(tw: TourismWorld) -> None:
    number = valid("50010719850101123")  # a 1985 birth under the code Jiulongpo has since 1997

    response = claim_page(client_for(tw.resident), tw.campaign.slug, number)

    voucher = Voucher.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tourism/vouchers/{voucher.code}/"
    assert voucher.id_number.reveal() == number


def test_claim_page_names_what_is_wrong_with_the_id_number(tw: TourismWorld) -> None:
    retired = valid("51021320000101123")  # Sichuan's Jiulongpo code, retired before 2000

    response = claim_page(client_for(tw.resident), tw.campaign.slug, retired)

    errors = re.findall(r'data-error-for="id_number">([^<]*)<', response.content.decode())
    assert response.status_code == 400
    assert errors == ["前六位（地址码）不是号码中出生日期当天或之后施行过的行政区划代码。"]
    assert Voucher.objects.count() == 0


def test_claim_page_help_text_gives_the_assignment_rule(tw: TourismWorld) -> None:
    campaign = make_campaign(slug="jiulongpo-only", eligible=("500107",))

    html = client_for(tw.resident).get(f"/tourism/campaigns/{campaign.slug}/").content.decode()

    assert "身份证号前六位表示编号时常住户口所在的县（区），往往晚于出生" in html
    assert "1985 年生于九龙坡的人，号码可能以 510213 开头，也可能以 500107 开头" in html
    assert "1997 年前在九龙坡出生的人是 510213" not in html
