"""User journeys in a real browser: each demo role signs in and sees only what it may see."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOTS, sign_in

# What each demo role finds in the navigation and on the directory (see docs/architecture.md).
ROLE_VIEWS = {
    # username: (sees People, sees Back office, organisations it may edit on the directory page)
    "admin": (True, True, "all"),
    "organiser": (True, False, set()),
    "yubei": (True, False, "yubei"),
    "jiulongpo": (True, False, "jiulongpo"),
    "xindu": (True, False, "xindu"),
    "oppo": (True, False, {"OPPO"}),
    "participant": (False, False, set()),
    "analyst": (False, False, set()),
}

REGION_OF_ORGS = {"yubei": "500112", "jiulongpo": "500107", "xindu": "510114"}


def editable_names(page: Page, base: str) -> set[str]:
    page.goto(f"{base}/directory/?region=")
    names: set[str] = set()
    while True:
        for row in page.locator("tr[data-organisation]").all():
            if row.locator("[data-action=edit]").count():
                names.add(row.get_attribute("data-name") or "")
        next_link = page.get_by_role("link", name=re.compile("下一页|Next"))
        if not next_link.count():
            return names
        next_link.first.click()
        page.wait_for_load_state()


@pytest.mark.parametrize("username", list(ROLE_VIEWS))
def test_each_role_sees_only_what_it_may(page: Page, demo: str, username: str) -> None:
    from xiqia.directory.models import Organisation

    sees_people, sees_admin, editable = ROLE_VIEWS[username]
    sign_in(page, demo, username)

    nav = page.locator("#nav-main")
    expect(nav.locator("[data-nav=people]")).to_have_count(1 if sees_people else 0)
    expect(nav.locator("[data-nav=admin]")).to_have_count(1 if sees_admin else 0)
    if editable == "all":
        expected = set(Organisation.objects.values_list("name_zh", flat=True))
    elif isinstance(editable, str):
        expected = set(
            Organisation.objects.filter(region__code=REGION_OF_ORGS[editable]).values_list(
                "name_zh", flat=True
            )
        )
    else:
        expected = editable
    assert editable_names(page, demo) == expected

    page.goto(f"{demo}/accounts/people/")
    if sees_people:
        expect(page.locator("table[data-people]")).to_be_visible()
        # Phone numbers appear masked, never whole.
        phones = page.locator("td[data-phone]").all_inner_texts()
        assert phones and all(re.fullmatch(r"1\d\d\*{4}\d{4}|—", p) for p in phones)
    else:
        expect(page.locator("[data-forbidden]")).to_be_visible()

    page.goto(f"{demo}/admin/")
    if sees_admin:
        expect(page.locator("#site-name")).to_be_visible()
    else:
        expect(page).to_have_url(re.compile(r"/admin/login/"))


def test_language_switch_changes_the_whole_page(page: Page, demo: str) -> None:
    page.goto(f"{demo}/")
    expect(page.locator("[data-nav=directory]")).to_have_text("名录")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.screenshot(path=str(SCREENSHOTS / "home.zh.png"), full_page=True)

    page.click("button[data-lang=en]")

    expect(page.locator("[data-nav=directory]")).to_have_text("Directory")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("The districts of the 2021 fair")).to_be_visible()
    page.goto(f"{demo}/directory/regions/500112/")
    expect(page.locator('[data-successor="500157"]')).to_contain_text("Liangjiang New Area")
    page.goto(f"{demo}/")
    page.screenshot(path=str(SCREENSHOTS / "home.en.png"), full_page=True)

    page.click("button[data-lang=zh-hans]")
    expect(page.locator("[data-nav=directory]")).to_have_text("名录")


def test_home_shows_2021_districts_and_today_successor(page: Page, demo: str) -> None:
    page.goto(f"{demo}/")

    yubei = page.locator('[data-region="500112"]')
    expect(yubei).to_contain_text("渝北区")
    expect(yubei.locator('[data-successor="500157"]')).to_contain_text("两江新区")
    expect(page.locator('[data-region="500107"]')).to_contain_text("九龙坡区")
    expect(page.locator('[data-region="510114"]')).to_contain_text("新都区")
    # The chart renders under the strict CSP, from the locally served ECharts.
    expect(page.locator("[data-chart=kind-chart][data-chart-ready=true] canvas")).to_have_count(1)


def test_officer_edits_an_organisation_and_history_records_it(page: Page, demo: str) -> None:
    from xiqia.directory.models import Organisation

    chalco = Organisation.objects.get(name_zh="中铝萨帕")
    entries_before = chalco.history.count()
    sign_in(page, demo, "jiulongpo")
    page.goto(f"{demo}/directory/organisations/{chalco.pk}/")
    page.click("[data-action=edit]")
    page.fill("#id_short_name_en", "Chalco Sapa Chongqing")
    page.click("#main form button[type=submit]")

    expect(page.locator(".alert-success")).to_be_visible()
    history = page.locator("table[data-history] tbody tr")
    expect(history).to_have_count(entries_before + 1)
    expect(history.first).to_contain_text("九龙坡招商专员")
    assert Organisation.objects.get(pk=chalco.pk).short_name_en == "Chalco Sapa Chongqing"


def test_officer_bad_input_shows_error_and_changes_nothing(page: Page, demo: str) -> None:
    from xiqia.directory.models import Organisation

    before = Organisation.objects.count()
    sign_in(page, demo, "xindu")
    page.goto(f"{demo}/directory/organisations/new/")
    page.select_option("#id_kind", "enterprise")
    page.fill("#id_name_zh", "宝钢配套企业")
    page.select_option("#id_region", label="新都区 (510114)")
    page.fill("#id_credit_code", "91510114MA00000000")
    page.click("#main form button[type=submit]")

    expect(page.locator("[data-error-for=credit_code]")).to_contain_text("统一社会信用代码")
    assert Organisation.objects.count() == before


def test_page_works_on_a_phone_sized_screen(browser: Any, demo: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{demo}/directory/")
    expect(page.locator("[data-nav=directory]")).to_be_hidden()  # collapsed behind the toggler
    page.click(".navbar-toggler")
    expect(page.locator("[data-nav=directory]")).to_be_visible()
    context.close()
