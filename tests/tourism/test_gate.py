"""The Redis gate in front of first-come claims (xiqia/tourism/gate.py), on a real Redis.

The claim API's own tests run again through the gate (``test_gate_api.py``); these are the gate's
own promises: the crowd's refusals cost no database work, the database keeps the last word
whatever Redis holds, and reconciliation gives back what a dead claim took.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_user
from tests.tourism.conftest import ALICE_ID, BOB_ID, CAROL_ID, TourismWorld, make_campaign
from xiqia.core import personal
from xiqia.core.errors import DomainError
from xiqia.core.personal import PersonalKind
from xiqia.tourism import gate, selectors, services, stock
from xiqia.tourism.models import IdempotencyKey, Voucher

pytestmark = pytest.mark.usefixtures("gate_on")


def claim(tw: TourismWorld, number: str, key: str, holder: Any = None, **extra: Any) -> Any:
    campaign = extra.pop("campaign", tw.campaign)
    body = {"holder_name": "张三", "id_number": number}
    return services.voucher_claim_idempotent(
        key=key,
        request_hash=services.claim_request_hash(campaign=campaign, body=body),
        holder=holder or tw.resident,
        campaign=campaign,
        **body,
        **extra,
    )


def left_in_gate(redis: Any, campaign: Any) -> int:
    return int(redis.get(f"xiqia:tourism:gate:{campaign.pk}:left"))


def digest(number: str) -> str:
    return personal.digest(PersonalKind.ID_NUMBER, number)


def test_first_claim_builds_the_gate_from_the_database(tw: TourismWorld, gate_on: Any) -> None:
    services.voucher_claim(campaign=tw.campaign, holder_name="李四", id_number=BOB_ID)

    voucher, replayed = claim(tw, ALICE_ID, "k1")  # cold: built (9 left), then through it
    second, _ = claim(tw, CAROL_ID, "k2", holder=make_user("carol"))

    assert not replayed and voucher.pk and second.pk
    assert Voucher.objects.filter(campaign=tw.campaign).count() == 3
    assert left_in_gate(gate_on, tw.campaign) == 7 == tw.campaign.remaining
    claimed = {m.decode() for m in gate_on.smembers(f"xiqia:tourism:gate:{tw.campaign.pk}:claimed")}
    assert claimed == {digest(BOB_ID), digest(ALICE_ID), digest(CAROL_ID)}


def test_second_try_and_sold_out_are_answered_without_writing(
    tw: TourismWorld, gate_on: Any
) -> None:
    campaign = make_campaign(slug="one-left", total=1)
    claim(tw, BOB_ID, "warm", holder=make_user("bob"), campaign=campaign)  # builds the gate
    with pytest.raises(DomainError):
        claim(tw, ALICE_ID, "k1", campaign=campaign)

    bob_again, carol = make_user("bob2"), make_user("carol")
    campaign = selectors.published_campaign_for_claim("one-left")  # as the API reads it

    with CaptureQueriesContext(connection) as again, pytest.raises(DomainError) as refused:
        claim(tw, BOB_ID, "k2", holder=bob_again, campaign=campaign)
    with CaptureQueriesContext(connection) as late, pytest.raises(DomainError) as sold_out:
        claim(tw, CAROL_ID, "k3", holder=carol, campaign=campaign)

    assert refused.value.code == "already_claimed"
    # One look-up: is this Idempotency-Key known from before the gate?
    assert [q["sql"].split()[0] for q in again.captured_queries] == ["SELECT"]
    assert sold_out.value.code == "sold_out"
    assert len(late.captured_queries) == 0
    assert Voucher.objects.filter(campaign=campaign).count() == 1
    assert not IdempotencyKey.objects.filter(key__in=["k2", "k3"]).exists()


def test_the_database_has_the_last_word_when_the_gate_counts_too_many(
    tw: TourismWorld, gate_on: Any
) -> None:
    claim(tw, BOB_ID, "k0", holder=make_user("bob"))  # builds the gate: 9 left
    stock.set_left(tw.campaign, 1)  # the database knows better than the gate
    gate_on.set(f"xiqia:tourism:gate:{tw.campaign.pk}:left", 100)

    claim(tw, ALICE_ID, "k1")
    with pytest.raises(DomainError) as refused:
        claim(tw, CAROL_ID, "k2", holder=make_user("carol"))

    assert refused.value.code == "sold_out"
    assert Voucher.objects.filter(campaign=tw.campaign).count() == 2
    assert tw.campaign.remaining == 0
    assert left_in_gate(gate_on, tw.campaign) == 0  # the gate follows the database


def test_a_person_already_in_the_database_is_refused_and_remembered(
    tw: TourismWorld, gate_on: Any
) -> None:
    claim(tw, BOB_ID, "k0", holder=make_user("bob"))  # builds the gate
    # Alice claims on a page (no gate) after the gate was built: the gate does not know her.
    services.voucher_claim(campaign=tw.campaign, holder_name="张三", id_number=ALICE_ID)

    with pytest.raises(DomainError) as refused:
        claim(tw, ALICE_ID, "k1")

    assert refused.value.code == "already_claimed"
    assert gate_on.sismember(f"xiqia:tourism:gate:{tw.campaign.pk}:claimed", digest(ALICE_ID))
    # The count she was admitted with went back; her page claim is one the gate never saw,
    # so it counts one too many (harmless: the database decides) until reconciled.
    assert (left_in_gate(gate_on, tw.campaign), tw.campaign.remaining) == (9, 8)
    assert gate.reconcile(tw.campaign)["aligned"] == 1
    assert left_in_gate(gate_on, tw.campaign) == 8


def test_reconcile_gives_back_what_a_dead_claim_took(tw: TourismWorld, gate_on: Any) -> None:
    claim(tw, BOB_ID, "k0", holder=make_user("bob"))  # builds the gate: 9 left
    # A process admitted two claims and died before its database wrote them; a third was
    # written but died before settling.
    for number, user in [(ALICE_ID, 1), (CAROL_ID, 2)]:
        verdict, _ = gate.admit(
            campaign_pk=tw.campaign.pk,
            digest=digest(number),
            user_pk=user,
            key="x",
            request_hash="h",
        )
        assert verdict == "admitted"
    third = "110101199003070011"
    gate.admit(
        campaign_pk=tw.campaign.pk, digest=digest(third), user_pk=3, key="x", request_hash="h"
    )
    services.voucher_claim(campaign=tw.campaign, holder_name="王五", id_number=third)
    assert left_in_gate(gate_on, tw.campaign) == 6

    fresh = gate.reconcile(tw.campaign)  # nothing is stale yet: nothing happens
    result = gate.reconcile(tw.campaign, stale_after_ms=-1)

    assert fresh == {"released": 0, "confirmed": 0, "aligned": 0}
    assert result == {"released": 2, "confirmed": 1, "aligned": 0}
    assert left_in_gate(gate_on, tw.campaign) == 8 == tw.campaign.remaining
    assert gate_on.sismember(f"xiqia:tourism:gate:{tw.campaign.pk}:claimed", digest(third))
    # Alice can claim again: her dead admission no longer holds her.
    voucher, _ = claim(tw, ALICE_ID, "k1")
    assert voucher.pk


def test_reconcile_aligns_an_idle_gate_with_the_database(tw: TourismWorld, gate_on: Any) -> None:
    claim(tw, BOB_ID, "k0", holder=make_user("bob"))
    gate_on.set(f"xiqia:tourism:gate:{tw.campaign.pk}:left", 2)  # a leak of 7

    with pytest.raises(DomainError):
        for i, number in enumerate([ALICE_ID, CAROL_ID, "110101199003070011"]):
            claim(tw, number, f"k{i}", holder=make_user(f"p{i}"))
    result = gate.reconcile(tw.campaign)

    assert result["aligned"] == 1
    assert left_in_gate(gate_on, tw.campaign) == tw.campaign.remaining == 7


def test_sold_out_with_stale_admissions_reconciles_by_itself(
    tw: TourismWorld, gate_on: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = make_campaign(slug="two", total=2)
    claim(tw, BOB_ID, "k0", holder=make_user("bob"), campaign=campaign)  # 1 left
    gate.admit(
        campaign_pk=campaign.pk, digest=digest(CAROL_ID), user_pk=9, key="x", request_hash="h"
    )  # dies: the gate now says sold out
    monkeypatch.setattr(gate, "STALE_AFTER_MS", -1)

    with pytest.raises(DomainError) as first:
        claim(tw, ALICE_ID, "k1", campaign=campaign)
    voucher, _ = claim(tw, ALICE_ID, "k2", campaign=campaign)

    assert first.value.code == "sold_out"  # the answer the gate had, while it swept
    assert voucher.pk and campaign.remaining == 0


def test_flushed_redis_falls_back_to_the_database_and_rebuilds(
    tw: TourismWorld, gate_on: Any
) -> None:
    claim(tw, BOB_ID, "k0", holder=make_user("bob"))
    gate_on.flushdb()

    with pytest.raises(DomainError) as refused:
        claim(tw, BOB_ID, "k1", holder=make_user("bob2"))  # cold: the database refuses
    claim(tw, ALICE_ID, "k2")

    assert refused.value.code == "already_claimed"
    assert left_in_gate(gate_on, tw.campaign) == 8 == tw.campaign.remaining
    assert gate_on.sismember(f"xiqia:tourism:gate:{tw.campaign.pk}:claimed", digest(BOB_ID))


def test_no_redis_means_the_database_path(tw: TourismWorld, gate_on: Any, settings: Any) -> None:
    settings.VOUCHER_GATE_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    voucher, _ = claim(tw, ALICE_ID, "k1")
    with pytest.raises(DomainError) as refused:
        claim(tw, ALICE_ID, "k2")

    assert voucher.pk and refused.value.code == "already_claimed"
    assert tw.campaign.remaining == 9


def test_a_new_total_drops_the_gate(
    tw: TourismWorld, gate_on: Any, django_capture_on_commit_callbacks: Any
) -> None:
    claim(tw, BOB_ID, "k0", holder=make_user("bob"))
    assert left_in_gate(gate_on, tw.campaign) == 9

    tw.campaign.total_count = 20
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_save(campaign=tw.campaign, actor=None)
    claim(tw, ALICE_ID, "k1")  # cold: rebuilt from the database, then through it
    claim(tw, CAROL_ID, "k2", holder=make_user("carol"))

    assert left_in_gate(gate_on, tw.campaign) == 17 == tw.campaign.remaining


def test_keys_hold_no_id_number_name_or_token(tw: TourismWorld, gate_on: Any) -> None:
    claim(tw, BOB_ID, "k0", holder=make_user("bob"))
    claim(tw, ALICE_ID, "k1")

    dump = b" ".join(
        key + b" " + b" ".join(sorted(gate_on.smembers(key)) if gate_on.type(key) == b"set" else [])
        for key in gate_on.keys("*")
    )
    for secret in (ALICE_ID, BOB_ID, "张三", "k1"):
        assert secret.encode() not in dump


def test_reconcile_command_reports_each_campaign(tw: TourismWorld, gate_on: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    claim(tw, BOB_ID, "k0", holder=make_user("bob"))
    gate_on.set(f"xiqia:tourism:gate:{tw.campaign.pk}:left", 3)
    out = StringIO()

    call_command("reconcile_voucher_gates", stdout=out)

    assert out.getvalue() == (
        f"{tw.campaign.slug}: 0 given back, 0 confirmed, count aligned: yes\n"
    )
    assert left_in_gate(gate_on, tw.campaign) == 9


def test_reconcile_command_refuses_without_a_gate(settings: Any) -> None:
    from django.core.management import CommandError, call_command

    settings.VOUCHER_GATE_URL = ""

    with pytest.raises(CommandError, match="gate is off"):
        call_command("reconcile_voucher_gates")


def test_claim_limits_slide_in_one_redis_script(
    tw: TourismWorld, gate_on: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.test import RequestFactory

    from xiqia.tourism import ratelimits

    settings.VOUCHER_CLAIM_RATE_ACCOUNT = "2/min"
    settings.VOUCHER_CLAIM_RATE_IP = "100/min"
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimits.time, "time", lambda: clock[0])
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    request.user = tw.resident

    def wait_after(seconds: float) -> float | None:
        clock[0] += seconds
        return ratelimits.claim_wait(request)

    assert wait_after(0) is None
    assert wait_after(10) is None
    assert wait_after(5) == 45.0  # the first try leaves the window at 60 s
    assert wait_after(45.001) is None  # it has left: one more
    assert wait_after(0) == 9.999
    # The address recorded every try, refused ones too; the first has left its window.
    assert gate_on.zcard("xiqia:tourism:claim-rate:ip:203.0.113.9") == 4


def test_a_page_claim_goes_through_the_gate(tw: TourismWorld, gate_on: Any) -> None:
    from django.test import Client

    client = Client()
    client.force_login(tw.resident)
    claim(tw, BOB_ID, "k0", holder=make_user("bob"))  # builds the gate

    response = client.post(
        f"/tourism/campaigns/{tw.campaign.slug}/", {"holder_name": "张三", "id_number": ALICE_ID}
    )

    assert response.status_code == 302
    assert left_in_gate(gate_on, tw.campaign) == 8 == tw.campaign.remaining
    claimed = {m.decode() for m in gate_on.smembers(f"xiqia:tourism:gate:{tw.campaign.pk}:claimed")}
    assert digest(ALICE_ID) in claimed


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL")
def test_an_admitted_claim_writes_in_one_statement(tw: TourismWorld, gate_on: Any) -> None:
    claim(tw, BOB_ID, "k0", holder=make_user("bob"))  # builds the gate

    with CaptureQueriesContext(connection) as writes:
        voucher, _ = claim(tw, ALICE_ID, "k1")

    statements = [q["sql"].split()[0] for q in writes.captured_queries]
    assert statements.count("WITH") == 1 and "INSERT" not in statements, statements
    record = IdempotencyKey.objects.get(user=tw.resident, key="k1")
    assert (record.voucher_id, record.completed, record.response_status) == (voucher.pk, True, 201)
    stored = Voucher.objects.get(pk=voucher.pk)
    assert (stored.code, stored.id_number_digest) == (voucher.code, digest(ALICE_ID))
    assert stored.id_number.reveal() == ALICE_ID
    assert tw.campaign.remaining == 8


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL")
def test_one_statement_falls_back_when_every_share_is_held(
    tw: TourismWorld, gate_on: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim(tw, BOB_ID, "k0", holder=make_user("bob"))
    monkeypatch.setattr(stock, "issue_in_one_statement", lambda voucher, key: False)

    voucher, _ = claim(tw, ALICE_ID, "k1")  # the step-by-step way: waits, or sold out

    assert IdempotencyKey.objects.get(key="k1").voucher_id == voucher.pk
    assert tw.campaign.remaining == 8


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_write_is_one_round_trip_with_bounded_waits(
    tw: TourismWorld, gate_on: Any
) -> None:
    """A request is in no transaction: the bounds on waiting and the statement go to the server
    as one message, committed by it; a wait on another claim still ends in "busy"."""
    claim(tw, BOB_ID, "k0", holder=make_user("bob"))  # builds the gate
    assert not connection.in_atomic_block

    with CaptureQueriesContext(connection) as sent:
        voucher, _ = claim(tw, ALICE_ID, "k1")

    writes = [q["sql"] for q in sent.captured_queries if not q["sql"].startswith("SELECT")]
    assert len(writes) == 1, [sql[:40] for sql in writes]  # no BEGIN, SAVEPOINT or COMMIT
    assert writes[0].startswith(services.WAIT_BOUNDS + "; WITH ")
    assert connection.get_autocommit()
    assert Voucher.objects.get(pk=voucher.pk).id_number.reveal() == ALICE_ID
    assert IdempotencyKey.objects.get(key="k1").voucher_id == voucher.pk

    # Carol's first claim is written, not yet committed, by someone else: the one statement
    # waits on her row, at most the lock timeout, then answers busy and leaves nothing behind.
    written, release = threading.Event(), threading.Event()

    def other_claim() -> None:
        try:
            with transaction.atomic():
                services.voucher_claim(campaign=tw.campaign, holder_name="王五", id_number=CAROL_ID)
                written.set()
                release.wait(30)
        finally:
            connections.close_all()

    other = threading.Thread(target=other_claim)
    other.start()
    try:
        assert written.wait(30)
        with pytest.raises(DomainError) as refused:
            claim(tw, CAROL_ID, "k2", holder=make_user("carol"))
    finally:
        release.set()
        other.join()

    assert refused.value.code == "busy"
    assert not IdempotencyKey.objects.filter(key="k2").exists()
    assert Voucher.objects.filter(campaign=tw.campaign).count() == 3  # Bob, Alice, Carol's other
    with pytest.raises(DomainError) as again:  # the gate gave her admission back
        claim(tw, CAROL_ID, "k3", holder=make_user("carol2"))
    assert again.value.code == "already_claimed"
    # Her other claim bypassed the gate, which counts it back in at its next reconciliation.
    assert (tw.campaign.remaining, left_in_gate(gate_on, tw.campaign)) == (7, 8)
    assert gate.reconcile(tw.campaign)["aligned"] == 1
    assert left_in_gate(gate_on, tw.campaign) == 7
