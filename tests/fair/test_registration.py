"""Registration: states, decisions, capacity and the waitlist, one registration per person."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import make_user
from tests.fair.conftest import FairWorld, make_event, make_fair
from xiqia.core.errors import Conflict, DomainError
from xiqia.fair import services
from xiqia.fair.models import BadgeStatus, Registration, SeatStatus


def seat_statuses(event) -> list[tuple[str, str]]:
    return list(
        event.seats.order_by("created_at", "pk").values_list(
            "registration__person__username", "status"
        )
    )


def test_registration_starts_pending_without_badge(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang", fair_world.forum, approve=False)

    assert registration.status == "pending"
    assert not hasattr(registration, "badge") or registration.badge is None


def test_registration_approved_gets_active_badge(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang")

    assert (registration.status, registration.badge.status) == ("approved", BadgeStatus.ACTIVE)
    assert registration.decided_by == fair_world.organiser


def test_fair_without_approval_approves_at_once(db) -> None:
    fair = make_fair(slug="open", requires_approval=False)
    person = make_user("li")

    registration = services.registration_create(fair=fair, person=person, actor=person)

    assert registration.status == "approved" and registration.badge.status == BadgeStatus.ACTIVE


def test_same_person_cannot_register_twice(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang")

    with pytest.raises(Conflict) as refusal:
        services.registration_create(
            fair=fair_world.fair, person=registration.person, actor=registration.person
        )

    assert refusal.value.code == "already_registered"
    assert Registration.objects.filter(person=registration.person).count() == 1


def test_capacity_fills_then_waitlists(fair_world: FairWorld) -> None:
    for name in ("a", "b", "c", "d"):
        fair_world.register(name, fair_world.race)

    assert seat_statuses(fair_world.race) == [
        ("a", "confirmed"),
        ("b", "confirmed"),
        ("c", "waitlisted"),
        ("d", "waitlisted"),
    ]
    fair_world.race.refresh_from_db()
    assert fair_world.race.seats_taken == 2


def test_cancellation_promotes_first_on_waitlist(fair_world: FairWorld) -> None:
    first = fair_world.register("a", fair_world.race)
    for name in ("b", "c", "d"):
        fair_world.register(name, fair_world.race)

    services.registration_cancel(registration=first, actor=first.person)

    assert seat_statuses(fair_world.race) == [
        ("a", "cancelled"),
        ("b", "confirmed"),
        ("c", "confirmed"),
        ("d", "waitlisted"),
    ]
    fair_world.race.refresh_from_db()
    assert fair_world.race.seats_taken == 2
    first.refresh_from_db()
    assert (first.status, first.badge.status) == ("cancelled", BadgeStatus.REVOKED)


def test_rejection_frees_seat_and_revokes_badge(fair_world: FairWorld) -> None:
    first = fair_world.register("a", fair_world.race)
    fair_world.register("b", fair_world.race)
    fair_world.register("c", fair_world.race)

    services.registration_reject(registration=first, actor=fair_world.organiser, reason="资料不实")

    assert dict(seat_statuses(fair_world.race))["c"] == SeatStatus.CONFIRMED
    first.refresh_from_db()
    assert (first.status, first.decision_reason, first.badge.status) == (
        "rejected",
        "资料不实",
        "revoked",
    )


def test_bulk_approve_approves_only_pending(fair_world: FairWorld) -> None:
    pending = [fair_world.register(n, approve=False) for n in ("a", "b", "c")]
    services.registration_reject(registration=pending[2], actor=fair_world.organiser)

    approved = services.registrations_approve(registrations=pending, actor=fair_world.organiser)

    assert approved == 2
    assert sorted(Registration.objects.values_list("status", flat=True)) == [
        "approved",
        "approved",
        "rejected",
    ]


def test_participant_cannot_approve(fair_world: FairWorld) -> None:
    registration = fair_world.register("a", approve=False)

    with pytest.raises(PermissionDenied):
        services.registration_approve(registration=registration, actor=registration.person)
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_approve_twice_is_a_conflict(fair_world: FairWorld) -> None:
    registration = fair_world.register("a")

    with pytest.raises(Conflict):
        services.registration_approve(registration=registration, actor=fair_world.organiser)


def test_registration_closed_is_refused(db) -> None:
    import datetime

    fair = make_fair(
        slug="closed", registration_closes_at=datetime.datetime(2021, 5, 1, tzinfo=datetime.UTC)
    )
    person = make_user("li")

    with pytest.raises(DomainError) as refusal:
        services.registration_create(fair=fair, person=person, actor=person)

    assert refusal.value.code == "registration_closed"
    assert not Registration.objects.exists()


def test_event_of_another_fair_is_refused(fair_world: FairWorld) -> None:
    other = make_event(make_fair(slug="other"), "别的会")
    person = make_user("li")

    with pytest.raises(Exception) as refusal:
        services.registration_create(
            fair=fair_world.fair, person=person, events=[other], actor=person
        )

    assert "events" in refusal.value.message_dict  # type: ignore[attr-defined]
    assert not Registration.objects.filter(person=person).exists()


def test_cancelled_person_may_register_again(fair_world: FairWorld) -> None:
    registration = fair_world.register("a", fair_world.race)
    services.registration_cancel(registration=registration, actor=registration.person)

    again = services.registration_create(
        fair=fair_world.fair,
        person=registration.person,
        events=[fair_world.race],
        actor=registration.person,
    )

    assert again.pk == registration.pk and again.status == "pending"
    assert dict(seat_statuses(fair_world.race))["a"] == "confirmed"


def test_participant_cannot_choose_vip_category(fair_world: FairWorld) -> None:
    person = make_user("li")

    with pytest.raises(Exception) as refusal:
        services.registration_create(
            fair=fair_world.fair, person=person, category="vip", actor=person
        )

    assert "category" in refusal.value.message_dict  # type: ignore[attr-defined]
    assert not Registration.objects.filter(person=person).exists()


def test_unpublished_event_is_refused_to_participants(fair_world: FairWorld) -> None:
    draft = make_event(fair_world.fair, "内部会议")
    draft.is_published = False
    draft.save()
    person = make_user("li")

    with pytest.raises(Exception) as refusal:
        services.registration_create(
            fair=fair_world.fair, person=person, events=[draft], actor=person
        )

    assert "events" in refusal.value.message_dict  # type: ignore[attr-defined]


def test_event_registration_window_is_enforced(fair_world: FairWorld) -> None:
    import datetime

    fair_world.race.registration_closes_at = datetime.datetime(2021, 5, 1, tzinfo=datetime.UTC)
    fair_world.race.save()
    person = make_user("li")

    with pytest.raises(DomainError) as refusal:
        services.registration_create(
            fair=fair_world.fair, person=person, events=[fair_world.race], actor=person
        )

    assert refusal.value.code == "event_registration_closed"
    assert not Registration.objects.filter(person=person).exists()  # all or nothing
