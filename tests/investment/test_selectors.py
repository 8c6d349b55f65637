"""The KPIs on a small hand-built set of deals, with every expected figure worked out by hand.

The deals (亿 = 100 million yuan; Yubei unless said; "opening" is 20 May 2021, "promotion"
22 May 2021, both events of the test fair; cluster C is intelligent terminals):

=====  =========  ==========================================  ==============================
chain  investor   signings                                    landing (as of 30 June 2022)
=====  =========  ==========================================  ==============================
A      I1         contract 2亿 at opening (C);                registered 1 Jun 2021, started
                  added capital to 2.5亿 on 1 Mar 2022        1 Oct 2021 (due 20 Nov: on time),
                  outside a fair (counts +0.5亿)              in production 1 May 2022;
                                                              funds in place 1亿
B      I1         intention 1亿 at opening (C);               registered 1 Jul 2021, started
                  contract 1.5亿 at promotion (+0.5亿)        15 Dec 2021 (due 22 Nov: late)
C      I2         contract 3亿 on 1 Aug 2021 outside a fair   nothing: due 1 Feb 2022, overdue;
                  (no cluster)                                funds in place 0.6亿
D      I2         framework 1亿 at promotion, Jiulongpo       no contract: not followed
E      I1         contract 1亿 at promotion (C)               registered 10 Jun 2021,
                                                              terminated 1 Sep 2021
=====  =========  ==========================================  ==============================

Totals: 5 deals; 2 + 0.5 + 1 + 0.5 + 3 + 1 + 1 = 9亿 signed. Formal contracts (latest signing):
A, B, C, E = 4, agreed 2.5 + 1.5 + 3 + 1 = 8亿. Started: A, B = 2; in production: A = 1.
Start deadline passed: A, B, C, E = 4, started by it: A = 1; overdue to start: C = 1 (E is
terminated, B started late). Funds 1 + 0.6 = 1.6亿.
Performance 1/4 = 25%; start rate 2/4 = 50%; production rate 1/4 = 25%; funds 1.6/8 = 20%.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from tests.conftest import make_org
from tests.investment.conftest import YI, InvestmentWorld, evidence
from xiqia.investment import selectors, services
from xiqia.investment.models import Deal

AS_OF = datetime.date(2022, 6, 30)
MAY_22 = datetime.date(2021, 5, 22)


def step(deal: Deal, name: str, day: datetime.date) -> None:
    services.milestone_record(
        actor=None, deal=deal, step=name, date=day, evidence=evidence(), evidence_kind="photo"
    )


@pytest.fixture
def deals(inv: InvestmentWorld) -> dict[str, Deal]:
    i1, i2 = inv.investor, inv.other_investor
    a = inv.deal(investor=i1, title_zh="甲")
    step(a, "registered", datetime.date(2021, 6, 1))
    step(a, "construction_started", datetime.date(2021, 10, 1))
    a2 = inv.deal(
        investor=i1,
        title_zh="甲",
        amount=Decimal("2.5") * YI,
        event=None,
        signed_at=datetime.date(2022, 3, 1),
    )
    step(a2, "in_production", datetime.date(2022, 5, 1))
    services.deal_funds_record(actor=None, deal=a2, amount=YI, as_of=datetime.date(2022, 6, 1))

    inv.deal(investor=i1, title_zh="乙", kind="intention", amount=YI)
    b2 = inv.deal(
        investor=i1,
        title_zh="乙",
        amount=Decimal("1.5") * YI,
        event=inv.promotion,
        signed_at=MAY_22,
    )
    step(b2, "registered", datetime.date(2021, 7, 1))
    step(b2, "construction_started", datetime.date(2021, 12, 15))

    c = inv.deal(
        investor=i2,
        title_zh="丙",
        amount=3 * YI,
        event=None,
        cluster=None,
        signed_at=datetime.date(2021, 8, 1),
    )
    services.deal_funds_record(
        actor=None, deal=c, amount=Decimal("0.6") * YI, as_of=datetime.date(2022, 6, 1)
    )

    inv.deal(
        investor=i2,
        title_zh="丁",
        kind="framework",
        amount=YI,
        event=inv.promotion,
        signed_at=MAY_22,
        host_region=inv.jiulongpo,
        cluster=None,
    )

    e = inv.deal(investor=i1, title_zh="戊", amount=YI, event=inv.promotion, signed_at=MAY_22)
    step(e, "registered", datetime.date(2021, 6, 10))
    step(e, "terminated", datetime.date(2021, 9, 1))
    return {"a": a2, "b": b2, "c": c, "e": e}


def figures(kpis: selectors.Kpis) -> dict[str, Any]:
    return {name: value for name, value in kpis.as_dict().items() if name not in ("key", "label")}


def test_kpi_summary_of_everything(deals: dict[str, Deal]) -> None:
    kpis = selectors.kpi_summary(as_of=AS_OF)

    assert figures(kpis) == {
        "deals_signed": 5,
        "amount_signed": 9 * YI,
        "amount_revised_down": 0,
        "contracts": 4,
        "contract_amount": 8 * YI,
        "registered": 3,
        "started": 2,
        "in_production": 1,
        "at_capacity": 0,
        "terminated": 1,
        "start_due": 4,
        "started_on_time": 1,
        "overdue_start": 1,
        "funds_in_place": Decimal("1.6") * YI,
        "performance_rate": Decimal("0.2500"),
        "start_rate": Decimal("0.5000"),
        "production_rate": Decimal("0.2500"),
        "funds_rate": Decimal("0.2000"),
    }


def test_kpi_summary_before_any_deadline_has_no_performance_rate(deals: dict[str, Deal]) -> None:
    # On 1 Nov 2021 no start deadline had passed (the first is 20 Nov 2021).
    kpis = selectors.kpi_summary(as_of=datetime.date(2021, 11, 1))
    assert (kpis.start_due, kpis.performance_rate, kpis.overdue_start) == (0, None, 0)


def test_kpi_summary_of_the_fair_counts_chains_at_their_first_event(
    inv: InvestmentWorld, deals: dict[str, Deal]
) -> None:
    # A (2 + 0.5), B (1 + 0.5), D (1), E (1): 4 deals, 6亿; C was signed outside the fair.
    kpis = selectors.kpi_summary(fair=inv.world.fair, as_of=AS_OF)
    assert (kpis.deals_signed, kpis.amount_signed, kpis.contracts) == (4, 6 * YI, 3)


def test_kpis_by_event_credit_upgrades_to_the_first_event(
    inv: InvestmentWorld, deals: dict[str, Deal]
) -> None:
    rows = selectors.kpis_by("event", as_of=AS_OF)

    assert [(r.key, r.deals_signed, r.amount_signed, r.contracts) for r in rows] == [
        (inv.opening.pk, 2, 4 * YI, 2),  # A and B, B's contract signed at the promotion
        (None, 1, 3 * YI, 1),  # C
        (inv.promotion.pk, 2, 2 * YI, 1),  # D (no contract) and E
    ]
    assert rows[0].label == "开幕式"


def test_kpis_by_year_count_increments_in_their_year(deals: dict[str, Deal]) -> None:
    rows = selectors.kpis_by("year", as_of=AS_OF)

    assert [(r.key, r.deals_signed, r.amount_signed, r.contracts) for r in rows] == [
        (2021, 5, Decimal("8.5") * YI, 4),
        (2022, 0, Decimal("0.5") * YI, 0),  # A's added capital; its contract dates from 2021
    ]


def test_kpis_by_region_and_the_district_of_a_successor(
    inv: InvestmentWorld, deals: dict[str, Deal]
) -> None:
    rows = selectors.kpis_by("region", as_of=AS_OF)
    assert [(r.key, r.deals_signed, r.amount_signed) for r in rows] == [
        (inv.yubei.pk, 4, 8 * YI),
        (inv.jiulongpo.pk, 1, YI),
    ]
    # Liangjiang succeeded Yubei: its dashboard shows Yubei's deals.
    liangjiang = selectors.kpi_summary(region=inv.liangjiang, as_of=AS_OF)
    assert (liangjiang.deals_signed, liangjiang.amount_signed, liangjiang.contracts) == (
        4,
        8 * YI,
        4,
    )


def test_kpi_summary_of_a_cluster(inv: InvestmentWorld, deals: dict[str, Deal]) -> None:
    # A, B, E: 2.5 + 1.5 + 1 = 5亿; contracts A, B, E; started A, B.
    kpis = selectors.kpi_summary(cluster=inv.cluster, as_of=AS_OF)
    assert (kpis.deals_signed, kpis.amount_signed, kpis.contracts, kpis.started) == (
        3,
        5 * YI,
        3,
        2,
    )
    assert kpis.start_rate == Decimal("0.6667")


def test_kpi_summary_of_a_year(deals: dict[str, Deal]) -> None:
    kpis = selectors.kpi_summary(year=2022, as_of=AS_OF)
    assert (kpis.deals_signed, kpis.amount_signed, kpis.contracts, kpis.start_rate) == (
        0,
        Decimal("0.5") * YI,
        0,
        None,
    )


def test_annotate_overdue_flags_only_the_late_starter(
    inv: InvestmentWorld, deals: dict[str, Deal]
) -> None:
    flagged = selectors.annotate_overdue(Deal.objects.all(), as_of=AS_OF).filter(
        is_overdue_start=True
    )
    assert list(flagged.values_list("title_zh", flat=True)) == ["丙"]


def test_deal_list_for_the_officer_is_their_region_and_overdue_only(
    inv: InvestmentWorld, deals: dict[str, Deal]
) -> None:
    officer = inv.world.users["yubei_officer"]
    assert "丁" in selectors.deal_list(who=officer).values_list("title_zh", flat=True)  # public
    current = selectors.deal_list(who=officer, region=inv.liangjiang, as_of=AS_OF)
    assert sorted(current.values_list("title_zh", flat=True)) == ["丙", "乙", "戊", "甲"]
    overdue = selectors.deal_list(who=officer, region=inv.yubei, overdue_only=True, as_of=AS_OF)
    assert [d.title_zh for d in overdue] == ["丙"]
    assert overdue[0].is_overdue_start is True
    jiulongpo = selectors.deal_list(who=inv.world.users["jiulongpo_officer"], as_of=AS_OF)
    # The public results of the fair (B, E at the published events) and their own D.
    assert sorted(jiulongpo.values_list("title_zh", flat=True)) == ["丁", "乙", "戊", "甲"]


def test_deal_chain_and_milestones_cover_the_whole_chain(deals: dict[str, Deal]) -> None:
    a = deals["a"]
    assert [d.amount for d in selectors.deal_chain(a)] == [2 * YI, Decimal("2.5") * YI]
    assert [m.step for m in selectors.deal_milestones(a)] == [
        "registered",
        "construction_started",
        "in_production",
    ]


def test_cluster_progress_reports_the_share_of_target(inv: InvestmentWorld) -> None:
    services.cluster_indicator_set(
        actor=None, cluster=inv.cluster, year=2019, output_value=300 * YI
    )
    services.cluster_indicator_set(
        actor=None, cluster=inv.cluster, year=2020, output_value=450 * YI
    )
    progress = selectors.cluster_progress(cluster=inv.cluster)
    # 450亿 of a 1,000亿 target.
    assert [i.year for i in progress.years] == [2019, 2020]
    assert progress.share_of_target == Decimal("0.4500")


def test_kpi_selectors_use_constant_queries(
    inv: InvestmentWorld, deals: dict[str, Deal], django_assert_num_queries: Any
) -> None:
    # One query for the figures (conditional aggregation), one for a breakdown's labels.
    with django_assert_num_queries(1):
        selectors.kpi_summary(as_of=AS_OF)
    with django_assert_num_queries(2):
        selectors.kpis_by("cluster", as_of=AS_OF)
    with django_assert_num_queries(1):
        selectors.kpis_by("year", as_of=AS_OF)
    # Three more deals change nothing.
    for n in range(3):
        inv.deal(investor=make_org(f"新投资方{n}", "500000"), title_zh=f"新项目{n}")
    with django_assert_num_queries(1):
        selectors.kpi_summary(as_of=AS_OF)
    with django_assert_num_queries(2):
        selectors.kpis_by("cluster", as_of=AS_OF)


# The catalogue search -------------------------------------------------------------------------


@pytest.fixture
def catalogue(inv: InvestmentWorld) -> None:
    for title, title_en, published in [
        ("航空物流园冷链仓储项目", "Cold-chain warehousing, aviation logistics park", True),
        ("智能终端配套产业园", "Intelligent terminal components park", True),
        ("跨境电商物流中心", "Cross-border e-commerce logistics centre", False),
    ]:
        services.project_create(
            actor=None,
            region=inv.liangjiang,
            title_zh=title,
            title_en=title_en,
            is_published=published,
        )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("物流", ["航空物流园冷链仓储项目"]),
        ("航空物流园", ["航空物流园冷链仓储项目"]),
        ("物流 冷链", ["航空物流园冷链仓储项目"]),
        ("Logistics", ["航空物流园冷链仓储项目"]),
        ("终端", ["智能终端配套产业园"]),
        ("物流 终端", []),
        ("的", []),
        ("", ["航空物流园冷链仓储项目", "智能终端配套产业园"]),
    ],
)
def test_project_catalogue_search_for_the_public(
    catalogue: None, query: str, expected: list[str]
) -> None:
    found = selectors.project_catalogue(who=None, q=query)
    assert sorted(found.values_list("title_zh", flat=True)) == sorted(expected)


def test_project_catalogue_search_shows_the_officer_their_drafts(
    inv: InvestmentWorld, catalogue: None
) -> None:
    found = selectors.project_catalogue(who=inv.world.users["yubei_officer"], q="物流")
    assert sorted(found.values_list("title_zh", flat=True)) == [
        "航空物流园冷链仓储项目",
        "跨境电商物流中心",
    ]


def test_dashboard_gathers_the_district_figures_in_constant_queries(
    inv: InvestmentWorld, deals: dict[str, Deal], django_assert_num_queries: Any
) -> None:
    # Liangjiang's area (itself, Yubei, Jiangbei and their predecessors: 4 queries), then
    # 1 for the summary and 2 for each of the breakdowns by cluster and event (figures, labels)
    # and 1 by year (no labels to look up).
    with translation.override("zh-hans"), django_assert_num_queries(4 + 1 + 2 * 2 + 1):
        board = selectors.dashboard(region=inv.liangjiang, as_of=AS_OF)

    assert board.summary == selectors.kpi_summary(region=inv.liangjiang, as_of=AS_OF)
    assert [(r.label, r.amount_signed) for r in board.by_cluster] == [
        ("智能终端产业集群", 5 * YI),
        ("无", 3 * YI),  # deals of no cluster
    ]
    assert [r.key for r in board.by_year] == [2021, 2022]
    assert board.by_region == []


def test_every_kpi_has_a_definition() -> None:
    defined = {"deals_signed", "amount_signed", "amount_revised_down", "contracts"}
    defined |= {"performance_rate", "start_rate"}
    defined |= {"production_rate", "funds_in_place", "overdue_start"}
    assert set(selectors.DEFINITIONS) == defined
    assert all(str(text) for text in selectors.DEFINITIONS.values())
