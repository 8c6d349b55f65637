"""PIPL: masked everywhere, every unmasked view audited, purged after retention, no plaintext."""

from __future__ import annotations

import datetime
import re
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, models
from django.test import Client

from tests.tourism.conftest import ALICE_ID, BOB_ID, TourismWorld, make_campaign
from xiqia.core.errors import DomainError
from xiqia.tourism import lottery, services
from xiqia.tourism.models import (
    AllocationMode,
    LotteryEntry,
    PersonalDataAccess,
    Voucher,
    VoucherCampaign,
)

ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def claimed(tw: TourismWorld, number: str = ALICE_ID) -> Voucher:
    return services.voucher_claim(
        campaign=tw.campaign, holder_name="张三", id_number=number, holder=tw.resident
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_reveal_writes_the_audit_log_first(tw: TourismWorld) -> None:
    voucher = claimed(tw)

    number = services.voucher_reveal_id_number(
        voucher=voucher, actor=tw.officer, reason="商户投诉核实"
    )

    (entry,) = PersonalDataAccess.objects.all()
    assert number == ALICE_ID
    assert (entry.viewer, entry.voucher, entry.field, entry.reason) == (
        tw.officer,
        voucher,
        "id_number",
        "商户投诉核实",
    )


def test_reveal_refused_without_reason_and_logs_nothing(tw: TourismWorld) -> None:
    voucher = claimed(tw)

    with pytest.raises(ValidationError):
        services.voucher_reveal_id_number(voucher=voucher, actor=tw.officer, reason="  ")

    assert PersonalDataAccess.objects.count() == 0


def test_reveal_refused_to_the_cashier(tw: TourismWorld) -> None:
    with pytest.raises(PermissionDenied):
        services.voucher_reveal_id_number(voucher=claimed(tw), actor=tw.cashier, reason="x")


def test_campaign_vouchers_page_masks_and_reveals_with_audit(tw: TourismWorld) -> None:
    voucher = claimed(tw)
    client = client_for(tw.officer)
    url = f"/tourism/campaigns/{tw.campaign.slug}/vouchers/"

    listing = client.get(url).content.decode()
    revealed = client.post(url, {"code": voucher.code, "reason": "核实"}).content.decode()

    assert ALICE_ID not in listing
    assert ALICE_ID[:6] + "********" + ALICE_ID[-4:] in listing
    assert f"data-revealed-number>{ALICE_ID}<" in revealed
    assert PersonalDataAccess.objects.filter(viewer=tw.officer, voucher=voucher).count() == 1


def test_campaign_vouchers_page_is_403_for_a_cashier(tw: TourismWorld) -> None:
    url = f"/tourism/campaigns/{tw.campaign.slug}/vouchers/"

    assert client_for(tw.cashier).get(url).status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_campaign_vouchers_page_query_count_is_constant(
    tw: TourismWorld, count: int, django_assert_num_queries: Any
) -> None:
    from tests.tourism.conftest import CAROL_ID

    for number in [ALICE_ID, BOB_ID, CAROL_ID][:count]:
        claimed(tw, number)
    client = client_for(tw.officer)
    url = f"/tourism/campaigns/{tw.campaign.slug}/vouchers/"
    client.get(url)  # warm the session

    with django_assert_num_queries(10):
        response = client.get(url)

    assert response.content.decode().count("data-voucher-row=") == count


def test_purge_refused_before_retention_ends(tw: TourismWorld) -> None:
    claimed(tw)

    with pytest.raises(DomainError) as exc:
        services.campaign_purge_personal_data(campaign=tw.campaign, now=tw.campaign.valid_until)

    assert exc.value.code == "retention_running"
    assert Voucher.objects.get().holder_name == "张三"


def test_purge_erases_personal_data_and_keeps_statistics(tw: TourismWorld) -> None:
    from decimal import Decimal

    from xiqia.tourism import selectors

    voucher = claimed(tw)
    services.voucher_redeem(
        code=voucher.code, merchant=tw.merchant, spend=Decimal("80"), actor=tw.cashier
    )
    claimed(tw, BOB_ID)
    after = tw.campaign.purge_due_at() + datetime.timedelta(seconds=1)
    before = selectors.reconciliation(campaigns=VoucherCampaign.objects.all(), now=after)

    out = StringIO()
    import time_machine

    with time_machine.travel(after):
        call_command("purge_voucher_personal_data", stdout=out)

    rows = list(
        Voucher.objects.values_list("holder_name", "id_number", "id_number_digest", "holder")
    )
    assert rows == [("", None, None, None), ("", None, None, None)]
    assert selectors.reconciliation(campaigns=VoucherCampaign.objects.all(), now=after) == before
    assert f"{tw.campaign.slug}: 2 vouchers purged" in out.getvalue()
    tw.campaign.refresh_from_db()
    assert tw.campaign.personal_data_purged_at is not None


def _text_columns() -> list[tuple[str, str]]:
    """Every text column of every table, except the encrypted ones."""
    from xiqia.core.personal import PersonalDataField

    columns = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, PersonalDataField):
                continue
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                columns.append((model._meta.db_table, field.column))
    return columns


def test_database_holds_no_plaintext_id_number_outside_encrypted_columns(
    tw: TourismWorld,
) -> None:
    voucher = claimed(tw)
    client_for(tw.resident).post(
        f"/api/v1/voucher-campaigns/{tw.campaign.slug}/claim/",
        data={"holder_name": "李四", "id_number": BOB_ID},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="scan",
    )
    draw = make_campaign(slug="draw", allocation_mode=AllocationMode.LOTTERY)
    services.lottery_register(campaign=draw, holder_name="王五", id_number=ALICE_ID)
    services.lottery_publish_seed_hash(campaign=draw, seed_hash=lottery.seed_hash("s"), actor=None)
    services.voucher_reveal_id_number(voucher=voucher, actor=tw.officer, reason="核实")

    assert Voucher.objects.count() == 2
    assert LotteryEntry.objects.count() == 1
    assert plaintext_id_numbers() == []


def test_database_scan_finds_a_planted_plaintext_id_number(tw: TourismWorld) -> None:
    Voucher.objects.filter(pk=claimed(tw).pk).update(holder_name=f"张三 {BOB_ID}")

    assert plaintext_id_numbers() == [("tourism_voucher", "holder_name")]


def plaintext_id_numbers() -> list[tuple[str, str]]:
    """Return the (table, column) of every value that looks like an 18-digit ID number."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)}")  # noqa: S608 (names from the models)
            found += [
                (table, column)
                for (value,) in cursor.fetchall()
                if value and ID_RE.search(str(value))
            ]
    return found
