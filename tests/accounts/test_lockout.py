"""Sign-in lockout: repeated failures lock a username from an address until the cool-off ends."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.UTC)


def login(client: Client, password: str):
    return client.post("/accounts/login/", {"username": "zhang", "password": password})


def test_login_locks_after_repeated_failures_then_cools_off() -> None:
    make_user("zhang")
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert login(client, "wrong").status_code == 200  # the form again, with an error
        assert login(client, "wrong").status_code == 429  # the failure that reaches the limit

        locked = login(client, PASSWORD)
        assert locked.status_code == 429
        assert "data-locked" in locked.content.decode()

        traveller.shift(settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1))
        assert login(client, PASSWORD).status_code == 302


def test_login_failures_below_limit_do_not_lock() -> None:
    make_user("zhang")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "wrong")

    assert login(client, PASSWORD).status_code == 302


def test_api_token_is_refused_while_locked_out() -> None:
    make_user("zhang")
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post("/api/v1/auth/token/", {"username": "zhang", "password": "wrong"})

        refused = client.post("/api/v1/auth/token/", {"username": "zhang", "password": PASSWORD})
        assert refused.status_code in {400, 403, 429}
        assert "token" not in refused.json()

        traveller.shift(settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1))
        granted = client.post("/api/v1/auth/token/", {"username": "zhang", "password": PASSWORD})
        assert granted.status_code == 200
        assert len(granted.json()["token"]) == 40


def test_token_authenticates_api_calls() -> None:
    make_user("zhang")
    token = (
        Client()
        .post("/api/v1/auth/token/", {"username": "zhang", "password": PASSWORD})
        .json()["token"]
    )

    me = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")

    assert me.status_code == 200
    assert me.json()["username"] == "zhang"
