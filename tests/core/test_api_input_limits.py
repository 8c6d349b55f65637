"""Bad input never makes a 500: deep JSON, out-of-range parameters, oversized bodies, DEBUG."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.conftest import World
from tests.core.test_api_errors import error

DEEP = "[" * 50_000 + "]" * 50_000
HUGE = "9" * 30  # far beyond a 64-bit integer


def token_client(world: World, role: str) -> Client:
    key = Token.objects.create(user=world.users[role]).key
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.mark.parametrize(
    "path",
    ["/api/v1/organisations/", "/api/v1/registrations/approve/", "/api/v1/vouchers/redeem/"],
)
def test_api_deeply_nested_json_answers_400_malformed(world: World, path: str) -> None:
    response = world.client_for("admin").post(path, DEEP, content_type="application/json")

    assert response.status_code == 400
    assert error(response)["code"] == "malformed"


def test_api_deeply_nested_json_on_the_hot_path_answers_400_malformed(world: World) -> None:
    # The gate scan's hot path parses the body before it authenticates (xiqia/core/hotpaths.py).
    response = token_client(world, "organiser").post(
        f"/api/v1/gates/{world.gate.pk}/scan/", DEEP, content_type="application/json"
    )

    assert response.status_code == 400
    assert error(response)["code"] == "malformed"


def test_api_json_nested_33_deep_refused_and_32_deep_read(world: World) -> None:
    client = world.client_for("admin")
    deep = {"name_zh": "x"}
    for _ in range(31):
        deep = {"a": deep}

    read = client.post("/api/v1/organisations/", json.dumps(deep), content_type="application/json")
    refused = client.post(
        "/api/v1/organisations/", json.dumps({"a": deep}), content_type="application/json"
    )

    assert (read.status_code, error(read)["code"]) == (400, "invalid")
    assert (refused.status_code, error(refused)["code"]) == (400, "malformed")


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/regions/?year=9999", "year"),
        ("/api/v1/regions/?year=0", "year"),
        ("/api/v1/regions/?year=2021.5", "year"),
        ("/api/v1/investment/deals/?year=9999", "year"),
        ("/api/v1/investment/deals/?year=0", "year"),
        ("/api/v1/investment/kpis/?year=10000", "year"),
        (f"/api/v1/investment/kpis/?cluster={HUGE}", "cluster"),
        (f"/api/v1/investment/projects/?park={HUGE}", "park"),
        ("/api/v1/investment/projects/?cluster=-1", "cluster"),
        (f"/api/v1/investment/deals/?cluster={HUGE}", "cluster"),
        ("/api/v1/investment/projects/?park=١٢", "park"),  # Arabic-Indic digits are not ASCII
    ],
)
def test_api_out_of_range_query_parameter_answers_400_naming_it(
    world: World, path: str, parameter: str
) -> None:
    response = world.client_for("admin").get(path)

    assert response.status_code == 400
    assert list(error(response)["fields"]) == [parameter]


def test_api_year_in_range_is_read(world: World) -> None:
    response = world.client_for("admin").get("/api/v1/regions/?year=2021&code=500112")

    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["500112"]


def test_api_huge_id_in_path_answers_404(world: World) -> None:
    response = world.client_for("admin").get(f"/api/v1/organisations/{HUGE}/")

    assert (response.status_code, error(response)["code"]) == (404, "not_found")


def test_api_participant_bulk_approving_a_huge_id_answers_403(world: World) -> None:
    # Permission first: whoever may not approve is refused before the ids are read.
    response = world.client_for("participant").post(
        "/api/v1/registrations/approve/",
        json.dumps({"ids": [int(HUGE)]}),
        content_type="application/json",
    )

    assert (response.status_code, error(response)["code"]) == (403, "permission_denied")


def test_api_participant_approving_a_huge_id_answers_404(world: World) -> None:
    # As for any registration the caller cannot see (tests/accounts/test_access_matrix.py).
    response = world.client_for("participant").post(
        f"/api/v1/registrations/{HUGE}/approve/", "{}", content_type="application/json"
    )

    assert (response.status_code, error(response)["code"]) == (404, "not_found")


def test_api_organiser_bulk_approving_a_huge_id_answers_400_naming_ids(world: World) -> None:
    response = world.client_for("organiser").post(
        "/api/v1/registrations/approve/",
        json.dumps({"ids": [world.pending.pk, int(HUGE)]}),
        content_type="application/json",
    )

    world.pending.refresh_from_db()
    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["ids"]
    assert world.pending.status == "pending"


@pytest.mark.parametrize("hot", [False, True])
def test_api_body_over_the_limit_answers_413_in_the_error_format(
    world: World, settings: Any, hot: bool
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = token_client(world, "organiser") if hot else world.client_for("organiser")
    body = json.dumps({"token": "x" * 2000})

    response = client.post(
        f"/api/v1/gates/{world.gate.pk}/scan/", body, content_type="application/json"
    )

    assert response.status_code == 413
    assert error(response)["code"] == "too_large"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v1/no-such-thing/", 404, "not_found"),
        ("get", "/api/v1/organisations/999999/", 404, "not_found"),
        ("post", "/api/v1/organisations/", 401, "not_authenticated"),
    ],
)
def test_api_errors_are_json_with_debug_on(
    world: World, settings: Any, method: str, path: str, status: int, code: str
) -> None:
    settings.DEBUG = True

    client = Client()
    response = (
        client.post(path, "{}", content_type="application/json")
        if method == "post"
        else (client.get(path))
    )

    assert (response.status_code, error(response)["code"]) == (status, code)
