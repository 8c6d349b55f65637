"""API tokens: a token's user and roles are cached briefly, never with personal data."""

from __future__ import annotations

import datetime
from typing import Any

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from tests.conftest import World, make_user
from xiqia.accounts import services
from xiqia.accounts.models import Membership, Role
from xiqia.accounts.tokens import _key


def gates_seen(token: Token) -> int:
    """Return how many gates the token's user sees (organisers see every gate; others none)."""
    response = Client().get("/api/v1/gates/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    return response.json()["count"]


def call(token: Token, path: str) -> tuple[int, int]:
    """Return the status and the number of queries of an API call with this token."""
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(path, HTTP_AUTHORIZATION=f"Token {token.key}")
    return response.status_code, len(captured)


def test_second_call_skips_the_token_and_role_queries(world: World) -> None:
    token = Token.objects.create(user=world.users["organiser"])

    first = call(token, "/api/v1/gates/")
    second = call(token, "/api/v1/gates/")

    assert first[0] == second[0] == 200
    assert first[1] - second[1] == 2  # the token with its user, and the memberships


def test_cached_entry_holds_no_password_phone_or_id_number(world: World) -> None:
    user = make_user("zhang")
    services.user_update_profile(user=user, full_name="Zhang", email="", phone="13800138000")
    token = Token.objects.create(user=user)

    assert call(token, "/api/v1/me/")[0] == 200

    entry = cache.get(_key(token.key))
    assert entry["user"]["username"] == "zhang"
    assert {"password", "phone", "phone_digest", "id_number", "id_number_digest"}.isdisjoint(
        entry["user"]
    )
    assert "13800138000" not in repr(entry)
    assert token.key not in repr(cache._cache.keys())  # type: ignore[attr-defined]


def test_cached_user_still_reads_personal_fields_from_the_database(world: World) -> None:
    user = make_user("zhang")
    services.user_update_profile(user=user, full_name="Zhang", email="", phone="13800138000")
    token = Token.objects.create(user=user)
    call(token, "/api/v1/me/")

    cached = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}").json()

    assert cached["username"] == "zhang"
    assert cached["phone"] == "138****8000"


def test_granted_role_is_seen_on_the_next_call(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    user = make_user("zhang")
    token = Token.objects.create(user=user)
    assert gates_seen(token) == 0

    with django_capture_on_commit_callbacks(execute=True):
        services.membership_grant(user=user, role=Role.FAIR_ORGANISER)

    assert gates_seen(token) > 0


def test_role_removed_in_the_admin_is_seen_on_the_next_call(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    user = make_user("zhang", Role.FAIR_ORGANISER)
    token = Token.objects.create(user=user)
    assert gates_seen(token) > 0
    admin = Client()
    admin.force_login(world.users["admin"])
    membership = Membership.objects.get(user=user, role=Role.FAIR_ORGANISER)

    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/admin/accounts/membership/{membership.pk}/delete/", {"post": "yes"})

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert gates_seen(token) == 0


def test_deactivated_user_is_refused_on_the_next_call(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    user = make_user("zhang", Role.FAIR_ORGANISER)
    token = Token.objects.create(user=user)
    assert call(token, "/api/v1/gates/")[0] == 200
    admin = Client()
    admin.force_login(world.users["admin"])
    form = admin.get(f"/admin/accounts/user/{user.pk}/change/").context["adminform"].form
    data: dict[str, Any] = {
        name: value for name, value in form.initial.items() if value is not None
    }
    data.update(
        {
            "is_active": "",
            "date_joined_0": "2021-05-20",
            "date_joined_1": "09:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/accounts/user/{user.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert call(token, "/api/v1/gates/")[0] == 401


def test_deleted_token_is_refused_once_the_cache_expires(world: World) -> None:
    token = Token.objects.create(user=world.users["organiser"])
    with time_machine.travel(datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.UTC)) as clock:
        assert call(token, "/api/v1/gates/")[0] == 200
        Token.objects.filter(key=token.key).delete()
        assert call(token, "/api/v1/gates/")[0] == 200  # remembered for up to 30 s
        clock.shift(31)
        assert call(token, "/api/v1/gates/")[0] == 401


def test_without_the_cache_a_deleted_token_is_refused_at_once(world: World, settings: Any) -> None:
    settings.AUTH_CACHE_SECONDS = 0
    token = Token.objects.create(user=world.users["organiser"])
    assert call(token, "/api/v1/gates/")[0] == 200

    Token.objects.filter(key=token.key).delete()

    assert call(token, "/api/v1/gates/")[0] == 401
