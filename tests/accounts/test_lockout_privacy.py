"""The lockout keeps no attempted user name as typed: axes stores a keyed hash."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD, make_user
from xiqia.accounts.lockout import hash_username

pytestmark = pytest.mark.django_db

TYPED = "13800138000"  # people type their mobile number as the user name


def stored_text(model: type) -> str:
    return " ".join(str(row) for row in model.objects.values_list())


def test_lockout_stores_no_plain_attempted_user_name() -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": TYPED, "password": "wrong"})

    attempt = AccessAttempt.objects.get()
    assert attempt.username == hash_username(TYPED)
    assert attempt.username.startswith("hmac:") and len(attempt.username) == 69
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    assert TYPED not in stored_text(AccessAttempt)
    assert "0013" not in stored_text(AccessAttempt)
    # Still locked: the same name typed again meets the same hash.
    locked = client.post("/accounts/login/", {"username": TYPED, "password": "wrong"})
    assert locked.status_code == 429


def test_lockout_access_log_stores_the_hashed_name_and_resets_on_success() -> None:
    make_user("zhang")
    client = Client()
    client.post("/accounts/login/", {"username": "zhang", "password": "wrong"})
    assert AccessAttempt.objects.get().username == hash_username("zhang")

    assert (
        client.post("/accounts/login/", {"username": "zhang", "password": PASSWORD}).status_code
        == 302
    )
    assert AccessAttempt.objects.count() == 0  # reset on success finds the hashed row
    log = AccessLog.objects.get()
    assert log.username == hash_username("zhang")
    assert "zhang" not in stored_text(AccessLog)

    client.post("/accounts/logout/")
    log.refresh_from_db()
    assert log.logout_time is not None


def test_hash_username_is_keyed_and_idempotent() -> None:
    hashed = hash_username(TYPED)
    assert hash_username(hashed) == hashed
    assert hash_username(" 13800138000 ") == hashed
    assert hash_username("13800138001") != hashed
    assert hash_username(None) is None
