"""Investment Excel exports: the KPIs equal the page's and the selectors'; projects; deals."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

from django.test import Client
from openpyxl import load_workbook

from tests.investment.conftest import YI, InvestmentWorld, evidence
from xiqia.investment import selectors, services


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    content = response.content if hasattr(response, "content") else b""
    return load_workbook(io.BytesIO(content))


def setup_deals(inv: InvestmentWorld) -> None:
    first = inv.deal()
    inv.deal(amount=5 * YI, event=inv.promotion, signed_at=datetime.date(2021, 5, 22))
    inv.deal(title_zh="场外项目", event=None, amount=YI, signed_at=datetime.date(2021, 7, 1))
    inv.deal(host_region=inv.jiulongpo, cluster=None, title_zh="九龙坡项目", amount=3 * YI)
    latest = first.successor
    services.milestone_record(
        actor=None,
        deal=latest,
        step="registered",
        date=datetime.date(2021, 6, 1),
        evidence=evidence(),
        evidence_kind="licence",
    )
    services.deal_funds_record(
        actor=None, deal=latest, amount=YI / 2, as_of=datetime.date(2021, 12, 31)
    )


def test_kpi_export_equals_the_selector_and_the_page(inv: InvestmentWorld) -> None:
    setup_deals(inv)
    client = inv.world.client_for("analyst")

    book = workbook(client.get("/investment/dashboard/kpis.xlsx?region=500157"))
    page = client.get("/investment/dashboard/districts/500157/").content.decode()

    summary = selectors.kpi_summary(region=inv.liangjiang)
    sheet = book.worksheets[0]
    exported = [row[:2] for row in sheet.iter_rows(min_row=2, max_row=11, values_only=True)]
    on_page = re.findall(r'data-kpi="(\w+)" data-value="([^"]*)"', page)
    assert len(exported) == len(on_page) == 10
    for (label, value), (name, shown) in zip(exported, on_page, strict=True):
        expected = getattr(summary, name)
        assert Decimal(str(value)) == expected, (label, name)
        assert Decimal(shown) == expected
    assert exported[1][1] == 9 * YI - 3 * YI  # amount signed in Liangjiang (Yubei): 5 亿 + 1 亿


def test_kpi_export_has_one_sheet_per_breakdown_with_the_selectors_rows(
    inv: InvestmentWorld,
) -> None:
    setup_deals(inv)

    book = workbook(inv.world.client_for("analyst").get("/investment/dashboard/kpis.xlsx"))

    assert len(book.worksheets) == 4  # KPIs, by year, by district, by fair event
    by_region = book.worksheets[2]
    rows = list(by_region.iter_rows(min_row=2, values_only=True))
    expected = selectors.kpis_by("region")
    assert [(r[0], r[1], Decimal(str(r[2]))) for r in rows] == [
        (k.label, k.deals_signed, k.amount_signed) for k in expected
    ]


def test_kpi_export_for_the_public_covers_published_results(inv: InvestmentWorld) -> None:
    setup_deals(inv)

    book = workbook(Client().get("/investment/dashboard/kpis.xlsx"))

    values = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    summary = selectors.kpi_summary(published_only=True)
    assert summary.deals_signed == 2
    assert next(iter(values.values())) == summary.deals_signed


def test_projects_export_follows_the_catalogue_search(inv: InvestmentWorld) -> None:
    for title in ("航空物流园冷链中心", "智能终端配套厂房"):
        services.project_create(
            actor=None,
            region=inv.liangjiang,
            title_zh=title,
            investment_sought=2 * YI,
            contact_phone="13800138000",
            is_published=True,
        )

    book = workbook(Client().get("/investment/projects.xlsx?q=物流"))

    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[7]) for r in rows] == [("航空物流园冷链中心", "500157", 2 * YI)]
    assert "13800138000" not in str(rows) and "8000" not in str(rows)


def test_deals_export_lists_the_filtered_deals_with_overdue_flags(inv: InvestmentWorld) -> None:
    setup_deals(inv)
    client = inv.world.client_for("jiulongpo_officer")

    response = client.get(
        f"/investment/deals.xlsx?overdue=on&region={inv.jiulongpo.pk}", HTTP_ACCEPT_LANGUAGE="en"
    )

    sheet = workbook(response).worksheets[0]
    headers = next(sheet.iter_rows(max_row=1, values_only=True))
    rows = [
        dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert [(r["Title (Chinese)"], r["Amount (yuan)"], r["Overdue to start"]) for r in rows] == [
        ("九龙坡项目", 3 * YI, "yes")
    ]


def test_deals_export_needs_sign_in(inv: InvestmentWorld) -> None:
    response = Client().get("/investment/deals.xlsx")

    assert response.status_code == 302
