"""The investment dashboards: the leader's overview, a district's and a cluster's page."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from tests.investment.conftest import YI, InvestmentWorld, evidence
from xiqia.investment import selectors, services
from xiqia.investment.models import Deal


def kpi_values(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-kpi="(\w+)" data-value="([^"]*)"', html))


def record_pipeline(deal: Deal) -> None:
    for step, days in (("registered", 10), ("construction_started", 30)):
        services.milestone_record(
            actor=None,
            deal=deal,
            step=step,
            date=deal.signed_at + datetime.timedelta(days=days),
            evidence=evidence(),
            evidence_kind="licence",
        )


@pytest.fixture
def deals(inv: InvestmentWorld) -> list[Deal]:
    at_fair = inv.deal()  # 2 亿, contract, at the published opening event
    upgraded = inv.deal(amount=5 * YI, event=inv.promotion, signed_at=datetime.date(2021, 5, 22))
    outside = inv.deal(
        title_zh="场外项目", event=None, amount=YI, signed_at=datetime.date(2021, 7, 1)
    )
    elsewhere = inv.deal(
        host_region=inv.jiulongpo, cluster=None, title_zh="九龙坡项目", amount=3 * YI
    )
    record_pipeline(upgraded)
    services.deal_funds_record(
        actor=None, deal=upgraded, amount=YI, as_of=datetime.date(2021, 12, 31)
    )
    return [at_fair, upgraded, outside, elsewhere]


def test_overview_shows_the_selectors_figures_with_definitions(
    inv: InvestmentWorld, deals: list[Deal]
) -> None:
    client = inv.world.client_for("analyst")
    html = client.get("/investment/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    summary = selectors.kpi_summary()
    values = kpi_values(html)
    assert values["deals_signed"] == str(summary.deals_signed) == "3"
    assert Decimal(values["amount_signed"]) == summary.amount_signed == 9 * YI
    assert values["start_rate"] == str(summary.start_rate)
    assert Decimal(values["funds_in_place"]) == YI
    with translation.override("en"):
        for definition in selectors.DEFINITIONS.values():
            assert escape(str(definition)) in html
    assert "data-published-only" not in html


def test_overview_for_the_public_counts_published_results_only(
    inv: InvestmentWorld, deals: list[Deal]
) -> None:
    html = Client().get("/investment/dashboard/").content.decode()

    values = kpi_values(html)
    assert "data-published-only" in html
    # The outside-a-fair deal is not a published result.
    assert (values["deals_signed"], Decimal(values["amount_signed"])) == ("2", 8 * YI)


def test_every_chart_has_its_data_and_a_table(inv: InvestmentWorld, deals: list[Deal]) -> None:
    html = inv.world.client_for("analyst").get("/investment/dashboard/").content.decode()

    charts = re.findall(r'data-xchart="([\w-]+)"', html)
    assert charts == ["chart-funnel", "chart-year", "chart-region", "chart-event"]
    for chart in charts:
        data = re.search(rf'<script id="{chart}" type="application/json">(.*?)</script>', html)
        assert data is not None
        assert json.loads(data.group(1))["labels"]
    assert html.count("<caption") == len(charts)


def test_dashboards_have_no_inline_script_or_style(inv: InvestmentWorld, deals: list[Deal]) -> None:
    client = inv.world.client_for("analyst")
    for path in (
        "/investment/dashboard/",
        "/investment/dashboard/districts/500157/",
        f"/investment/dashboard/clusters/{inv.cluster.pk}/",
    ):
        html = client.get(path).content.decode()
        scripts = re.findall(r"<script([^>]*)>", html)
        assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
        assert " style=" not in html
        assert not re.search(r"\son[a-z]+=", html)


def test_district_dashboard_includes_the_predecessor_and_links_overdue(
    inv: InvestmentWorld, deals: list[Deal]
) -> None:
    client = inv.world.client_for("liangjiang_officer")

    html = client.get("/investment/dashboard/districts/500157/").content.decode()

    values = kpi_values(html)
    summary = selectors.kpi_summary(region=inv.liangjiang)
    assert values["deals_signed"] == str(summary.deals_signed) == "2"
    assert values["overdue_start"] == str(summary.overdue_start) == "1"  # 场外项目
    assert "data-overdue-link" in html
    assert "data-published-only" not in html  # the officer's own district


def test_district_dashboard_changes_when_a_step_is_recorded(
    inv: InvestmentWorld, deals: list[Deal]
) -> None:
    client = inv.world.client_for("yubei_officer")
    before = kpi_values(client.get("/investment/dashboard/districts/500157/").content.decode())

    record_pipeline(deals[2])
    after = kpi_values(client.get("/investment/dashboard/districts/500157/").content.decode())

    assert (before["start_rate"], after["start_rate"]) == ("0.5000", "1.0000")
    assert (before["overdue_start"], after["overdue_start"]) == ("1", "0")


def test_district_dashboard_of_an_unknown_code_is_not_found(inv: InvestmentWorld) -> None:
    assert Client().get("/investment/dashboard/districts/999999/").status_code == 404


def test_cluster_dashboard_shows_progress_towards_the_target(
    inv: InvestmentWorld, deals: list[Deal]
) -> None:
    services.cluster_indicator_set(
        actor=None, cluster=inv.cluster, year=2020, output_value=300 * YI, enterprises=120
    )
    services.cluster_indicator_set(
        actor=None, cluster=inv.cluster, year=2021, output_value=500 * YI, investment=80 * YI
    )

    html = Client().get(f"/investment/dashboard/clusters/{inv.cluster.pk}/").content.decode()

    data = json.loads(
        re.search(
            r'<script id="chart-progress" type="application/json">(.*?)</script>', html
        ).group(1)
    )
    assert data["labels"] == ["2020", "2021"]
    assert data["target"] == 1000.0
    assert data["series"][0]["values"] == [300.0, 500.0]
    assert data["series"][1]["values"] == [None, 80.0]
    assert '<tr data-year="2021">' in html
    assert "50.0%" in html  # 500 亿 of a 1,000 亿 target


def test_officer_enters_a_clusters_figures_on_its_page(inv: InvestmentWorld) -> None:
    client = inv.world.client_for("liangjiang_officer")

    response = client.post(
        f"/investment/dashboard/clusters/{inv.cluster.pk}/indicators/",
        {
            "year": "2020",
            "output_value": "300",
            "output_value_unit": "yi",
            "enterprises": "120",
            "investment_unit": "yi",
        },
    )

    assert response.status_code == 302
    indicator = inv.cluster.indicators.get()
    assert (indicator.year, indicator.output_value, indicator.enterprises) == (2020, 300 * YI, 120)


def test_clusters_figures_refused_change_nothing(inv: InvestmentWorld) -> None:
    client = inv.world.client_for("yubei_officer")

    response = client.post(
        f"/investment/dashboard/clusters/{inv.cluster.pk}/indicators/",
        {"year": "2020", "output_value_unit": "yi", "investment_unit": "yi"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "Enter at least one figure." in response.content.decode()
    assert inv.cluster.indicators.count() == 0


def test_clusters_figures_form_only_for_its_officers(inv: InvestmentWorld) -> None:
    path = f"/investment/dashboard/clusters/{inv.cluster.pk}/"
    data = {"year": "2020", "enterprises": "1", "output_value_unit": "yi", "investment_unit": "yi"}

    assert (
        'data-form="indicator"' in inv.world.client_for("yubei_officer").get(path).content.decode()
    )
    assert 'data-form="indicator"' not in Client().get(path).content.decode()
    other = inv.world.client_for("jiulongpo_officer")
    assert 'data-form="indicator"' not in other.get(path).content.decode()
    assert other.post(f"{path}indicators/", data).status_code == 403
    assert inv.cluster.indicators.count() == 0
