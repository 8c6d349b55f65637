"""Deal chains across region changes, and revisions down.

Yubei District (500112, 1997-2025) and Jiangbei District (500105) merged into Liangjiang New
Area (500157) in 2025. A project signed under Yubei in 2021 and re-signed under Liangjiang is
one chain: the re-signing counts only its increment. A signing that lowers the agreed amount is
a revision down: no year shows a negative amount signed. Amounts in yuan, ``YI`` is 亿.
"""

from __future__ import annotations

import datetime
import importlib
import re
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import region
from tests.investment.conftest import YI, InvestmentWorld
from xiqia.investment import reports, selectors, services
from xiqia.investment.models import Deal

MARCH_2026 = datetime.date(2026, 3, 10)


def by_year(**slice_: Any) -> dict[int, tuple[Decimal, Decimal]]:
    return {
        k.key: (k.amount_signed, k.amount_revised_down) for k in selectors.kpis_by("year", **slice_)
    }


# Chains through the region's successor ----------------------------------------------------------


def test_deal_record_resigned_under_the_successor_joins_the_chain(inv: InvestmentWorld) -> None:
    # 2亿 contract under Yubei at the 2021 opening; re-signed for 5亿 under Liangjiang in
    # March 2026: one deal, the re-signing counts 3亿 in 2026, all credited to the opening.
    first = inv.deal()
    again = inv.deal(host_region=inv.liangjiang, amount=5 * YI, event=None, signed_at=MARCH_2026)

    first.refresh_from_db()
    assert (again.previous, again.root, again.counts_as_deal) == (first, first, False)
    assert (again.counted_amount, again.credited_event) == (3 * YI, inv.opening)
    assert (first.is_current, again.is_current) == (False, True)
    assert first.chain_region == again.chain_region == inv.liangjiang
    summary = selectors.kpi_summary(region=inv.liangjiang)
    assert (summary.deals_signed, summary.amount_signed) == (1, 5 * YI)
    assert by_year() == {2021: (2 * YI, 0), 2026: (3 * YI, 0)}
    assert [d.pk for d in selectors.deal_chain(again)] == [first.pk, again.pk]


def test_deal_record_resigned_under_the_successor_keeps_the_landing(inv: InvestmentWorld) -> None:
    # The contract's deadlines run from its first signing in 2021, not from the re-signing.
    first = inv.deal()
    again = inv.deal(host_region=inv.liangjiang, amount=3 * YI, event=None, signed_at=MARCH_2026)

    assert again.contract_signed_on == datetime.date(2021, 5, 20)
    assert again.construction_due_on == first.construction_due_on == datetime.date(2021, 11, 20)


def test_deal_record_replaying_the_predecessor_signing_returns_it(inv: InvestmentWorld) -> None:
    # An import of 2021's Yubei signings, run again after the re-signing under Liangjiang.
    first = inv.deal()
    inv.deal(host_region=inv.liangjiang, amount=5 * YI, event=None, signed_at=MARCH_2026)

    replayed = inv.deal()

    assert replayed.pk == first.pk
    assert Deal.objects.count() == 2


def test_deal_record_the_change_year_under_either_code_is_one_signing(
    inv: InvestmentWorld,
) -> None:
    # 2025 belongs to both codes: the same signing filed under Yubei, then under Liangjiang.
    day = datetime.date(2025, 6, 1)
    under_yubei = inv.deal(host_region=region("500112", 2025), event=None, signed_at=day)
    under_liangjiang = inv.deal(host_region=inv.liangjiang, event=None, signed_at=day)

    assert under_liangjiang.pk == under_yubei.pk
    assert Deal.objects.count() == 1


def test_deal_record_in_a_region_that_never_changed_chains_there(inv: InvestmentWorld) -> None:
    jiulongpo = inv.jiulongpo  # 500107, in force since 1997
    first = inv.deal(host_region=jiulongpo, cluster=None, amount=YI)
    second = inv.deal(
        host_region=jiulongpo, cluster=None, amount=3 * YI, event=None, signed_at=MARCH_2026
    )

    assert first.chain_region == jiulongpo
    assert (second.previous, second.counted_amount) == (first, 2 * YI)


def test_deal_record_two_projects_of_one_region_stay_two_chains(inv: InvestmentWorld) -> None:
    # Two subjects of one investor under Yubei; the re-signing under Liangjiang joins its own.
    park = inv.deal()
    warehouse = inv.deal(title_zh="空港冷链仓储中心", amount=YI)
    again = inv.deal(host_region=inv.liangjiang, amount=4 * YI, event=None, signed_at=MARCH_2026)

    assert (park.counts_as_deal, warehouse.counts_as_deal) == (True, True)
    assert (again.previous, again.counted_amount) == (park, 2 * YI)
    warehouse.refresh_from_db()
    assert warehouse.is_current
    assert selectors.kpi_summary(region=inv.liangjiang).deals_signed == 2


