"""List pages and list endpoints make the same number of queries for 1 and for 3 rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import World, make_org, make_user
from xiqia.accounts import services as account_services
from xiqia.accounts.models import Role
from xiqia.directory.models import Organisation

LISTS: dict[str, str] = {
    "directory page": "/directory/",
    "people page": "/accounts/people/",
    "regions page": "/directory/regions/?q=5001",
    "organisations api": "/api/v1/organisations/",
    "people api": "/api/v1/people/",
    "regions api": "/api/v1/regions/?code=5001",
}


def count_queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def add_rows(world: World, n: int) -> None:
    start = Organisation.objects.count()
    for i in range(start, start + n):
        org = make_org(f"加测企业{i}", "500112")
        org.industries.add(world.industry)
        account_services.membership_grant(
            user=make_user(f"extra{i}"), role=Role.ORG_MEMBER, organisation=org
        )


@pytest.mark.parametrize("name", list(LISTS))
def test_list_query_count_is_constant_in_rows(world: World, name: str) -> None:
    client = world.client_for("yubei_officer")
    path = LISTS[name]
    client.get(path)  # warm caches (content types, sessions)
    add_rows(world, 1)
    with_one = count_queries(lambda: client.get(path))

    add_rows(world, 2)
    with_three = count_queries(lambda: client.get(path))

    assert with_one == with_three
