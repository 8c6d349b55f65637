"""The fair in a real browser: a participant finds the programme, registers and gets a badge."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOTS, sign_in

RACE = "金卡纳技巧绕桩赛"


def test_participant_registers_and_opens_badge(page: Page, demo: str) -> None:
    from xiqia.accounts import services as accounts
    from xiqia.accounts.demo import DEMO_PASSWORD
    from xiqia.accounts.models import Role, User
    from xiqia.fair import services
    from xiqia.fair.models import Registration

    # A newcomer: the demo's own participant is registered already (with a matchmaking profile).
    newcomer = accounts.user_create(
        username="newcomer", password=DEMO_PASSWORD, full_name="参会嘉宾", check_password=False
    )
    accounts.membership_grant(user=newcomer, role=Role.PARTICIPANT)
    sign_in(page, demo, "newcomer")
    page.click("[data-nav=fair]")
    expect(page).to_have_url(f"{demo}/fairs/xiqia-2021/")
    expect(page.locator("h1")).to_have_text("第三届中国西部国际投资贸易洽谈会")

    page.click("[data-fair-nav=agenda]")
    expect(page.locator("[data-day]")).to_have_count(4)
    expect(page.locator(f'[data-title="{RACE}"]')).to_be_visible()
    expect(page.locator("[data-illustrative-note]")).to_be_visible()

    page.click("[data-fair-nav=overview]")
    page.click("[data-action=register]")
    page.select_option("#id_category", "investor")
    page.fill("#id_job_title", "投资总监")
    page.check(f'[data-event-choice="{RACE}"] input[type=checkbox]')
    page.click("[data-action=submit-registration]")

    expect(page).to_have_url(f"{demo}/fairs/xiqia-2021/me/")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("[data-registration-status]")).to_have_attribute(
        "data-registration-status", "pending"
    )
    expect(page.locator(f'[data-seat][data-title="{RACE}"]')).to_have_count(1)
    expect(page.locator("[data-action=badge]")).to_have_count(0)

    registration = Registration.objects.get(fair__slug="xiqia-2021", person__username="newcomer")
    services.registration_approve(
        registration=registration, actor=User.objects.get(username="organiser")
    )
    page.reload()

    expect(page.locator("[data-registration-status]")).to_have_attribute(
        "data-registration-status", "approved"
    )
    page.click("[data-action=badge]")
    expect(page).to_have_title(re.compile("参会嘉宾"))
    expect(page.locator("[data-badge-name]")).to_have_text("参会嘉宾")
    expect(page.locator("[data-badge-category]")).to_have_attribute(
        "data-badge-category", "investor"
    )
    qr = page.locator("img[data-badge-qr]")
    expect(qr).to_be_visible()
    # The QR is a separate request: wait for it to decode rather than sample once.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=qr.element_handle(), timeout=10_000
    )
    expect(page.locator("[data-print]")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "badge.png"), full_page=True)


def test_agenda_works_on_a_phone_sized_screen(browser: Any, demo: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{demo}/fairs/xiqia-2021/agenda/")

    expect(page.locator("[data-event]")).to_have_count(10)
    expect(page.locator(f'[data-title="{RACE}"]')).to_be_visible()
    page.select_option("#id_day", "2021-05-23")  # htmx swaps in the filtered days
    expect(page.locator("[data-event]")).to_have_count(3)
    page.locator(f'[data-title="{RACE}"]').scroll_into_view_if_needed()
    expect(page.locator(f'[data-title="{RACE}"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
