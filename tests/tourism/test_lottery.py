"""The public lottery: registration, frozen entrants, seed hash first, a reproducible draw."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests.conftest import make_user
from tests.tourism.conftest import TourismWorld, make_campaign
from xiqia.core.errors import Conflict, DomainError
from xiqia.tourism import lottery, services
from xiqia.tourism.models import AllocationMode, LotteryEntry, VoucherCampaign
from xiqia.tourism.synthetic import synthetic_people

SEED = "xin-long-2021-draw-seed"


def test_draw_is_the_lowest_sha256_scores() -> None:
    codes = ["a1", "b2", "c3", "d4", "e5"]
    scores = {c: hashlib.sha256(f"{SEED}:{c}".encode()).hexdigest() for c in codes}

    winners = lottery.draw(SEED, codes, 2)

    assert winners == sorted(codes, key=lambda c: scores[c])[:2]


def test_draw_does_not_depend_on_list_order() -> None:
    codes = [f"{n:012x}" for n in range(50)]

    assert lottery.draw(SEED, codes, 7) == lottery.draw(SEED, list(reversed(codes)), 7)


def test_entrants_digest_is_sha256_of_sorted_lines() -> None:
    assert lottery.entrants_digest(["b", "a"]) == hashlib.sha256(b"a\nb\n").hexdigest()


def lottery_campaign(total: int = 3) -> VoucherCampaign:
    return make_campaign(slug="draw", total=total, allocation_mode=AllocationMode.LOTTERY)


def register_people(campaign: VoucherCampaign, count: int) -> list[LotteryEntry]:
    import random

    people = synthetic_people(random.Random(5), count)  # noqa: S311 (synthetic people)
    return [
        services.lottery_register(
            campaign=campaign,
            holder_name=f"游客{n}",
            id_number=number,
            holder=make_user(f"entrant{n}"),
        )
        for n, number in enumerate(people)
    ]


def test_lottery_runs_registration_freeze_draw_claim(tw: TourismWorld) -> None:
    campaign = lottery_campaign(total=3)
    entries = register_people(campaign, 8)
    services.lottery_publish_seed_hash(
        campaign=campaign, seed_hash=lottery.seed_hash(SEED), actor=tw.officer
    )

    with time_machine.travel(campaign.claim_closes_at + datetime.timedelta(minutes=1)):
        services.lottery_freeze(campaign=campaign, actor=tw.officer)
        winners = services.lottery_draw(campaign=campaign, seed=SEED, actor=tw.officer)
        campaign.refresh_from_db()
        # Anyone recomputes the draw from the published seed and entrant list.
        published = campaign.draw_seed, [e.code for e in entries]
        assert lottery.seed_hash(published[0]) == campaign.draw_seed_hash
        assert lottery.entrants_digest(published[1]) == campaign.entrants_digest
        assert lottery.draw(*published, 3) == winners
        winner = LotteryEntry.objects.get(code=winners[0])
        voucher = services.lottery_claim(entry=winner, actor=winner.holder)
        loser = LotteryEntry.objects.filter(campaign=campaign, won=False).first()
        with pytest.raises(DomainError) as refused:
            services.lottery_claim(entry=loser, actor=loser.holder)

    assert LotteryEntry.objects.filter(campaign=campaign, won=True).count() == 3
    assert voucher.holder == winner.holder
    assert voucher.id_number == winner.id_number
    assert refused.value.code == "not_a_winner"
    campaign.refresh_from_db()
    assert campaign.remaining == 2


def test_lottery_register_refuses_the_same_person_twice(tw: TourismWorld) -> None:
    campaign = lottery_campaign()
    entry = register_people(campaign, 1)[0]

    with pytest.raises(Conflict) as exc:
        services.lottery_register(
            campaign=campaign, holder_name="别人", id_number=entry.id_number.reveal()
        )

    assert exc.value.code == "already_registered"


def test_lottery_freeze_refuses_without_seed_hash(tw: TourismWorld) -> None:
    campaign = lottery_campaign()

    with time_machine.travel(campaign.claim_closes_at), pytest.raises(DomainError) as exc:
        services.lottery_freeze(campaign=campaign, actor=tw.officer)

    assert exc.value.code == "no_seed_hash"


def test_lottery_freeze_refuses_while_registration_open(tw: TourismWorld) -> None:
    campaign = lottery_campaign()
    services.lottery_publish_seed_hash(
        campaign=campaign, seed_hash=lottery.seed_hash(SEED), actor=tw.officer
    )

    with pytest.raises(DomainError) as exc:
        services.lottery_freeze(campaign=campaign, actor=tw.officer)

    assert exc.value.code == "registration_open"


def test_lottery_seed_hash_cannot_change(tw: TourismWorld) -> None:
    campaign = lottery_campaign()
    services.lottery_publish_seed_hash(
        campaign=campaign, seed_hash=lottery.seed_hash(SEED), actor=tw.officer
    )

    with pytest.raises(Conflict) as exc:
        services.lottery_publish_seed_hash(
            campaign=campaign, seed_hash=lottery.seed_hash("other"), actor=tw.officer
        )

    assert exc.value.code == "seed_hash_published"


def test_lottery_draw_refuses_a_seed_not_matching_the_hash(tw: TourismWorld) -> None:
    campaign = lottery_campaign()
    register_people(campaign, 4)
    services.lottery_publish_seed_hash(
        campaign=campaign, seed_hash=lottery.seed_hash(SEED), actor=tw.officer
    )

    with time_machine.travel(campaign.claim_closes_at):
        services.lottery_freeze(campaign=campaign, actor=tw.officer)
        with pytest.raises(ValidationError) as exc:
            services.lottery_draw(campaign=campaign, seed="guess", actor=tw.officer)

    assert exc.value.message_dict == {"seed": ["This seed does not match the published hash."]}
    assert not LotteryEntry.objects.filter(won=True).exists()


def test_lottery_registration_closed_after_freeze(tw: TourismWorld) -> None:
    campaign = lottery_campaign()
    services.lottery_publish_seed_hash(
        campaign=campaign, seed_hash=lottery.seed_hash(SEED), actor=tw.officer
    )
    with time_machine.travel(campaign.claim_closes_at):
        services.lottery_freeze(campaign=campaign, actor=tw.officer)

    with pytest.raises(DomainError) as exc:
        register_people(campaign, 1)

    assert exc.value.code == "registration_closed"


def test_lottery_actions_refused_to_someone_not_running_it(tw: TourismWorld) -> None:
    from django.core.exceptions import PermissionDenied

    campaign = lottery_campaign()

    with pytest.raises(PermissionDenied):
        services.lottery_publish_seed_hash(
            campaign=campaign, seed_hash=lottery.seed_hash(SEED), actor=tw.resident
        )
