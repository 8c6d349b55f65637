"""The bridge between the database and the pure scheduler (``scheduling.py``).

``load`` reads a fair's slots, tables, accepted meetings and availability into plain
``scheduling`` data; the services run the scheduler on it and write the result back.

While the fair is in progress, slots that have started are frozen: meetings placed in them
stay where they are and nothing new goes into them. Before the fair, and once it is over (the
demo replays 2021), every slot is open.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field

from xiqia.fair.models import Fair
from xiqia.matchmaking import scheduling
from xiqia.matchmaking.models import (
    AvailabilityWindow,
    Meeting,
    MeetingStatus,
    Slot,
    Table,
)


@dataclass
class Loaded:
    """A fair's scheduling problem and the rows it came from."""

    problem: scheduling.Problem
    slots: list[Slot]
    tables: list[Table]
    meetings: dict[int, Meeting]
    frozen: list[Meeting] = field(default_factory=list)  # placed in a slot that has started
    published: dict[Hashable, tuple[Hashable, int]] = field(default_factory=dict)

    def table_index(self) -> dict[int, int]:
        return {table.pk: index for index, table in enumerate(self.tables)}

    def to_rows(
        self, assignments: dict[Hashable, tuple[Hashable, int]]
    ) -> dict[int, tuple[int, int]]:
        """Turn scheduler assignments (slot id, table index) into (slot id, table id)."""
        return {
            int(mid): (int(slot_id), self.tables[index].pk)
            for mid, (slot_id, index) in assignments.items()
        }


def cutoff(slots: list[Slot], now: datetime.datetime) -> datetime.datetime | None:
    """Return the moment before which slots are frozen, or None when none is."""
    if slots and slots[0].starts_at <= now < slots[-1].ends_at:
        return now
    return None


def available_slots(windows: list[AvailabilityWindow], slots: list[Slot]) -> frozenset[int]:
    """Return the slots a participant can attend: all of them when they gave no windows."""
    if not windows:
        return frozenset(slot.pk for slot in slots)
    return frozenset(slot.pk for slot in slots if any(window.covers(slot) for window in windows))


def load(fair: Fair, now: datetime.datetime) -> Loaded:
    """Read the fair's scheduling problem (the meetings in acceptance order)."""
    all_slots = list(Slot.objects.filter(fair=fair).order_by("starts_at"))
    tables = list(Table.objects.filter(fair=fair, is_active=True).order_by("code", "pk"))
    limit = cutoff(all_slots, now)
    slots = [s for s in all_slots if limit is None or s.starts_at > limit]
    open_ids = {s.pk for s in slots}
    rows = list(
        Meeting.objects.filter(fair=fair)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("a__registration__person", "b__registration__person", "slot", "table")
        .order_by("accepted_at", "pk")
    )
    frozen = [m for m in rows if m.is_placed and m.slot_id not in open_ids]
    active = [m for m in rows if m not in frozen]
    people = {m.a_id for m in active} | {m.b_id for m in active}
    windows: dict[int, list[AvailabilityWindow]] = defaultdict(list)
    for window in AvailabilityWindow.objects.filter(profile__in=people):
        windows[window.profile_id].append(window)
    index = {table.pk: i for i, table in enumerate(tables)}
    published = {
        m.pk: (m.slot_id, index[m.table_id]) for m in active if m.is_placed and m.table_id in index
    }
    problem = scheduling.Problem(
        participants=[
            scheduling.Participant(id=pid, available=available_slots(windows[pid], slots))
            for pid in sorted(people)
        ],
        meetings=[
            scheduling.Meeting(id=m.pk, a=m.a_id, b=m.b_id, priority=m.priority) for m in active
        ],
        slots=[s.pk for s in slots],
        tables=len(tables),
    )
    return Loaded(
        problem=problem,
        slots=all_slots,
        tables=tables,
        meetings={m.pk: m for m in active},
        frozen=frozen,
        published=published,
    )


def as_schedule(loaded: Loaded, assignments: dict[str, list[int]]) -> scheduling.Schedule:
    """Turn a stored plan's assignments back into a scheduler schedule (for validation)."""
    index = loaded.table_index()
    placed: dict[Hashable, tuple[Hashable, int]] = {}
    for mid, (slot_id, table_id) in assignments.items():
        placed[int(mid)] = (slot_id, index.get(table_id, -1))
    unplaced = [m.id for m in loaded.problem.meetings if m.id not in placed]
    return scheduling.Schedule(
        assignments=placed, unplaced=unplaced, upper_bound=0.0, status="stored", solve_time_s=0.0
    )
