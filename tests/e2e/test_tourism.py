"""Vouchers in a real browser: a resident claims on a phone, a cashier redeems it once; a lottery
runs registration, draw and claim. A small world of its own (not the 30,000-voucher demo)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_user, region
from tests.e2e.conftest import SCREENSHOTS, sign_in
from tests.tourism.conftest import ALICE_ID, make_campaign, make_merchant
from xiqia.accounts.models import Role
from xiqia.tourism import lottery
from xiqia.tourism.models import AllocationMode, Voucher, VoucherStatus

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "locale": "zh-CN"}


@dataclass
class Site:
    base: str
    campaign: Any
    merchant: Any


@pytest.fixture
def site(transactional_db: Any, live_server: Any) -> Site:
    merchant = make_merchant()
    merchant.cashiers.add(make_user("cashier"))
    make_user("resident")
    make_user("officer", Role.DISTRICT_OFFICER, region=region("500107"))
    campaign = make_campaign(slug="xin-long", merchants=(merchant,))
    return Site(live_server.url, campaign, merchant)


def phone_page(browser: Any, base: str, username: str) -> Any:
    page = browser.new_context(**PHONE).new_page()
    sign_in(page, base, username, PASSWORD)
    return page


def test_resident_claims_on_a_phone_and_cashier_redeems_once(browser: Any, site: Site) -> None:
    resident = phone_page(browser, site.base, "resident")
    resident.goto(f"{site.base}/tourism/campaigns/xin-long/")
    resident.fill("#id_holder_name", "张三")
    resident.fill("#id_id_number", ALICE_ID)
    resident.click("[data-action=claim]")
    expect(resident.locator("[data-voucher-qr]")).to_be_visible()
    code = resident.locator("[data-voucher-code]").inner_text().strip()
    masked = resident.locator("[data-id-number]").inner_text().strip()
    assert resident.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone
    resident.screenshot(path=str(SCREENSHOTS / "voucher.phone.png"), full_page=True)

    cashier = phone_page(browser, site.base, "cashier")
    for _ in range(2):
        cashier.goto(f"{site.base}/tourism/redeem/")
        cashier.select_option("#id_merchant", str(site.merchant.pk))
        cashier.fill("#id_code", code)
        cashier.fill("#id_spend", "88")
        cashier.click("[data-action=redeem]")
        cashier.wait_for_selector("[data-outcome]")
        if cashier.locator("[data-outcome=redeemed]").count():
            cashier.screenshot(path=str(SCREENSHOTS / "voucher-redeemed.phone.png"))
    expect(cashier.locator("[data-outcome]")).to_have_attribute("data-outcome", "already_redeemed")

    voucher = Voucher.objects.get(code=code)
    assert masked == ALICE_ID[:6] + "********" + ALICE_ID[-4:]
    assert (voucher.status, voucher.spend) == (VoucherStatus.REDEEMED, 88)


def test_lottery_registration_draw_and_claim(browser: Any, site: Site) -> None:
    campaign = make_campaign(slug="draw", total=1, allocation_mode=AllocationMode.LOTTERY)
    resident = phone_page(browser, site.base, "resident")
    resident.goto(f"{site.base}/tourism/campaigns/draw/")
    resident.fill("#id_holder_name", "张三")
    resident.fill("#id_id_number", ALICE_ID)
    resident.click("[data-action=claim]")
    expect(resident.locator("[data-entry-state=waiting]")).to_be_visible()

    officer = browser.new_context(locale="zh-CN").new_page()
    sign_in(officer, site.base, "officer", PASSWORD)
    officer.goto(f"{site.base}/tourism/campaigns/draw/draw/")
    officer.fill("input[name=seed_hash]", lottery.seed_hash("新龙-2021"))
    officer.click("[data-action=publish-hash]")
    expect(officer.locator("[data-step=hash]")).to_have_attribute("data-done", "yes")
    later = campaign.claim_closes_at + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=True):  # the live server shares this process's clock
        officer.click("[data-action=freeze]")
        expect(officer.locator("[data-step=freeze]")).to_have_attribute("data-done", "yes")
        officer.fill("input[name=seed]", "新龙-2021")
        officer.click("[data-action=draw]")
        expect(officer.locator("[data-step=draw]")).to_have_attribute("data-done", "yes")

        resident.goto(f"{site.base}/tourism/campaigns/draw/")
        expect(resident.locator("[data-seed]")).to_have_text("新龙-2021")
        resident.click("[data-action=claim-won]")
        expect(resident.locator("[data-voucher-qr]")).to_be_visible()

    assert Voucher.objects.filter(campaign=campaign).count() == 1
