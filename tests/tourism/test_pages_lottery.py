"""The lottery through its pages: register, publish the hash, freeze, draw, the winner claims."""

from __future__ import annotations

from typing import Any

import time_machine
from django.test import Client

from tests.conftest import make_user
from tests.tourism.conftest import ALICE_ID, TourismWorld, make_campaign
from xiqia.tourism import lottery
from xiqia.tourism.models import AllocationMode, LotteryEntry, Voucher


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_lottery_pages_run_registration_draw_claim(tw: TourismWorld) -> None:
    campaign = make_campaign(slug="draw", total=1, allocation_mode=AllocationMode.LOTTERY)
    resident = client_for(tw.resident)
    officer = client_for(tw.officer)
    base = "/tourism/campaigns/draw/"

    entered = resident.post(base + "enter/", {"holder_name": "张三", "id_number": ALICE_ID})
    hashed = officer.post(base + "draw/", {"step": "hash", "seed_hash": lottery.seed_hash("s")})
    with time_machine.travel(campaign.claim_closes_at):
        frozen = officer.post(base + "draw/", {"step": "freeze"})
        drawn = officer.post(base + "draw/", {"step": "draw", "seed": "s"})
        listing = Client().get(base + "entrants.txt")
        page = resident.get(base).content.decode()
        claimed = resident.post(base + "entry/claim/")

    entry = LotteryEntry.objects.get()
    voucher = Voucher.objects.get()
    assert [r.status_code for r in (entered, hashed, frozen, drawn)] == [302, 302, 302, 302]
    assert listing.content.decode() == f"{entry.code}\n"
    assert 'data-entry-state="won"' in page
    assert claimed["Location"] == f"/tourism/vouchers/{voucher.code}/"
    assert voucher.holder == tw.resident


def test_lottery_entrants_list_is_404_before_freeze(tw: TourismWorld) -> None:
    make_campaign(slug="draw", allocation_mode=AllocationMode.LOTTERY)

    assert Client().get("/tourism/campaigns/draw/entrants.txt").status_code == 404


def test_lottery_draw_page_wrong_seed_is_refused(tw: TourismWorld) -> None:
    campaign = make_campaign(slug="draw", allocation_mode=AllocationMode.LOTTERY)
    officer = client_for(tw.officer)
    officer.post(
        "/tourism/campaigns/draw/draw/", {"step": "hash", "seed_hash": lottery.seed_hash("s")}
    )
    with time_machine.travel(campaign.claim_closes_at):
        officer.post("/tourism/campaigns/draw/draw/", {"step": "freeze"})
        response = officer.post("/tourism/campaigns/draw/draw/", {"step": "draw", "seed": "x"})

    assert response.status_code == 400
    assert "data-form-errors" in response.content.decode()


def test_lottery_draw_page_is_403_for_others(tw: TourismWorld) -> None:
    make_campaign(slug="draw", allocation_mode=AllocationMode.LOTTERY)

    assert client_for(make_user("someone")).get("/tourism/campaigns/draw/draw/").status_code == 403
