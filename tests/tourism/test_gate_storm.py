"""The claim storm of test_claim_storm.py through the Redis gate (xiqia/tourism/gate.py), on
PostgreSQL: exactly the stock issued and nobody twice, also while Redis loses its state in the
middle, and the stock held by claims that died is given back by reconciliation."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest

from tests.conftest import make_user
from tests.tourism import test_claim_storm
from tests.tourism.conftest import make_campaign
from tests.tourism.test_claim_storm import PEOPLE, STOCK, TRIES, WORKERS, storm
from xiqia.core.errors import DomainError
from xiqia.tourism import gate, services
from xiqia.tourism.models import VoucherCampaign

pytestmark = [*test_claim_storm.pytestmark, pytest.mark.usefixtures("gate_on")]
people = test_claim_storm.people  # the same 20,000 synthetic people


def gated(holder: Any) -> Any:
    """The API's claim: a new Idempotency-Key for every attempt, as an impatient person sends."""

    def claim(*, campaign: VoucherCampaign, holder_name: str, id_number: str) -> Any:
        body = {"holder_name": holder_name, "id_number": id_number}
        return services.voucher_claim_idempotent(
            key=uuid.uuid4().hex,
            request_hash=services.claim_request_hash(campaign=campaign, body=body),
            holder=holder,
            campaign=campaign,
            **body,
        )

    return claim


def gate_left(redis: Any, campaign_pk: int) -> int:
    return int(redis.get(f"xiqia:tourism:gate:{campaign_pk}:left"))


def test_gated_storm_issues_exactly_stock_with_no_duplicates(
    people: list[str], gate_on: Any
) -> None:
    result = storm(gated(make_user("crowd")), people, seed=11)

    assert (result["issued"], result["remaining"], result["duplicates"]) == (STOCK, 0, 0)
    outcomes = result["outcomes"]
    assert outcomes["issued"] == STOCK
    assert sum(outcomes.values()) == PEOPLE * TRIES
    assert set(outcomes) <= {"issued", "sold_out", "already_claimed", "busy"}
    campaign = VoucherCampaign.objects.get(slug="storm-11")
    assert gate_left(gate_on, campaign.pk) == 0
    # While the first claim built the gate, the other workers took the database path.
    claimed = gate_on.scard(f"xiqia:tourism:gate:{campaign.pk}:claimed")
    assert STOCK - WORKERS <= claimed <= STOCK


def test_gated_storm_survives_redis_losing_its_state(people: list[str], gate_on: Any) -> None:
    flushes: list[int] = []

    def flusher(done: threading.Event) -> None:
        while not done.is_set() and len(flushes) < 5:
            done.wait(0.5)
            gate_on.flushdb()
            flushes.append(1)

    result = storm(gated(make_user("crowd")), people[:6_000], seed=12, stock=1_000, during=flusher)

    assert flushes
    assert (result["issued"], result["remaining"], result["duplicates"]) == (1_000, 0, 0)


def test_gated_storm_leak_is_given_back_by_reconciliation(
    people: list[str], gate_on: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The storm may outlast the age at which a sold-out gate gives back pending claims by
    # itself: here only the reconciliation called below may give back the 50 (its age is -1).
    monkeypatch.setattr(gate, "STALE_AFTER_MS", 3_600_000)
    crowd = make_user("crowd")
    campaign = make_campaign(slug="storm-13", total=1_000)
    assert gate.build(campaign)
    # 50 claims admitted by processes that died before writing: the gate's count is 50 short.
    for i in range(50):
        digest = f"phantom-{i}"
        verdict, _ = gate.admit(
            campaign_pk=campaign.pk, digest=digest, user_pk=0, key=digest, request_hash="h"
        )
        assert verdict == "admitted"

    first = storm(gated(crowd), people[:4_000], seed=13, campaign=campaign)

    assert (first["issued"], first["remaining"], first["duplicates"]) == (950, 50, 0)
    assert gate_left(gate_on, campaign.pk) == 0  # the crowd was told: sold out

    released = gate.reconcile(campaign, stale_after_ms=-1)
    issued_late = 0
    for number in people[4_000:4_200]:
        try:
            gated(crowd)(campaign=campaign, holder_name="游客", id_number=number)
            issued_late += 1
        except DomainError:
            pass

    assert released["released"] == 50
    assert issued_late == 50
    campaign.refresh_from_db()
    assert campaign.remaining == 0 == gate_left(gate_on, campaign.pk)
