"""The organiser's fair in a real browser: decide registrations, scan badges at the gates (online,
offline and after the network drops), and watch the arrivals come in."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import SCREENSHOTS, sign_in

SLUG = "xiqia-2021"
ALREADY = re.compile(r"已于|[Aa]lready")


def fresh_tokens(n: int) -> list[str]:
    """Return the badge tokens of n approved demo guests who have not arrived yet."""
    from xiqia.fair import services
    from xiqia.fair.models import Badge

    badges = (
        Badge.objects.filter(registration__fair__slug=SLUG, status="active", checkins__isnull=True)
        .select_related("registration__person", "registration__fair")
        .order_by("registration__person__username")[:n]
    )
    tokens = [services.badge_token(badge) for badge in badges]
    assert len(tokens) == n
    return tokens


def checkins(gate: str = "") -> int:
    from xiqia.fair.models import CheckIn

    qs = CheckIn.objects.filter(fair__slug=SLUG)
    return qs.filter(gate__code=gate).count() if gate else qs.count()


def open_scanner(page: Page, base: str, code: str) -> None:
    from xiqia.fair.models import Gate

    gate = Gate.objects.get(fair__slug=SLUG, code=code)
    page.goto(f"{base}/fairs/{SLUG}/gates/{gate.pk}/scan/")
    expect(page.locator("body[data-gate-ready=true]")).to_have_count(1)


def scan(page: Page, token: str) -> None:
    page.fill("#scan-token", token)
    page.press("#scan-token", "Enter")


def test_organiser_decides_registrations(page: Page, demo: str) -> None:
    from xiqia.fair.models import Registration

    pending = list(
        Registration.objects.filter(fair__slug=SLUG, status="pending").order_by("created_at", "pk")
    )
    assert len(pending) == 4
    sign_in(page, demo, "organiser")
    page.goto(f"{demo}/fairs/{SLUG}/registrations/?status=pending")
    expect(page.locator("tr[data-registration]")).to_have_count(4)

    first = page.locator(f"#registration-{pending[0].pk}")
    first.locator("[data-action=approve]").click()
    expect(first).to_have_attribute("data-status", "approved")  # swapped in place by htmx

    second = page.locator(f"#registration-{pending[1].pk}")
    second.locator("summary[data-action=reject-open]").click()
    second.locator("input[name=reason]").fill("资料不全")
    second.locator("[data-action=reject]").click()
    expect(second).to_have_attribute("data-status", "rejected")
    expect(second).to_contain_text("资料不全")

    page.check("[data-select-all=ids]")  # ticks the two still pending (and nothing else)
    page.click("[data-action=approve-selected]")
    expect(page.locator(".alert-success")).to_contain_text("2")
    expect(page.locator("tr[data-registration]")).to_have_count(0)

    statuses = [r.status for r in Registration.objects.filter(pk__in=[p.pk for p in pending])]
    assert sorted(statuses) == ["approved", "approved", "approved", "rejected"]


def test_gate_scan_online_accepts_then_says_already(page: Page, demo: str) -> None:
    (token,) = fresh_tokens(1)
    before = checkins("B")
    sign_in(page, demo, "organiser")
    open_scanner(page, demo, "B")
    result = page.locator("#scan-result")
    # The camera button shows only where the browser reads QR codes itself.
    camera = page.locator("#camera-button")
    if page.evaluate("'BarcodeDetector' in window"):
        expect(camera).to_be_visible()
    else:
        expect(camera).to_be_hidden()

    scan(page, token)

    expect(result).to_have_attribute("data-outcome", "accepted")
    expect(result).to_have_attribute("data-mode", "online")
    expect(result).to_have_class(re.compile("text-bg-success"))
    expect(page.locator("#scan-token")).to_be_focused()  # ready for the next badge
    page.screenshot(path=str(SCREENSHOTS / "gate.png"), full_page=True)
    assert checkins("B") == before + 1

    scan(page, token)

    expect(result).to_have_attribute("data-outcome", "already")
    expect(result).to_have_class(re.compile("text-bg-warning"))
    expect(result.locator("[data-result-message]")).to_contain_text(ALREADY)
    expect(result.locator("[data-result-message]")).to_contain_text("B")
    assert checkins("B") == before + 1

    scan(page, "XQ1.bm90.aGVsbG8")
    expect(result).to_have_attribute("data-outcome", "invalid")
    expect(result).to_have_class(re.compile("text-bg-danger"))


def queued(page: Page, gate_id: int) -> list[dict[str, Any]]:
    return page.evaluate(f"JSON.parse(localStorage.getItem('xiqia.gate.{gate_id}.queue') || '[]')")


def test_gate_offline_mode_queues_and_uploads_once(
    page: Page, context: BrowserContext, demo: str
) -> None:
    from xiqia.fair.models import Gate

    gate = Gate.objects.get(fair__slug=SLUG, code="A")
    first, second = fresh_tokens(2)
    before = checkins()
    sign_in(page, demo, "organiser")
    open_scanner(page, demo, "A")
    result = page.locator("#scan-result")

    page.click("#download-list")
    expect(page.locator("#list-status")).to_have_attribute("data-list-state", "ok")
    page.check("#offline-mode")
    expect(page.locator("#gate-connection")).to_have_attribute("data-connection", "offline")
    scan(page, first)
    expect(result).to_have_attribute("data-outcome", "accepted")
    expect(result).to_have_attribute("data-mode", "offline")
    scan(page, second)
    expect(page.locator("[data-queue-count]")).to_have_text("2")
    scan(page, first)
    expect(result).to_have_attribute("data-outcome", "already")
    expect(result.locator("[data-result-message]")).to_contain_text(ALREADY)
    expect(result.locator("[data-result-message]")).to_contain_text(re.compile(r"\d\d:\d\d"))
    # A forged token fails the signature check on the device too.
    head, payload, signature = first.split(".")
    scan(page, f"{head}.{payload}.{signature[::-1]}")
    expect(result).to_have_attribute("data-outcome", "invalid")
    texts = page.evaluate("JSON.parse(document.getElementById('gate-config').text).texts")
    scan(page, "XQ1.bnVsbA.AAAA")  # a payload of JSON null: refused, not a crash
    expect(result.locator("[data-result-message]")).to_have_text(texts["invalid"])
    expect(page.locator("[data-queue-count]")).to_have_text("2")
    assert checkins() == before  # nothing reached the server yet
    batch = queued(page, gate.pk)

    page.uncheck("#offline-mode")
    page.click("#upload-queue")

    report = page.locator("#upload-report")
    expect(report.locator("[data-report-count=accepted]")).to_have_text("2")
    expect(report.locator("[data-report-count=duplicates]")).to_have_text("0")
    expect(page.locator("[data-queue-count]")).to_have_text("0")
    assert checkins() == before + 2
    assert queued(page, gate.pk) == []

    # The same batch sent again (a retry after a lost answer) counts nothing twice.
    device = page.evaluate("localStorage.getItem('xiqia.device')")
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    for _attempt in range(2):
        again = page.request.post(
            f"{demo}/api/v1/gates/{gate.pk}/upload/",
            data={"device_id": device, "scans": batch},
            headers={"X-CSRFToken": csrf},
        )
        assert again.status == 200
        assert (again.json()["duplicates"], again.json()["accepted"]) == (2, 0)
    assert checkins() == before + 2


def test_gate_falls_back_when_the_network_drops(
    page: Page, context: BrowserContext, demo: str
) -> None:
    (token,) = fresh_tokens(1)
    before = checkins("B")
    sign_in(page, demo, "organiser")
    open_scanner(page, demo, "B")
    page.click("#download-list")
    expect(page.locator("#list-status")).to_have_attribute("data-list-state", "ok")

    context.set_offline(True)
    scan(page, token)

    result = page.locator("#scan-result")
    expect(result).to_have_attribute("data-outcome", "accepted")
    expect(result).to_have_attribute("data-mode", "offline")
    expect(page.locator("#gate-connection")).to_have_attribute("data-connection", "down")
    expect(page.locator("[data-queue-count]")).to_have_text("1")

    context.set_offline(False)  # back online: the queue uploads by itself

    expect(page.locator("#upload-report [data-report-count=accepted]")).to_have_text("1")
    expect(page.locator("[data-queue-count]")).to_have_text("0")
    assert checkins("B") == before + 1


def test_arrivals_show_the_database_counts_and_refresh(page: Page, demo: str) -> None:
    from xiqia.fair import services
    from xiqia.fair.models import Gate

    sign_in(page, demo, "organiser")
    page.goto(f"{demo}/fairs/{SLUG}/arrivals/")
    expect(page.locator("#arrivals-chart[data-chart-ready=true] canvas")).to_have_count(1)
    for code in ("A", "B"):
        count = page.locator(f"[data-arrivals-gates] tr[data-gate={code}] [data-count]")
        expect(count).to_have_text(str(checkins(code)))
    assert checkins("A") + checkins("B") > 0

    (token,) = fresh_tokens(1)
    services.check_in(gate=Gate.objects.get(fair__slug=SLUG, code="A"), token=token)

    # Within one 5-second refresh the page shows the new arrival.
    count_a = page.locator("[data-arrivals-gates] tr[data-gate=A] [data-count]")
    expect(count_a).to_have_text(str(checkins("A")), timeout=9000)
    expect(page.locator("[data-fair-total]")).to_have_text(str(checkins()))
