"""Fifty officers press "approve" on one case at once, on PostgreSQL: exactly one transition.

The same harness runs the real service and a deliberately naive version that reads the state
without locking the row; the naive one makes several transitions, which proves the harness can
catch the race the real service guards against.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections, transaction
from django.utils import timezone

from tests.govservice.conftest import GovWorld
from xiqia.core.errors import DomainError
from xiqia.govservice import services
from xiqia.govservice.models import Case, CaseState, CaseTransition
from xiqia.govservice.transitions import Action, move_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency is proven on PostgreSQL (DATABASE_URL)",
    ),
]

PRESSES, WORKERS = 50, 25


def naive_decide(*, case: Case, actor: Any, decision: str, document: str) -> None:
    """Read the state, then write, without the row lock: what the real service must never do."""
    with transaction.atomic():
        current = Case.objects.get(pk=case.pk)
        if move_for(current.state, Action.DECIDE) is None:
            raise DomainError("refused")
        time.sleep(0.005)  # the time a real request spends between reading and writing
        Case.objects.filter(pk=case.pk).update(state=CaseState.DECIDED, decision=decision)
        CaseTransition.objects.create(
            case=current,
            action=Action.DECIDE,
            from_state=current.state,
            to_state=CaseState.DECIDED,
            actor=actor,
            role="reviewer",
            at=timezone.now(),
        )


def rush(gov: GovWorld, decide: Callable[..., Any]) -> dict[str, int]:
    case = gov.advance(gov.receive(), CaseState.REVIEWED)
    reviewer = gov.users["xd_reviewer"]
    go = threading.Event()
    outcomes = {"moved": 0, "refused": 0}
    lock = threading.Lock()

    def one(i: int) -> None:
        go.wait(timeout=30)  # every worker starts at the same moment
        try:
            decide(
                case=case, actor=reviewer, decision="approved", document=f"新都审批〔2025〕{i}号"
            )
            outcome = "moved"
        except (DomainError, PermissionDenied):
            outcome = "refused"
        finally:
            connections.close_all()
        with lock:
            outcomes[outcome] += 1

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(one, i) for i in range(PRESSES)]
        go.set()
        for future in futures:
            future.result()
    case.refresh_from_db()
    return {
        **outcomes,
        "decide_rows": CaseTransition.objects.filter(case=case, action=Action.DECIDE).count(),
        "decided": int(case.state == CaseState.DECIDED),
    }


def test_case_decide_fifty_presses_make_one_transition(gov: GovWorld) -> None:
    result = rush(gov, services.case_decide)

    assert result == {"moved": 1, "refused": PRESSES - 1, "decide_rows": 1, "decided": 1}


def test_case_decide_harness_catches_naive_version(gov: GovWorld) -> None:
    result = rush(gov, naive_decide)

    assert result["decide_rows"] > 1
    assert result["moved"] == result["decide_rows"]
