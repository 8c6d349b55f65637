"""The schedule in the database: preview, publish, cancel and late arrival re-plans, check-in
and outcomes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.matchmaking.conftest import MatchWorld, at, user_of
from xiqia.core.errors import Conflict, DomainError
from xiqia.matchmaking import planning, scheduling, services
from xiqia.matchmaking.models import (
    Attendance,
    Meeting,
    MeetingStatus,
    NoticeKind,
    Notification,
    Outcome,
    PlanKind,
    PlanStatus,
    Profile,
    SchedulePlan,
)

LATER = at(25, 12)  # after the fair: every slot is open (as in the demo)


def meet(a: Profile, b: Profile) -> Meeting:
    request = services.request_send(sender=a, recipient=b, actor=user_of(a))
    return services.request_accept(request=request, actor=user_of(b))


def kinds(profile: Profile) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user_of(profile))
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def assert_valid(mw: MatchWorld) -> None:
    loaded = planning.load(mw.fair, LATER)
    placed = {
        m.pk: [m.slot_id, m.table_id]
        for m in Meeting.objects.filter(fair=mw.fair, status=MeetingStatus.PUBLISHED)
    }
    assert scheduling.validate(loaded.problem, planning.as_schedule(loaded, placed)) == []


@pytest.fixture
def star(mw: MatchWorld) -> dict[str, Any]:
    """Ana is wanted by three people; two slots and two tables: at most 2 of 3 + 1 fit."""
    mw.add_slots(2)
    mw.add_tables(2)
    ana, bo, cy, di, ed, fa = (mw.person(n) for n in ("ana", "bo", "cy", "di", "ed", "fa"))
    meetings = [meet(bo, ana), meet(cy, ana), meet(di, ana), meet(ed, fa)]
    return {"people": (ana, bo, cy, di, ed, fa), "meetings": meetings}


def test_schedule_preview_reports_placed_of_bound(mw: MatchWorld, star: Any) -> None:
    plan = services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    assert (plan.status, plan.kind) == (PlanStatus.PREVIEW, PlanKind.FULL)
    assert (plan.meetings_total, plan.placed, plan.upper_bound) == (4, 3, 3)
    assert plan.fcfs_placed == 3
    assert len(plan.assignments) == 3
    assert Meeting.objects.filter(status=MeetingStatus.PUBLISHED).count() == 0


def test_schedule_preview_supersedes_older_preview(mw: MatchWorld, star: Any) -> None:
    first = services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED
    with pytest.raises(Conflict) as caught:
        services.schedule_publish(plan=first, actor=mw.organiser, now=LATER)
    assert caught.value.code == "not_preview"


def test_schedule_preview_refuses_without_tables(mw: MatchWorld) -> None:
    mw.add_slots(2)
    with pytest.raises(DomainError) as caught:
        services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    assert caught.value.code == "no_slots_or_tables"
    assert SchedulePlan.objects.count() == 0


def test_schedule_preview_refuses_participant(mw: MatchWorld, star: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.schedule_preview(fair=mw.fair, actor=user_of(star["people"][0]), now=LATER)


def test_schedule_publish_places_meetings_and_notifies(mw: MatchWorld, star: Any) -> None:
    plan = services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    applied = services.schedule_publish(plan=plan, actor=mw.organiser, now=LATER)
    assert (applied.placed, applied.moved, applied.unplaced, applied.notified) == (3, 0, 0, 6)
    assert Meeting.objects.filter(status=MeetingStatus.PUBLISHED).count() == 3
    assert_valid(mw)
    ed, fa = star["people"][4:]
    assert kinds(ed)[-1] == NoticeKind.PLACED
    notice = Notification.objects.filter(recipient=user_of(fa)).latest("pk")
    meeting = star["meetings"][3]
    meeting.refresh_from_db()
    assert notice.text == (
        f"Your meeting with Ed is at {meeting.slot}, table {meeting.table.code}."
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED


def test_schedule_publish_respects_availability(mw: MatchWorld) -> None:
    mw.add_slots(2)
    mw.add_tables(1)
    late = mw.person("late", windows=[(at(20, 9, 30), at(20, 10))])
    early = mw.person("early")
    meet(early, late)
    plan = services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    services.schedule_publish(plan=plan, actor=mw.organiser, now=LATER)
    meeting = Meeting.objects.get()
    assert meeting.slot == mw.slots[1]


def test_schedule_publish_refuses_stale_preview(mw: MatchWorld, star: Any) -> None:
    plan = services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    placed = Meeting.objects.get(pk=int(next(iter(plan.assignments))))
    services.meeting_cancel(meeting=placed, actor=mw.organiser, now=LATER)
    with pytest.raises(Conflict) as caught:
        services.schedule_publish(plan=plan, actor=mw.organiser, now=LATER)
    assert caught.value.code == "plan_stale"
    assert Meeting.objects.filter(status=MeetingStatus.PUBLISHED).count() == 0


def test_schedule_preview_after_publish_keeps_published_meetings(mw: MatchWorld, star: Any) -> None:
    services.schedule_publish(
        plan=services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER),
        actor=mw.organiser,
        now=LATER,
    )
    before = dict(Meeting.objects.filter(status=MeetingStatus.PUBLISHED).values_list("pk", "slot"))
    meet(mw.person("gi"), mw.person("ho"))  # fits in the free table without moving anyone
    plan = services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    assert plan.kind == PlanKind.REPLAN
    assert (plan.placed, plan.moved) == (4, 0)
    assert {int(k): v[0] for k, v in plan.assignments.items() if int(k) in before} == before


def test_meeting_cancel_replans_and_notifies(mw: MatchWorld, star: Any) -> None:
    services.schedule_publish(
        plan=services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER),
        actor=mw.organiser,
        now=LATER,
    )
    ana = star["people"][0]
    waiting = Meeting.objects.get(status=MeetingStatus.DRAFT)
    placed = Meeting.objects.filter(status=MeetingStatus.PUBLISHED, b=ana).first()
    canceller = placed.a
    result = services.meeting_cancel(
        meeting=placed, actor=user_of(canceller), reason="flight", now=LATER
    )
    placed.refresh_from_db()
    waiting.refresh_from_db()
    assert placed.status == MeetingStatus.CANCELLED
    assert waiting.status == MeetingStatus.PUBLISHED
    assert waiting.slot_id == placed.slot_id
    assert (result.applied.placed, result.applied.moved) == (1, 0)
    assert result.plan.status == PlanStatus.PUBLISHED
    assert kinds(ana)[-2:] == [NoticeKind.CANCELLED, NoticeKind.PLACED]
    assert kinds(canceller)[-1] != NoticeKind.CANCELLED
    assert kinds(waiting.a)[-1] == NoticeKind.PLACED
    assert_valid(mw)


def test_meeting_cancel_refuses_outsider(mw: MatchWorld, star: Any) -> None:
    outsider = mw.person("zed")
    with pytest.raises(PermissionDenied):
        services.meeting_cancel(meeting=star["meetings"][0], actor=user_of(outsider))


def test_meeting_cancel_refuses_twice(mw: MatchWorld, star: Any) -> None:
    meeting = star["meetings"][0]
    services.meeting_cancel(meeting=meeting, actor=mw.organiser, now=LATER)
    with pytest.raises(Conflict) as caught:
        services.meeting_cancel(meeting=meeting, actor=mw.organiser, now=LATER)
    assert caught.value.code == "already_cancelled"


def test_meeting_cancel_before_publish_does_not_plan(mw: MatchWorld, star: Any) -> None:
    result = services.meeting_cancel(meeting=star["meetings"][0], actor=mw.organiser, now=LATER)
    assert result.plan is None
    assert SchedulePlan.objects.count() == 0


def test_late_arrival_moves_meeting_and_notifies(mw: MatchWorld) -> None:
    mw.add_slots(3)
    mw.add_tables(1)
    ana, bo, cy, di = (mw.person(n) for n in ("ana", "bo", "cy", "di"))
    first, second = meet(ana, bo), meet(cy, di)
    services.schedule_publish(
        plan=services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER),
        actor=mw.organiser,
        now=LATER,
    )
    first.refresh_from_db()
    late = first.a
    result = services.participant_late_arrival(
        profile=late, arrives_at=at(20, 10), actor=user_of(late), now=LATER
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.slot == mw.slots[2]
    assert second.status == MeetingStatus.PUBLISHED
    assert result.applied.moved >= 1
    assert kinds(first.b)[-1] == NoticeKind.MOVED
    assert [(w.starts_at, w.ends_at) for w in late.windows.all()] == [(at(20, 10), at(24, 0))]
    assert_valid(mw)


def test_late_arrival_refuses_time_outside_fair(mw: MatchWorld) -> None:
    ana = mw.person("ana")
    with pytest.raises(ValidationError):
        services.participant_late_arrival(
            profile=ana, arrives_at=at(24, 10), actor=user_of(ana), now=LATER
        )


def test_late_arrival_refuses_when_no_time_left(mw: MatchWorld) -> None:
    ana = mw.person("ana", windows=[(at(20, 9), at(20, 12))])
    with pytest.raises(DomainError) as caught:
        services.participant_late_arrival(
            profile=ana, arrives_at=at(21, 10), actor=user_of(ana), now=LATER
        )
    assert caught.value.code == "no_time_left"
    assert ana.windows.count() == 1


def test_replan_during_fair_keeps_started_slots(mw: MatchWorld) -> None:
    mw.add_slots(3)
    mw.add_tables(1)
    ana, bo, cy, di, ed, fa = (mw.person(n) for n in ("ana", "bo", "cy", "di", "ed", "fa"))
    meetings = [meet(ana, bo), meet(cy, di), meet(ed, fa)]
    services.schedule_publish(
        plan=services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=at(19, 8)),
        actor=mw.organiser,
        now=at(19, 8),
    )
    by_slot = {m.slot_id: m for m in Meeting.objects.filter(status=MeetingStatus.PUBLISHED)}
    running = by_slot[mw.slots[0].pk]
    last = by_slot[mw.slots[2].pk]
    services.meeting_cancel(meeting=by_slot[mw.slots[1].pk], actor=mw.organiser, now=at(20, 9, 10))
    running.refresh_from_db()
    last.refresh_from_db()
    assert running.slot == mw.slots[0]  # the slot under way is frozen
    assert last.slot == mw.slots[2]  # nothing to gain by moving: it stays
    assert len(meetings) == 3


# At the table -----------------------------------------------------------------------------------


@pytest.fixture
def published(mw: MatchWorld) -> Meeting:
    mw.add_slots(1)
    mw.add_tables(1)
    meeting = meet(mw.person("ana"), mw.person("bo"))
    services.schedule_publish(
        plan=services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER),
        actor=mw.organiser,
        now=LATER,
    )
    meeting.refresh_from_db()
    return meeting


def test_meeting_check_in_both_sides_makes_it_held(published: Meeting) -> None:
    now = at(20, 8, 55)
    services.meeting_check_in(
        meeting=published, profile=published.a, actor=user_of(published.a), now=now
    )
    meeting = services.meeting_check_in(
        meeting=published, profile=published.b, actor=user_of(published.b), now=now
    )
    assert meeting.attendance == Attendance.HELD
    assert (meeting.a_checked_in_at, meeting.b_checked_in_at) == (now, now)


def test_meeting_check_in_refuses_too_early(published: Meeting) -> None:
    with pytest.raises(DomainError) as caught:
        services.meeting_check_in(
            meeting=published, profile=published.a, actor=user_of(published.a), now=at(20, 8)
        )
    assert caught.value.code == "too_early"


def test_meeting_check_in_refuses_twice(published: Meeting) -> None:
    services.meeting_check_in(
        meeting=published, profile=published.a, actor=user_of(published.a), now=at(20, 9)
    )
    with pytest.raises(Conflict) as caught:
        services.meeting_check_in(
            meeting=published, profile=published.a, actor=user_of(published.a), now=at(20, 9)
        )
    assert caught.value.code == "already_checked_in"


def test_meeting_check_in_refuses_other_person(published: Meeting) -> None:
    with pytest.raises(PermissionDenied):
        services.meeting_check_in(
            meeting=published, profile=published.a, actor=user_of(published.b), now=at(20, 9)
        )


def test_table_check_in_by_qr_finds_the_meeting(published: Meeting) -> None:
    meeting = services.table_check_in(
        table_key=published.table.check_in_key, actor=user_of(published.b), now=at(20, 9, 5)
    )
    assert meeting.pk == published.pk
    assert meeting.b_checked_in_at == at(20, 9, 5)
    assert meeting.a_checked_in_at is None


def test_table_check_in_refuses_when_no_meeting_now(published: Meeting) -> None:
    with pytest.raises(DomainError) as caught:
        services.table_check_in(
            table_key=published.table.check_in_key, actor=user_of(published.b), now=at(21, 9)
        )
    assert caught.value.code == "no_meeting_here"
    assert str(caught.value.message) == "You have no meeting at table T01 now."


def test_meeting_cancel_refuses_after_check_in(mw: MatchWorld, published: Meeting) -> None:
    services.meeting_check_in(
        meeting=published, profile=published.a, actor=user_of(published.a), now=at(20, 9)
    )
    with pytest.raises(Conflict) as caught:
        services.meeting_cancel(meeting=published, actor=mw.organiser, now=at(20, 9, 1))
    assert caught.value.code == "already_held"


def test_meeting_no_show_after_slot(mw: MatchWorld, published: Meeting) -> None:
    with pytest.raises(DomainError):
        services.meeting_no_show(meeting=published, actor=mw.organiser, now=at(20, 9, 10))
    meeting = services.meeting_no_show(meeting=published, actor=mw.organiser, now=at(20, 9, 31))
    assert meeting.attendance == Attendance.NO_SHOW
    with pytest.raises(DomainError) as caught:
        services.meeting_outcome_record(
            meeting=published, actor=user_of(published.a), outcome=Outcome.FOLLOW_UP
        )
    assert caught.value.code == "no_show"


def test_meeting_no_show_refuses_held_meeting(mw: MatchWorld, published: Meeting) -> None:
    for side in (published.a, published.b):
        services.meeting_check_in(meeting=published, profile=side, actor=None, now=at(20, 9))
    with pytest.raises(Conflict):
        services.meeting_no_show(meeting=published, actor=mw.organiser, now=at(20, 10))


def test_meeting_outcome_record_by_party(published: Meeting) -> None:
    meeting = services.meeting_outcome_record(
        meeting=published,
        actor=user_of(published.b),
        outcome=Outcome.NEGOTIATING,
        note=" 框架协议 ",
        now=at(20, 10),
    )
    assert (meeting.outcome, meeting.outcome_note) == (Outcome.NEGOTIATING, "框架协议")
    assert meeting.get_outcome_display() == "deal in negotiation"


def test_meeting_outcome_record_refuses_before_meeting(published: Meeting) -> None:
    with pytest.raises(DomainError) as caught:
        services.meeting_outcome_record(
            meeting=published, actor=user_of(published.a), outcome="follow_up", now=at(19, 9)
        )
    assert caught.value.code == "not_yet"


def test_meeting_outcome_record_refuses_unknown_outcome(published: Meeting) -> None:
    with pytest.raises(ValidationError):
        services.meeting_outcome_record(
            meeting=published, actor=user_of(published.a), outcome="married", now=at(20, 10)
        )


def test_meeting_outcome_record_refuses_outsider(mw: MatchWorld, published: Meeting) -> None:
    with pytest.raises(PermissionDenied):
        services.meeting_outcome_record(
            meeting=published,
            actor=user_of(mw.person("zed")),
            outcome="follow_up",
            now=at(20, 10),
        )


def test_slot_create_refuses_overlap(mw: MatchWorld) -> None:
    mw.add_slots(1)
    with pytest.raises(DomainError) as caught:
        services.slot_create(
            fair=mw.fair,
            starts_at=at(20, 9, 15),
            ends_at=at(20, 9, 45),
            actor=mw.organiser,
        )
    assert caught.value.code == "slot_overlap"


def test_slot_create_refuses_outside_fair(mw: MatchWorld) -> None:
    with pytest.raises(ValidationError):
        services.slot_create(
            fair=mw.fair,
            starts_at=at(24, 9),
            ends_at=at(24, 9) + datetime.timedelta(minutes=30),
            actor=mw.organiser,
        )


def test_slot_delete_refuses_slot_in_use(mw: MatchWorld, published: Meeting) -> None:
    with pytest.raises(Conflict):
        services.slot_delete(slot=published.slot, actor=mw.organiser)


def test_table_retire_moves_meetings_at_next_run(mw: MatchWorld, published: Meeting) -> None:
    services.table_create(fair=mw.fair, code="T99", actor=mw.organiser)
    services.table_retire(table=published.table, actor=mw.organiser)
    plan = services.schedule_preview(fair=mw.fair, actor=mw.organiser, now=LATER)
    services.schedule_publish(plan=plan, actor=mw.organiser, now=LATER)
    published.refresh_from_db()
    assert published.table.code == "T99"
    assert kinds(published.a)[-1] == NoticeKind.MOVED


def test_notifications_mark_read(published: Meeting) -> None:
    user = user_of(published.a)
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    assert services.notifications_mark_read(user=user) == unread
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 0


def _deal(mw: MatchWorld) -> Any:
    """A signed deal not credited to any fair event: only organisers and officers see it."""
    from tests.conftest import make_org, region
    from xiqia.investment import services as investment_services

    return investment_services.deal_record(
        actor=None,
        investor=make_org("测试投资方", "500112", kind="investor"),
        host_region=region("500112"),
        amount=200_000_000,
        kind="contract",
        signed_at=datetime.date(2021, 6, 1),
        title_zh="智能终端配套项目",
    )


def test_meeting_outcome_links_a_deal(mw: MatchWorld, published: Meeting) -> None:
    deal = _deal(mw)
    meeting = services.meeting_outcome_record(
        meeting=published,
        actor=mw.organiser,
        outcome=Outcome.NEGOTIATING,
        deal=deal,
        now=at(20, 10),
    )
    assert meeting.deal == deal
    assert list(deal.meetings.all()) == [meeting]


def test_meeting_outcome_refuses_a_deal_the_actor_cannot_see(published: Meeting) -> None:
    deal = _deal(MatchWorld(fair=published.fair, organiser=None))
    with pytest.raises(PermissionDenied):
        services.meeting_outcome_record(
            meeting=published,
            actor=user_of(published.a),
            outcome=Outcome.NEGOTIATING,
            deal=deal,
            now=at(20, 10),
        )
    published.refresh_from_db()
    assert (published.deal, published.outcome) == (None, "")
