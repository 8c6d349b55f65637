"""The investment list pages make the same number of queries for 1 and for 3 rows."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_org
from tests.investment.conftest import YI, InvestmentWorld
from xiqia.investment import services
from xiqia.investment.models import Park

LISTS: dict[str, str] = {
    "catalogue": "/investment/",
    "catalogue searched": "/investment/?q=物流",
    "catalogue filtered": "/investment/?status=open&region={region}",
    "catalogue rows (htmx)": "/investment/?q=物流&htmx",
    "deals": "/investment/deals/",
    "deals filtered": "/investment/deals/?overdue=on&year=2021&stage=signed",
    "deals widened": "/investment/deals/?scope=all",
    "dashboard": "/investment/dashboard/",
    "district dashboard": "/investment/dashboard/districts/500157/",
    "cluster dashboard": "/investment/dashboard/clusters/{cluster}/",
    "projects export": "/investment/projects.xlsx?q=物流",
    "deals export": "/investment/deals.xlsx",
    "kpis export": "/investment/dashboard/kpis.xlsx?region=500157",
}


def count_queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def add_rows(inv: InvestmentWorld, n: int) -> None:
    park = Park.objects.get_or_create(region=inv.liangjiang, name_zh="木耳航空物流园")[0]
    start = park.projects.count()
    for i in range(start, start + n):
        services.project_create(
            actor=None,
            region=inv.liangjiang,
            park=park,
            cluster=inv.cluster,
            industry=inv.world.industry,
            title_zh=f"航空物流园项目{i}",
            investment_sought=YI,
            is_published=True,
        )
        inv.deal(
            investor=make_org(f"投资方{i}", "500000", kind="investor"),
            park=inv.park,
            officer=inv.world.users["yubei_officer"],
            signed_at=datetime.date(2021, 5, 21),
        )


@pytest.mark.parametrize("name", list(LISTS))
def test_list_query_count_is_constant_in_rows(inv: InvestmentWorld, name: str) -> None:
    client = inv.world.client_for("yubei_officer")
    path = LISTS[name].format(region=inv.liangjiang.pk, cluster=inv.cluster.pk)
    headers = {"HTTP_HX_REQUEST": "true"} if path.endswith("&htmx") else {}
    client.get(path, **headers)  # warm caches (content types, sessions)
    add_rows(inv, 1)
    with_one = count_queries(lambda: client.get(path, **headers))

    add_rows(inv, 2)
    with_three = count_queries(lambda: client.get(path, **headers))

    assert with_one == with_three