def test_deal_record_one_title_in_a_district_that_did_not_merge_is_another_chain(
    inv: InvestmentWorld,
) -> None:
    inv.deal()
    elsewhere = inv.deal(host_region=inv.jiulongpo, cluster=None, amount=3 * YI)

    assert (elsewhere.counts_as_deal, elsewhere.counted_amount) == (True, 3 * YI)
    assert elsewhere.previous is None


def test_deal_record_another_district_of_the_merger_joins_the_chain(
    inv: InvestmentWorld,
) -> None:
    # Jiangbei (500105) merged into Liangjiang too: the same investor's subject signed there
    # in 2022 is the same project in the region in force.
    first = inv.deal()
    jiangbei = inv.deal(
        host_region=region("500105"),
        cluster=None,
        amount=3 * YI,
        event=None,
        signed_at=datetime.date(2022, 1, 5),
    )

    assert (jiangbei.previous, jiangbei.counted_amount) == (first, YI)


def test_deal_second_chain_under_the_successor_is_refused_by_the_database(
    inv: InvestmentWorld,
) -> None:
    deal = inv.deal()
    twin = Deal.objects.get(pk=deal.pk)
    twin.pk = None
    twin.host_region = inv.liangjiang
    twin.signed_at = MARCH_2026
    twin.is_current = False  # only the one-chain-per-subject constraint can stop it now
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_deal_second_latest_under_the_successor_is_refused_by_the_database(
    inv: InvestmentWorld,
) -> None:
    first = inv.deal()
    again = inv.deal(host_region=inv.liangjiang, amount=5 * YI, event=None, signed_at=MARCH_2026)
    Deal.objects.filter(pk=again.pk).update(is_current=False)
    Deal.objects.filter(pk=first.pk).update(is_current=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.filter(pk=again.pk).update(is_current=True)


# Revisions down ---------------------------------------------------------------------------------


def test_deal_record_revision_down_is_no_negative_signing(inv: InvestmentWorld) -> None:
    # 5亿 contract in 2021, revised down to 3亿 in March 2022: 2021 signs 5亿, 2022 signs
    # nothing and revises 2亿 down.
    inv.deal(amount=5 * YI)
    revised = inv.deal(amount=3 * YI, event=None, signed_at=datetime.date(2022, 3, 1))

    assert (revised.counted_amount, revised.is_revision_down) == (-2 * YI, True)
    assert by_year() == {2021: (5 * YI, 0), 2022: (0, 2 * YI)}
    summary = selectors.kpi_summary()
    assert (summary.deals_signed, summary.amount_signed, summary.amount_revised_down) == (
        1,
        5 * YI,
        2 * YI,
    )
    in_2022 = selectors.kpi_summary(year=2022)
    assert (in_2022.deals_signed, in_2022.amount_signed, in_2022.amount_revised_down) == (
        0,
        0,
        2 * YI,
    )


def test_deal_record_revision_down_under_the_successor_counts_apart(
    inv: InvestmentWorld,
) -> None:
    # 2亿 under Yubei in 2021, 6亿 in 2022, 4亿 under Liangjiang in 2026: signed 2 + 4,
    # revised down 2 in 2026; one deal whose latest amount is 6 - 2 = 4亿.
    inv.deal()
    inv.deal(amount=6 * YI, event=None, signed_at=datetime.date(2022, 2, 1))
    inv.deal(host_region=inv.liangjiang, amount=4 * YI, event=None, signed_at=MARCH_2026)

    assert by_year(region=inv.liangjiang) == {
        2021: (2 * YI, 0),
        2022: (4 * YI, 0),
        2026: (0, 2 * YI),
    }
    summary = selectors.kpi_summary(region=inv.liangjiang, event=inv.opening)
    assert summary.amount_signed - summary.amount_revised_down == 4 * YI


def test_deal_update_lowering_an_upgrade_below_the_signing_before_makes_a_revision(
    inv: InvestmentWorld,
) -> None:
    # A 3亿 upgrade of a 2亿 contract was entered wrongly: it was 1.5亿.
    inv.deal()
    upgrade = inv.deal(amount=3 * YI, event=None, signed_at=datetime.date(2022, 3, 1))

    services.deal_update(actor=None, deal=upgrade, amount=Decimal("1.5") * YI)

    assert by_year() == {2021: (2 * YI, 0), 2022: (0, Decimal("0.5") * YI)}


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.integers(1, 80), min_size=1, max_size=6))
def test_deal_record_chain_figures_are_never_negative_and_add_up(
    inv: InvestmentWorld, amounts: list[int]
) -> None:
    # One signing a year from 2021 (the first at the opening), tenths of 亿; from 2026 under
    # Liangjiang, before under Yubei.
    for earlier in Deal.objects.order_by("-signed_at", "-pk"):  # the last example's chain
        earlier.delete()
    for i, tenths in enumerate(amounts):
        year = 2021 + i
        inv.deal(
            host_region=inv.liangjiang if year > 2025 else inv.yubei,
            amount=tenths * YI / 10,
            event=inv.opening if i == 0 else None,
            signed_at=datetime.date(year, 5, 20),
        )

    rows = by_year()
    previous = [0, *amounts]
    expected = {
        2021 + i: (max(a - b, 0) * YI / 10, max(b - a, 0) * YI / 10)
        for i, (a, b) in enumerate(zip(amounts, previous, strict=False))
    }
    assert rows == expected
    assert all(signed >= 0 and revised >= 0 for signed, revised in rows.values())
    summary = selectors.kpi_summary(region=inv.liangjiang)
    assert summary.deals_signed == 1
    assert summary.amount_signed - summary.amount_revised_down == amounts[-1] * YI / 10


