"""The fair's list endpoints make the same number of queries for 1 and for 3 rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.fair.conftest import FairWorld, make_event
from xiqia.fair import services


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def grow(world: FairWorld, n: int, start: int) -> None:
    for i in range(start, start + n):
        registration = world.register(f"p{i}", world.forum, world.race)
        services.check_in(gate=world.entrance, token=services.badge_token(registration.badge))
        make_event(world.fair, f"活动{i}")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/registrations/?fair=test-fair",
        "/api/v1/events/?fair=test-fair",
        "/api/v1/fairs/",
        "/api/v1/gates/",
        "/api/v1/badges/",
        "/api/v1/fairs/test-fair/arrivals/",
    ],
)
def test_fair_api_list_query_count_is_constant(fair_world: FairWorld, path: str) -> None:
    client = Client()
    client.force_login(fair_world.organiser)
    grow(fair_world, 1, 0)
    client.get(path)
    with_one = queries(client, path)

    grow(fair_world, 2, 1)
    with_three = queries(client, path)

    assert with_one == with_three
