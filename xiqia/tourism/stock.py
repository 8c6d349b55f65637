"""A campaign's stock left, split over a few rows so that a flash crowd does not queue on one.

With one counter row every claim's ``UPDATE ... SET remaining = remaining - 1`` waits for the
previous claim's commit (a disk flush), so claims run one at a time however many app servers
there are, and a process descheduled while it holds the row stalls everyone. Here the stock is
spread over ``VOUCHER_STOCK_SHARDS`` :class:`~xiqia.tourism.models.VoucherStock` rows and a
claim takes one voucher from a share no other claim holds:

1. ``UPDATE ... WHERE id = (SELECT ... WHERE remaining > 0 ... FOR UPDATE SKIP LOCKED LIMIT 1)``:
   never waits; on PostgreSQL a share whose stock ran out meanwhile is re-checked under the lock.
2. Only when every share with stock is held by another claim: the same without ``SKIP LOCKED``,
   which waits (bounded by ``lock_timeout``: "busy, try again") and skips shares found empty.
3. Nothing taken by 2: sold out.

No count is read and then acted on, and a share cannot go negative (check constraint), so no
concurrency over-issues; ``issued + remaining == total`` holds because the voucher and the
share's decrement commit together. SQLite serialises writers, so it takes the first share with
stock without any locking clause. These functions run inside the caller's transaction.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Field, Model, OuterRef, QuerySet, Subquery, Sum

from xiqia.tourism.models import VoucherCampaign, VoucherStock


def _sql(*, skip_locked: bool) -> str:
    table = connection.ops.quote_name(VoucherStock._meta.db_table)
    lock = ""
    order = "shard"
    if connection.features.has_select_for_update:
        # A random share first spreads claims over the shares instead of all trying share 0.
        order = "random()"
        lock = "FOR UPDATE SKIP LOCKED" if skip_locked else "FOR UPDATE"
    return (
        f"UPDATE {table} SET remaining = remaining - 1 WHERE id = ("  # noqa: S608 (names only)
        f"SELECT id FROM {table} WHERE campaign_id = %s AND remaining > 0 "
        f"ORDER BY {order} LIMIT 1 {lock}) RETURNING id"
    )


def take_one(campaign: VoucherCampaign) -> bool:
    """Take one voucher from the stock; return False when it is sold out."""
    attempts = [True, False] if connection.features.has_select_for_update_skip_locked else [False]
    with connection.cursor() as cursor:
        for skip_locked in attempts:
            cursor.execute(_sql(skip_locked=skip_locked), [campaign.pk])
            if cursor.fetchone() is not None:
                return True
    return False


def split(total: int, shards: int) -> list[int]:
    """Return ``total`` split over ``shards`` as evenly as possible."""
    return [total // shards + (1 if i < total % shards else 0) for i in range(shards)]


def set_left(campaign: VoucherCampaign, left: int) -> None:
    """Set the stock left, spread over the campaign's shares (locks them all)."""
    shares = list(VoucherStock.objects.select_for_update().filter(campaign=campaign))
    if not shares:
        count = max(1, settings.VOUCHER_STOCK_SHARDS)
        VoucherStock.objects.bulk_create(
            VoucherStock(campaign=campaign, shard=i, remaining=n)
            for i, n in enumerate(split(left, count))
        )
        return
    shares.sort(key=lambda share: share.shard)
    for share, n in zip(shares, split(left, len(shares)), strict=True):
        share.remaining = n
    VoucherStock.objects.bulk_update(shares, ["remaining"])


def left_for_update(campaign: VoucherCampaign) -> int:
    """Return the stock left, locking the shares until the end of the transaction."""
    shares = VoucherStock.objects.select_for_update().filter(campaign=campaign)
    return sum(share.remaining for share in shares)


def with_left(campaigns: QuerySet[VoucherCampaign]) -> QuerySet[VoucherCampaign]:
    """Annotate ``stock_left`` (read by ``VoucherCampaign.remaining``): no query per campaign."""
    shares = (
        VoucherStock.objects.filter(campaign=OuterRef("pk"))
        .values("campaign")
        .annotate(left=Sum("remaining"))
        .values("left")
    )
    return campaigns.annotate(stock_left=Subquery(shares))


def _insert_columns(model: type[Model]) -> list[Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


@lru_cache(maxsize=1)
def _claim_sql() -> str:
    """One statement: take a free share, insert the voucher and its completed idempotency row.

    PostgreSQL only (data-modifying ``WITH``). No row comes back when no share with stock is free
    right now: the caller then takes the step-by-step way, which waits or says sold out.
    """
    from xiqia.tourism.models import IdempotencyKey, Voucher

    quote = connection.ops.quote_name
    stock_table = quote(VoucherStock._meta.db_table)
    voucher_columns = ", ".join(quote(f.column) for f in _insert_columns(Voucher))
    voucher_values = ", ".join(["%s"] * len(_insert_columns(Voucher)))
    key_columns = [f for f in _insert_columns(IdempotencyKey) if f.name != "voucher"]
    return (
        f"WITH share AS (UPDATE {stock_table} SET remaining = remaining - 1 WHERE id = ("  # noqa: S608
        f"SELECT id FROM {stock_table} WHERE campaign_id = %s AND remaining > 0 "
        "ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id), "
        f"voucher AS (INSERT INTO {quote(Voucher._meta.db_table)} ({voucher_columns}) "
        f"SELECT {voucher_values} FROM share RETURNING id), "
        f"idem AS (INSERT INTO {quote(IdempotencyKey._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in key_columns)}, "
        f"{quote(IdempotencyKey._meta.get_field('voucher').column)}) "
        f"SELECT {', '.join(['%s'] * len(key_columns))}, id FROM voucher) "
        "SELECT id FROM voucher"
    )


def issue_in_one_statement(voucher: Any, key: Any, *, settings: str = "") -> bool:
    """Write ``voucher`` and its completed Idempotency-Key row ``key`` (unsaved, ``voucher``
    left empty) and take one from the stock, in one statement.

    Inside the caller's transaction; or, with ``settings`` (``SET LOCAL`` commands) and the
    connection in autocommit, as one message to the server: the settings and the statement run as
    one implicit transaction, committed by the server when the statement succeeds and rolled back
    whole when it fails, in one round trip instead of the five a transaction block takes (begin,
    settings, statement, savepoint release, commit).

    Every value is prepared by its model field, as ``save()`` would. Returns False, having
    written nothing, when no share with stock is free at this moment; a unique constraint (the
    person, or the key) raises ``IntegrityError`` as the inserts would.
    """
    if settings and connection.in_atomic_block:
        raise RuntimeError("issue_in_one_statement(settings=...) runs outside a transaction")
    values = [
        f.get_db_prep_save(f.pre_save(voucher, True), connection)
        for f in _insert_columns(type(voucher))
    ]
    key_values = [
        f.get_db_prep_save(f.pre_save(key, True), connection)
        for f in _insert_columns(type(key))
        if f.name != "voucher"
    ]
    with connection.cursor() as cursor:
        if settings:
            # Client-side binding (Django's default with psycopg 3) sends both as one query;
            # the statement's rows are the last result.
            cursor.execute(
                f"{settings}; {_claim_sql()}", [voucher.campaign_id, *values, *key_values]
            )
            while cursor.nextset():
                pass
        else:
            cursor.execute(_claim_sql(), [voucher.campaign_id, *values, *key_values])
        row = cursor.fetchone()
    if row is None:
        return False
    voucher.pk = row[0]
    voucher._state.adding = False
    voucher._state.db = connection.alias
    return True
