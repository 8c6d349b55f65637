"""Investment journeys in a real browser: an officer takes a project from the catalogue to
a landed deal and sees the district dashboard change; an analyst exports the KPIs to Excel
and finds the page's figures in the workbook."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOTS, sign_in
from xiqia.core.uploads import minimal_pdf

DISTRICT = "/investment/dashboard/districts/500157/"  # Liangjiang, which took Yubei's place


def kpis(page: Page) -> dict[str, Decimal]:
    """Return the headline figures of the dashboard on the page, exactly."""
    values = {}
    for card in page.locator("[data-kpi]").all():
        value = card.get_attribute("data-value") or ""
        values[card.get_attribute("data-kpi") or ""] = Decimal(value) if value else None
    return values


def evidence(tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    if name.endswith(".jpg"):
        path.write_bytes(b"\xff\xd8\xff\xe0 evidence")
    else:
        path.write_bytes(minimal_pdf("evidence"))  # uploads must parse as PDF (core.uploads)
    return str(path)


def test_officer_takes_a_project_to_a_landed_deal(page: Page, demo: str, tmp_path: Path) -> None:
    from django.utils import timezone

    from xiqia.core.models import Region
    from xiqia.directory.models import Organisation
    from xiqia.fair.models import Event

    investor = Organisation.objects.filter(kind="investor").order_by("pk").first()
    yubei_2021 = Region.objects.valid_in(2021).get(code="500112")
    event = Event.objects.filter(fair__slug="xiqia-2021").order_by("starts_at", "pk").first()
    signed = timezone.localtime(event.starts_at).date()

    sign_in(page, demo, "yubei")
    page.goto(f"{demo}{DISTRICT}")
    before = kpis(page)

    # Add a project to the catalogue, published.
    page.goto(f"{demo}/investment/")
    page.click("[data-action=create-project]")
    page.select_option("#id_region", str(Region.objects.get(code="500157", valid_to=None).pk))
    page.fill("#id_title_zh", "航空物流园智能分拨中心（浏览器测试）")
    page.fill("#id_title_en", "Smart sorting centre (browser test)")
    page.fill("#id_investment_sought", "5")
    page.select_option("#id_investment_sought_unit", "yi")
    page.check("#id_is_published")
    page.click("[data-form=project] button[type=submit]")
    expect(page.locator("[data-project-title]")).to_have_text(
        "航空物流园智能分拨中心（浏览器测试）"
    )
    project_url = page.url
    page.goto(f"{demo}/investment/?q=物流")
    expect(page.locator("tr[data-title='航空物流园智能分拨中心（浏览器测试）']")).to_have_count(1)

    # Record the deal signed at a 2021 fair event, with the agreement.
    page.goto(f"{demo}/investment/deals/new/")
    page.select_option("#id_investor", str(investor.pk))
    page.select_option("#id_host_region", str(yubei_2021.pk))
    project_pk = re.search(r"/projects/(\d+)/", project_url).group(1)
    page.select_option("#id_project", project_pk)
    page.fill("#id_amount", "5")
    page.select_option("#id_amount_unit", "yi")
    page.select_option("#id_kind", "contract")
    page.fill("#id_signed_at", signed.isoformat())
    page.select_option("#id_event", str(event.pk))
    page.set_input_files("#id_document", evidence(tmp_path, "agreement.pdf"))
    page.click("[data-form=deal] button[type=submit]")
    expect(page.locator("[data-deal-title]")).to_have_text("航空物流园智能分拨中心（浏览器测试）")
    expect(page.locator("[data-documents] a")).to_have_text("agreement.pdf")

    # Attach an annex later, from the deal's page.
    form = page.locator("[data-form=document]")
    form.locator("#id_file").set_input_files(evidence(tmp_path, "annex.pdf"))
    form.locator("#id_kind").select_option("annex")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-documents] a")).to_have_text(["agreement.pdf", "annex.pdf"])

    # Move it through the pipeline, with evidence.
    for step, days, name in (
        ("registered", 10, "licence.pdf"),
        ("construction_started", 40, "site.jpg"),
    ):
        form = page.locator("[data-form=milestone]")
        form.locator("#id_step").select_option(step)
        form.locator("#id_date").fill((signed + datetime.timedelta(days=days)).isoformat())
        form.locator("#id_evidence").set_input_files(evidence(tmp_path, name))
        form.locator("#id_evidence_kind").select_option("licence" if days == 10 else "photo")
        form.locator("button[type=submit]").click()
        expect(page.locator(f"[data-milestone={step}]")).to_have_count(1)
    expect(page.locator("[data-stage]").first).to_have_attribute(
        "data-stage", "construction_started"
    )

    # A step out of order is refused on the form, and nothing changes.
    form = page.locator("[data-form=milestone]")
    form.locator("#id_step").select_option("at_capacity")
    form.locator("#id_evidence").set_input_files(evidence(tmp_path, "x.pdf"))
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-error-for=step]")).to_have_count(1)
    expect(page.locator("[data-milestones] li")).to_have_count(2)

    # The district dashboard counts the new deal and its start.
    page.goto(f"{demo}{DISTRICT}")
    after = kpis(page)
    assert after["deals_signed"] == before["deals_signed"] + 1
    assert after["amount_signed"] == before["amount_signed"] + 500_000_000
    assert after["contracts"] == before["contracts"] + 1
    expect(page.locator("[data-xchart][data-chart-ready=true]")).to_have_count(4)
    page.screenshot(path=str(SCREENSHOTS / "investment-district.png"), full_page=True)


def test_analyst_exports_the_kpis_and_they_match_the_page(page: Page, demo: str) -> None:
    sign_in(page, demo, "analyst")
    page.goto(f"{demo}/investment/dashboard/")
    on_page = kpis(page)
    expect(page.locator("[data-xchart][data-chart-ready=true]")).to_have_count(4)
    page.screenshot(path=str(SCREENSHOTS / "investment-overview.png"), full_page=True)

    with page.expect_download() as download:
        page.click("[data-action=export-kpis]")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))

    rows = list(book.worksheets[0].iter_rows(min_row=2, max_row=len(on_page) + 1, values_only=True))
    exported = [Decimal(str(value)) if value is not None else None for _label, value, *_ in rows]
    assert exported == list(on_page.values())
    assert on_page["deals_signed"] > 0
    # Each breakdown's table on the page is a sheet of the workbook, row for row.
    by_year = book.worksheets[1]
    years = [str(row[0]) for row in by_year.iter_rows(min_row=2, values_only=True)]
    page_years = page.locator("[data-breakdown=year] tbody th").all_inner_texts()
    assert years == page_years
