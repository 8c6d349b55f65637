"""The claim API answers the same through the hot path and through DRF (xiqia/core/hotpaths.py).

Each test runs twice: with a token through :class:`HotPathMiddleware`, and with the middleware
taken out, so through the DRF viewset. DRF marks its answers with an ``Allow`` header, which
shows which way each request went.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token

from tests.conftest import make_user
from tests.tourism.conftest import ALICE_ID, BOB_ID, TourismWorld, valid
from xiqia.tourism.models import Voucher

WITHOUT_HOT_PATH = [m for m in django_settings.MIDDLEWARE if not m.endswith("HotPathMiddleware")]


@pytest.fixture(params=["hot", "drf"])
def way(request: pytest.FixtureRequest) -> Any:
    if request.param == "hot":
        yield "hot"
    else:
        with override_settings(MIDDLEWARE=WITHOUT_HOT_PATH):
            yield "drf"


def token_client(user: Any, **headers: str) -> Client:
    key = Token.objects.create(user=user).key
    return Client(HTTP_AUTHORIZATION=f"Token {key}", **headers)


def claim(client: Client, slug: str, body: Any, key: str | None = "k1") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        f"/api/v1/voucher-campaigns/{slug}/claim/",
        data=data,
        content_type="application/json",
        **headers,
    )


def went(response: Any) -> str:
    return "drf" if response.has_header("Allow") else "hot"


def test_claim_then_replay_then_second_key(tw: TourismWorld, way: str) -> None:
    client = token_client(tw.resident, HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = {"holder_name": "张三", "id_number": ALICE_ID}

    first = claim(client, tw.campaign.slug, body)
    replay = claim(client, tw.campaign.slug, body)
    other_key = claim(client, tw.campaign.slug, body, key="k2")

    assert [went(r) for r in (first, replay, other_key)] == [way] * 3
    assert (first.status_code, replay.status_code, other_key.status_code) == (201, 200, 409)
    assert first.json()["id_number"] == ALICE_ID[:6] + "********" + ALICE_ID[-4:]
    assert replay.json() == first.json()
    assert other_key.json() == {
        "error": {
            "status": 409,
            "code": "already_claimed",
            "message": "该身份证号已领取过本活动的消费券。",
            "fields": {},
        }
    }
    assert first["Content-Language"] == "zh-hans"
    assert Voucher.objects.count() == 1


def test_claim_invalid_id_number_is_400_with_the_field(tw: TourismWorld, way: str) -> None:
    client = token_client(tw.resident, HTTP_ACCEPT_LANGUAGE="en")

    response = claim(client, tw.campaign.slug, {"holder_name": "张三", "id_number": "123"})

    assert (went(response), response.status_code) == (way, 400)
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("invalid", ["id_number"])
    assert Voucher.objects.count() == 0


def test_claim_sold_out_is_refused(tw: TourismWorld, way: str) -> None:
    from tests.tourism.conftest import make_campaign

    campaign = make_campaign(slug="tiny", total=1)
    claim(token_client(tw.resident), campaign.slug, {"holder_name": "张三", "id_number": ALICE_ID})

    response = claim(
        token_client(make_user("bob")), campaign.slug, {"holder_name": "李四", "id_number": BOB_ID}
    )

    assert (went(response), response.status_code) == (way, 400)
    assert response.json()["error"]["code"] == "sold_out"


def test_claim_replay_after_sold_out_is_the_first_claim(tw: TourismWorld, way: str) -> None:
    from tests.tourism.conftest import make_campaign
    from xiqia.tourism.models import IdempotencyKey

    campaign = make_campaign(slug="tiny", total=1)
    alice = token_client(tw.resident)
    body = {"holder_name": "张三", "id_number": ALICE_ID}
    first = claim(alice, campaign.slug, body)
    bob = token_client(make_user("bob"))

    refused = claim(bob, campaign.slug, {"holder_name": "李四", "id_number": BOB_ID}, key="b1")
    invalid = claim(bob, campaign.slug, {"holder_name": "李四", "id_number": "123"}, key="b2")
    replay = claim(alice, campaign.slug, body)

    assert [r.status_code for r in (first, refused, invalid, replay)] == [201, 400, 400, 200]
    assert [went(r) for r in (refused, invalid, replay)] == [way] * 3
    assert refused.json()["error"]["code"] == "sold_out"
    assert list(invalid.json()["error"]["fields"]) == ["id_number"]
    assert replay.json()["code"] == first.json()["code"]
    assert IdempotencyKey.objects.count() == 1


def test_claim_rate_limit_per_account_is_429(tw: TourismWorld, way: str, settings: Any) -> None:
    settings.VOUCHER_CLAIM_RATE_ACCOUNT = "2/min"
    client = token_client(tw.resident)
    body = {"holder_name": "张三", "id_number": ALICE_ID}

    answers = [claim(client, tw.campaign.slug, body, key=f"k{i}") for i in range(3)]

    assert [r.status_code for r in answers] == [201, 409, 429]
    assert went(answers[2]) == way
    assert answers[2].json()["error"]["code"] == "throttled"
    assert int(answers[2]["Retry-After"]) > 0


def test_claim_odd_requests_go_through_drf(tw: TourismWorld) -> None:
    client = token_client(tw.resident)
    body = {"holder_name": "张三", "id_number": ALICE_ID}

    unknown = claim(client, "no-such-campaign", body)
    no_key = claim(client, tw.campaign.slug, body, key=None)
    malformed = claim(client, tw.campaign.slug, "{not json")
    bad_token = claim(Client(HTTP_AUTHORIZATION="Token nope"), tw.campaign.slug, body)

    assert [(went(r), r.status_code) for r in (unknown, no_key, malformed, bad_token)] == [
        ("drf", 404),
        ("drf", 400),
        ("drf", 400),
        ("drf", 401),
    ]
    assert no_key.json()["error"]["code"] == "idempotency_key_required"
    assert Voucher.objects.count() == 0


def test_claim_jiulongpo_resident_born_1985_with_500107_is_accepted(
    tw: TourismWorld, way: str
) -> None:
    number = valid("50010719850101123")  # a 1985 birth under the code Jiulongpo has since 1997
    client = token_client(tw.resident)

    response = claim(client, tw.campaign.slug, {"holder_name": "张三", "id_number": number})

    assert (went(response), response.status_code) == (way, 201)
    assert response.json()["id_number"] == "500107********" + number[-4:]
    assert Voucher.objects.get().id_number.reveal() == number


def test_claim_full_width_spaced_number_is_the_normalised_one(tw: TourismWorld, way: str) -> None:
    full_width = ALICE_ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    spelled = f"{full_width[:6]}\u3000{full_width[6:14]}-{full_width[14:].lower()}"
    client = token_client(tw.resident)

    first = claim(client, tw.campaign.slug, {"holder_name": "张三", "id_number": spelled})
    replay = claim(client, tw.campaign.slug, {"holder_name": "张三", "id_number": ALICE_ID})

    assert (first.status_code, replay.status_code) == (201, 200)
    assert Voucher.objects.get().id_number.reveal() == ALICE_ID


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("5001071985", "居民身份证号码应为 18 位，这个号码有 10 位（空格和连字符不计）。"),
        ("50010719850101123Y", "居民身份证号码由 17 位数字加最后一位数字或字母 X 组成。"),
        ("wrong-check", "最后一位（校验码）与前 17 位不符，请检查号码是否输错。"),
        (
            valid("50010720991231123"),
            "第 7 至 14 位（出生日期）不是 1900 年 1 月 1 日至今天之间的真实日期。",
        ),
        (
            valid("51021320000101123"),
            "前六位（地址码）不是号码中出生日期当天或之后施行过的行政区划代码。",
        ),
    ],
)
def test_claim_id_number_problem_is_named_in_the_error(
    tw: TourismWorld, way: str, id_number: str, message: str
) -> None:
    if id_number == "wrong-check":
        id_number = ALICE_ID[:17] + ("0" if ALICE_ID[17] != "0" else "1")
    client = token_client(tw.resident, HTTP_ACCEPT_LANGUAGE="zh-hans")

    response = claim(client, tw.campaign.slug, {"holder_name": "张三", "id_number": id_number})

    assert (went(response), response.status_code) == (way, 400)
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "输入内容无效。",
            "fields": {"id_number": [message]},
        }
    }
    assert Voucher.objects.count() == 0
