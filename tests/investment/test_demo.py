"""The investment demo: the source document's facts as facts, generated deals marked as such."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from xiqia.core.origin import Origin
from xiqia.investment import selectors
from xiqia.investment.models import AnchorEnterprise, Cluster, Deal, Indicator, Milestone

pytestmark = pytest.mark.django_db


def test_investment_demo_facts_and_generated_deals(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("load_demo", "--quiet-accounts", stdout=StringIO())

    clusters = Cluster.objects.filter(region__code="500112", origin=Origin.FACT)
    assert clusters.count() == 5
    assert set(clusters.values_list("target_amount", flat=True)) == {Decimal(100_000_000_000)}
    assert clusters.get(name_zh="智能终端").target_year == 2025
    anchors = AnchorEnterprise.objects.filter(cluster__name_zh="智能终端", origin=Origin.FACT)
    assert sorted(anchors.values_list("organisation__name_zh", "role")) == [
        ("OPPO", "device_brand"),
        ("传音", "device_brand"),
        ("天实精工", "component_maker"),
        ("捷荣", "component_maker"),
    ]
    figures = dict(Indicator.objects.filter(origin=Origin.FACT).values_list("name_en", "value"))
    assert figures == {
        "Brands signed": Decimal(150),
        "Floor area signed": Decimal(94_800),
        "Key projects brought in": Decimal(10),
        "Parcels handled a day": Decimal(1_600_000),
    }

    deals = Deal.objects.all()
    assert deals.exists()
    assert set(deals.values_list("origin", flat=True)) == {Origin.GENERATED}
    roots = deals.filter(counts_as_deal=True)
    assert set(roots.values_list("credited_event__fair__slug", flat=True)) == {"xiqia-2021"}
    assert set(Milestone.objects.values_list("origin", flat=True)) == {Origin.GENERATED}
    # Liangjiang's dashboard shows the deals Yubei signed in 2021.
    assert selectors.kpi_summary(region=Cluster.objects.first().region).deals_signed > 0
    found = selectors.project_catalogue(who=None, q="物流").values_list("title_zh", flat=True)
    assert "航空物流园冷链仓储项目" in found
