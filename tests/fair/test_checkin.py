"""Check-in: a badge counts once; refusals say why; offline scans merge without double counting."""

from __future__ import annotations

import datetime
import uuid

from django.utils import translation

from tests.fair.conftest import SHANGHAI, FairWorld, make_fair
from xiqia.fair import badges, services
from xiqia.fair.models import CheckIn, Gate, Scan


def at(hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(2021, 5, 20, hour, minute, tzinfo=SHANGHAI)


def token_for(registration) -> str:
    return services.badge_token(registration.badge)


def test_first_scan_checks_in(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang")

    result = services.check_in(
        gate=fair_world.entrance, token=token_for(registration), scanned_at=at(9, 12)
    )

    assert (result.outcome, result.accepted, result.gate) == ("accepted", True, "A")
    assert CheckIn.objects.get().badge == registration.badge


def test_second_scan_counts_once_and_says_when_and_where(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang")
    token = token_for(registration)
    services.check_in(gate=fair_world.side_gate, token=token, scanned_at=at(9, 12))

    with translation.override("en"):
        again = services.check_in(gate=fair_world.entrance, token=token, scanned_at=at(9, 30))

    assert again.outcome == "already"
    assert again.message == "Already checked in at 09:12, gate B."
    assert CheckIn.objects.count() == 1
    assert Scan.objects.count() == 2


def test_revoked_badge_is_refused_with_reason(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang")
    token = token_for(registration)
    services.badge_revoke(badge=registration.badge, actor=fair_world.organiser, reason="证件遗失")

    result = services.check_in(gate=fair_world.entrance, token=token)

    assert (result.outcome, result.accepted) == ("revoked", False)
    assert "证件遗失" in result.message
    assert not CheckIn.objects.exists()


def test_forged_token_is_refused(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang")
    prefix, payload, signature = token_for(registration).split(".")
    forged_payload = badges.b64encode(badges.b64decode(payload).replace(b"guest", b"vip__"))

    result = services.check_in(
        gate=fair_world.entrance, token=f"{prefix}.{forged_payload}.{signature}"
    )

    assert result.outcome == "invalid"
    assert not CheckIn.objects.exists()


def test_unknown_badge_is_refused(fair_world: FairWorld) -> None:
    key = services.fair_key(fair_world.fair)
    from xiqia.core import personal

    token = badges.make_token(
        personal.decrypt(key.private_key_encrypted),
        badges.BadgeClaims(
            badge_id=uuid.uuid4().hex, fair_id=fair_world.fair.pk, name="某人", category="guest"
        ),
    )

    assert services.check_in(gate=fair_world.entrance, token=token).outcome == "unknown"


def test_garbage_and_other_fair_are_refused(fair_world: FairWorld) -> None:
    other_gate = Gate.objects.create(fair=make_fair(slug="other"), code="Z", name_zh="别处")
    token = token_for(fair_world.register("zhang"))

    assert services.check_in(gate=fair_world.entrance, token="hello").outcome == "invalid"
    assert services.check_in(gate=other_gate, token=token).outcome == "wrong_fair"


def test_event_gate_needs_a_confirmed_seat(fair_world: FairWorld) -> None:
    seated = fair_world.register("a", fair_world.race)
    fair_world.register("b", fair_world.race)
    waiting = fair_world.register("c", fair_world.race)

    assert (
        services.check_in(gate=fair_world.race_gate, token=token_for(seated)).outcome == "accepted"
    )
    assert (
        services.check_in(gate=fair_world.race_gate, token=token_for(waiting)).outcome == "no_seat"
    )
    # The same badge checks in to the fair itself separately.
    assert (
        services.check_in(gate=fair_world.entrance, token=token_for(seated)).outcome == "accepted"
    )
    assert CheckIn.objects.count() == 2


def test_offline_upload_merges_without_double_counting(fair_world: FairWorld) -> None:
    tokens = [token_for(fair_world.register(n)) for n in ("a", "b", "c")]
    services.check_in(
        gate=fair_world.entrance, token=tokens[0], scanned_at=at(9, 0)
    )  # online first
    batch = [
        {"id": "s1", "token": tokens[0], "scanned_at": at(9, 5)},  # already in online
        {"id": "s2", "token": tokens[1], "scanned_at": at(9, 6)},
        {"id": "s3", "token": tokens[1], "scanned_at": at(9, 7)},  # scanned twice offline
        {"id": "s4", "token": tokens[2], "scanned_at": at(9, 8)},
        {"id": "s5", "token": "not-a-badge", "scanned_at": at(9, 9)},
    ]

    report = services.gate_upload(gate=fair_world.side_gate, device_id="gate-b-1", scans=batch)

    assert (report.received, report.accepted, report.already, report.refused) == (5, 2, 2, 1)
    assert CheckIn.objects.count() == 3
    conflict_ids = {c["id"] for c in report.conflicts}
    assert conflict_ids == {"s1", "s3", "s5"}


def test_offline_upload_sent_twice_changes_nothing(fair_world: FairWorld) -> None:
    token = token_for(fair_world.register("a"))
    batch = [{"id": "s1", "token": token, "scanned_at": at(9, 5)}]
    services.gate_upload(gate=fair_world.side_gate, device_id="gate-b-1", scans=batch)

    again = services.gate_upload(gate=fair_world.side_gate, device_id="gate-b-1", scans=batch)

    assert (again.duplicates, again.accepted) == (1, 0)
    assert (CheckIn.objects.count(), Scan.objects.count()) == (1, 1)


def test_offline_scan_earlier_than_online_keeps_earlier_time(fair_world: FairWorld) -> None:
    token = token_for(fair_world.register("a"))
    services.check_in(gate=fair_world.entrance, token=token, scanned_at=at(9, 30))

    report = services.gate_upload(
        gate=fair_world.side_gate,
        device_id="gate-b-1",
        scans=[{"id": "s1", "token": token, "scanned_at": at(9, 10)}],
    )

    checkin = CheckIn.objects.get()
    assert (checkin.scanned_at, checkin.gate.code) == (at(9, 10), "B")
    assert report.conflicts and "09:10" in report.conflicts[0]["conflict"]


def test_gate_list_is_signed_and_lists_valid_and_revoked(fair_world: FairWorld) -> None:
    valid = fair_world.register("a")
    revoked = fair_world.register("b")
    services.badge_revoke(badge=revoked.badge, actor=fair_world.organiser, reason="lost")

    signed = services.gate_list(gate=fair_world.entrance)

    body = signed["list"]
    assert badges.verify(body["public_key"], badges.canonical(body), signed["signature"])
    assert body["valid"] == [valid.badge.pk.hex] and body["revoked"] == [revoked.badge.pk.hex]
    tampered = {**body, "revoked": []}
    assert not badges.verify(body["public_key"], badges.canonical(tampered), signed["signature"])


def test_badge_token_verifies_offline_with_public_key_only(fair_world: FairWorld) -> None:
    registration = fair_world.register("zhang")
    public_key = services.fair_key(fair_world.fair).public_key

    claims = badges.read_token(public_key, token_for(registration))

    assert (claims.badge_id, claims.fair_id, claims.category) == (
        registration.badge.pk.hex,
        fair_world.fair.pk,
        "guest",
    )


def test_crafted_payloads_are_refused_not_crashing(fair_world: FairWorld) -> None:
    for payload in (b"[]", b"5", b'{"f": "x"}', b'{"b": 1}', b"\xff"):
        token = f"XQ1.{badges.b64encode(payload)}.AAAA"

        assert services.check_in(gate=fair_world.entrance, token=token).outcome == "invalid"


def test_scan_time_from_the_future_is_clamped_to_arrival(fair_world: FairWorld) -> None:
    token = token_for(fair_world.register("a"))
    future = datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)

    services.gate_upload(
        gate=fair_world.side_gate,
        device_id="gate-b-1",
        scans=[{"id": "s1", "token": token, "scanned_at": future}],
    )

    assert CheckIn.objects.get().scanned_at < future


def test_second_scan_answers_in_chinese_by_default(fair_world: FairWorld) -> None:
    token = token_for(fair_world.register("zhang"))
    services.check_in(gate=fair_world.side_gate, token=token, scanned_at=at(9, 12))

    again = services.check_in(gate=fair_world.entrance, token=token, scanned_at=at(9, 30))

    assert again.message == "已于 09:12 在 B 门签到。"


def test_scan_id_reused_for_another_badge_is_refused_not_replayed(fair_world: FairWorld) -> None:
    first = token_for(fair_world.register("a"))
    second = token_for(fair_world.register("b"))
    services.check_in(gate=fair_world.entrance, token=first, device_id="t1", client_scan_id="42")

    reused = services.check_in(
        gate=fair_world.entrance, token=second, device_id="t1", client_scan_id="42"
    )

    assert (reused.outcome, reused.duplicate_upload) == ("invalid", False)
    assert reused.message == "该扫码编号已在本设备上用于其他参会证或入口。"
    assert CheckIn.objects.count() == 1 and Scan.objects.count() == 1


def test_repeat_scan_writes_no_error_and_one_checkin(fair_world: FairWorld) -> None:
    token = token_for(fair_world.register("a"))

    results = [services.check_in(gate=fair_world.entrance, token=token).outcome for _ in range(3)]

    assert results == ["accepted", "already", "already"]
    assert (CheckIn.objects.count(), Scan.objects.count()) == (1, 3)