# Shown with its definition: page, API, workbook -----------------------------------------------


def test_revised_down_is_a_headline_with_its_translated_definition(inv: InvestmentWorld) -> None:
    inv.deal(amount=5 * YI)
    inv.deal(amount=3 * YI, event=None, signed_at=datetime.date(2022, 3, 1))

    with translation.override("zh-hans"):
        report = reports.report_for(who=inv.world.users["analyst"])
        headline = {item["name"]: item for item in report.headline()}

    item = headline["amount_revised_down"]
    assert (item["label"], item["value"], item["kind"]) == ("调减金额", 2 * YI, "yuan")
    assert item["definition"].startswith("调减金额：")
    assert headline["amount_signed"]["value"] == 5 * YI


def test_kpis_api_gives_the_revised_down_amount_and_its_definition(inv: InvestmentWorld) -> None:
    inv.deal(amount=5 * YI)
    inv.deal(amount=3 * YI, event=None, signed_at=datetime.date(2022, 3, 1))

    body = inv.world.client_for("analyst").get("/api/v1/investment/kpis/", {"by": "year"}).json()

    assert (body["summary"]["amount_signed"], body["summary"]["amount_revised_down"]) == (
        "500000000.00",
        "200000000.00",
    )
    assert [(r["key"], r["amount_signed"], r["amount_revised_down"]) for r in body["rows"]] == [
        (2021, "500000000.00", "0.00"),
        (2022, "0.00", "200000000.00"),
    ]
    assert body["definitions"]["amount_revised_down"].startswith("Amount revised down:")


def test_deal_detail_marks_the_revision_down(inv: InvestmentWorld) -> None:
    inv.deal(amount=5 * YI)
    revised = inv.deal(amount=3 * YI, event=None, signed_at=datetime.date(2022, 3, 1))

    page = inv.world.client_for("analyst").get(f"/investment/deals/{revised.pk}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("data-revision") == 1


def test_district_dashboard_shows_revised_down(inv: InvestmentWorld) -> None:
    inv.deal(amount=5 * YI)
    inv.deal(amount=3 * YI, event=inv.promotion, signed_at=datetime.date(2021, 5, 22))

    client = inv.world.client_for("analyst")
    html = client.get("/investment/dashboard/districts/500157/").content.decode()

    shown = dict(re.findall(r'data-kpi="(\w+)" data-value="([^"]*)"', html))
    assert (Decimal(shown["amount_signed"]), Decimal(shown["amount_revised_down"])) == (
        5 * YI,
        2 * YI,
    )


# The migration that joins the chains a succession split ----------------------------------------


def test_migration_joins_a_chain_split_by_the_merger(inv: InvestmentWorld) -> None:
    # Before the rule, the 2026 re-signing under Liangjiang began a chain of its own.
    first = inv.deal()
    split = inv.deal(
        host_region=inv.liangjiang,
        title_zh="临时标题",
        amount=5 * YI,
        event=None,
        signed_at=MARCH_2026,
    )
    Deal.objects.filter(pk=first.pk).update(chain_region=inv.yubei)
    Deal.objects.filter(pk=split.pk).update(subject_key=first.subject_key)
    migration = importlib.import_module(
        "xiqia.investment.migrations.0006_deal_chains_through_region_successors"
    )

    migration.join_split_chains(apps, connection.schema_editor())

    first.refresh_from_db()
    split.refresh_from_db()
    assert (split.previous, split.root, split.counts_as_deal) == (first, first, False)
    assert (split.counted_amount, split.credited_event) == (3 * YI, inv.opening)
    assert (first.is_current, split.is_current) == (False, True)
    assert first.chain_region == split.chain_region == inv.liangjiang
    assert selectors.kpi_summary().deals_signed == 1


def test_migration_stops_on_chains_that_overlap_in_time(inv: InvestmentWorld) -> None:
    first = inv.deal()
    inv.deal(
        host_region=inv.liangjiang, amount=3 * YI, event=None, signed_at=datetime.date(2026, 6, 1)
    )
    split = inv.deal(
        host_region=inv.liangjiang,
        title_zh="临时标题",
        amount=5 * YI,
        event=None,
        signed_at=MARCH_2026,
    )
    Deal.objects.filter(pk__in=[first.pk, first.successor.pk]).update(chain_region=inv.yubei)
    Deal.objects.filter(pk=split.pk).update(subject_key=first.subject_key)
    migration = importlib.import_module(
        "xiqia.investment.migrations.0006_deal_chains_through_region_successors"
    )

    with pytest.raises(RuntimeError, match="overlap in time"):
        migration.join_split_chains(apps, connection.schema_editor())
