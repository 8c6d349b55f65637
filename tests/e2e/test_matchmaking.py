"""Matchmaking in a real browser: two participants find each other, meet on the schedule, and a
cancellation re-plans and notifies."""

from __future__ import annotations

from typing import Any

import icalendar
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import SCREENSHOTS, sign_in
from xiqia.accounts import services as account_services
from xiqia.accounts.models import Role
from xiqia.fair import services as fair_services
from xiqia.fair.models import Fair

PASSWORD = "battery-cells-2021"


def participant(username: str, full_name: str) -> None:
    """A new participant, registered and approved for the 2021 fair (no profile yet)."""
    user = account_services.user_create(username=username, password=PASSWORD, full_name=full_name)
    account_services.membership_grant(user=user, role=Role.PARTICIPANT)
    registration = fair_services.registration_create(
        fair=Fair.objects.get(slug="xiqia-2021"), person=user, actor=user
    )
    fair_services.registration_approve(registration=registration, actor=None)


def fill_profile(
    page: Page, base: str, offers: str, seeks: str, offer_text: str, seek_text: str
) -> None:
    page.goto(f"{base}/matchmaking/xiqia-2021/profile/")
    page.check(f"input[name=offers][value={offers}]")
    page.check(f"input[name=seeks][value={seeks}]")
    page.fill("#id_offers_text", offer_text)
    page.fill("#id_seeks_text", seek_text)
    page.check("input[name=availability][value='2021-05-20:am']")
    page.click("[data-action=save-profile]")
    page.wait_for_url(f"{base}/matchmaking/xiqia-2021/")


def test_two_participants_meet_and_a_cancellation_replans(
    browser: Browser, demo: str, tmp_path: Any
) -> None:
    participant("lin", "林电池")
    participant("zhou", "周整机")
    maker = browser.new_context(locale="zh-CN")
    supplier = browser.new_context(locale="zh-CN")
    organiser = browser.new_context(locale="zh-CN")
    zhou, lin, org = maker.new_page(), supplier.new_page(), organiser.new_page()

    # Both describe themselves; the supplier first, so the maker's recommendations include it.
    sign_in(lin, demo, "lin", PASSWORD)
    fill_profile(
        lin, demo, "components", "market", "动力锂电池电芯生产 电池包", "寻找手机整机品牌客户"
    )
    sign_in(zhou, demo, "zhou", PASSWORD)
    fill_profile(
        zhou, demo, "manufacturing", "components", "智能手机整机制造", "寻找锂电池电芯供应商"
    )

    # The maker finds the supplier through the recommendations, with the reasons in words.
    card = zhou.locator("[data-suggestion][data-name=林电池]")
    expect(card).to_have_count(1)
    expect(card.locator("[data-reasons]")).to_contain_text("锂电池")
    card.locator("textarea[name=message]").fill("想了解贵司电芯产能")
    card.locator("[data-action=request]").click()
    expect(card.locator("[data-request-sent]")).to_be_visible()

    # The supplier accepts.
    lin.goto(f"{demo}/matchmaking/xiqia-2021/requests/")
    incoming = lin.locator("[data-incoming] [data-request][data-from=周整机]")
    expect(incoming).to_contain_text("想了解贵司电芯产能")
    incoming.locator("[data-action=accept]").click()
    expect(lin.locator("[data-incoming] [data-request][data-from=周整机]")).to_have_attribute(
        "data-status", "accepted"
    )

    # The organiser previews (placed N of at most M, FCFS beside it) and publishes.
    sign_in(org, demo, "organiser")
    org.goto(f"{demo}/matchmaking/xiqia-2021/organise/schedule/")
    org.click("[data-action=preview]")
    expect(org.locator("[data-preview] [data-placed]")).to_be_visible()
    expect(org.locator("[data-preview] [data-fcfs]")).to_be_visible()
    org.click("[data-action=publish]")
    expect(org.locator("[data-published]")).to_be_visible()

    # Both see the meeting in their agenda and download the calendar file.
    for page, other in ((zhou, "林电池"), (lin, "周整机")):
        page.goto(f"{demo}/matchmaking/xiqia-2021/agenda/")
        row = page.locator(f"[data-agenda] [data-meeting][data-with={other}]")
        expect(row).to_have_count(1)
        with page.expect_download() as download:
            page.click("[data-action=ics]")
        path = tmp_path / f"{other}.ics"
        download.value.save_as(path)
        events = list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))
        mine = [e for e in events if other in str(e["summary"])]
        assert [e.decoded("dtstart").date().isoformat() for e in mine] == ["2021-05-20"]
    zhou.screenshot(path=str(SCREENSHOTS / "matchmaking-agenda.png"), full_page=True)
    meeting_id = zhou.locator("[data-agenda] [data-meeting][data-with=林电池]").get_attribute(
        "data-meeting"
    )

    # The organiser finds it among the demo's thousands and cancels it: the schedule is
    # re-planned and both are told.
    org.goto(f"{demo}/matchmaking/xiqia-2021/organise/schedule/?who=林电池")
    org.locator(
        f"[data-meetings] [data-meeting='{meeting_id}'] [data-action=cancel-meeting]"
    ).click()
    expect(org.locator(".alert-success")).to_be_visible()
    expect(org.locator(f"[data-meetings] [data-meeting='{meeting_id}']")).to_have_count(0)
    for page, other in ((zhou, "林电池"), (lin, "周整机")):
        page.goto(f"{demo}/matchmaking/notifications/")
        expect(page.locator("[data-notice=cancelled]")).to_have_count(1)
        expect(page.locator("[data-notice=cancelled]")).to_contain_text(other)
        page.goto(f"{demo}/matchmaking/xiqia-2021/agenda/")
        expect(page.locator(f"[data-meeting][data-with={other}]")).to_have_count(0)
    for context in (maker, supplier, organiser):
        context.close()
