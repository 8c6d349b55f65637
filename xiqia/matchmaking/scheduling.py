"""Scheduling accepted 1:1 meetings at the fair into time slots and tables.

Pure Python (plain dataclasses in and out, no Django). The problem:

* participants, each available in a subset of the fair's ordered slots;
* accepted meetings, each between two participants, with a priority weight (default 1);
* per slot a number of identical tables, one meeting per table per slot.

A schedule puts a meeting in a slot both participants are available in, never puts a person
in two meetings in one slot, and never uses more tables than the slot has. The objective is
the (priority-weighted) number of placed meetings.

Functions:

* :func:`upper_bound` -- a bound that is never below the optimum (see its docstring);
* :func:`schedule` -- the fast heuristic: greedy by scarcity, then ejection-chain
  augmenting paths (Kuhn-style, over the slot assignment), optionally polished by CP-SAT
  when the instance is small;
* :func:`greedy_fcfs` -- the first-come-first-served baseline (acceptance order, earliest
  feasible slot);
* :func:`exact` -- a CP-SAT model for small instances;
* :func:`replan` -- incremental re-planning after cancellations or availability changes:
  keeps published meetings where still valid, refills freed capacity, moves few meetings;
* :func:`validate` -- the list of rule violations of a schedule (empty when valid).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Meeting",
    "Participant",
    "Problem",
    "Schedule",
    "exact",
    "greedy_fcfs",
    "replan",
    "schedule",
    "upper_bound",
    "validate",
]

EPS = 1e-6


@dataclass(frozen=True)
class Participant:
    id: Hashable
    available: frozenset  # slot ids this participant can attend


@dataclass(frozen=True)
class Meeting:
    id: Hashable
    a: Hashable  # participant id
    b: Hashable  # participant id
    priority: float = 1.0


@dataclass(frozen=True)
class Problem:
    """``meetings`` are in acceptance order (what :func:`greedy_fcfs` follows).

    ``tables`` is either one count for every slot or a mapping slot id -> count.
    """

    participants: Sequence[Participant]
    meetings: Sequence[Meeting]
    slots: Sequence[Hashable]
    tables: int | Mapping[Hashable, int]

    def tables_in(self, slot: Hashable) -> int:
        if isinstance(self.tables, int):
            return self.tables
        return int(self.tables.get(slot, 0))


@dataclass
class Schedule:
    assignments: dict[Hashable, tuple[Hashable, int]]  # meeting id -> (slot id, table index)
    unplaced: list[Hashable]
    upper_bound: float
    status: str  # "optimal" (proved equal to the bound / by CP-SAT), "feasible", ...
    solve_time_s: float
    moved: int = 0  # replan only: published meetings now in another slot
    excluded: frozenset = field(default_factory=frozenset)  # replan: cancelled meeting ids
    placed_weight: float = 0.0

    @property
    def placed(self) -> int:
        return len(self.assignments)


# --------------------------------------------------------------------------- compilation


class _Compiled:
    """Index-based view of a problem: people, meetings and slots as small integers."""

    def __init__(self, problem: Problem, excluded: Iterable[Hashable] = ()):
        excluded = set(excluded)
        self.problem = problem
        self.slot_ids = list(problem.slots)
        self.slot_index = {s: i for i, s in enumerate(self.slot_ids)}
        if len(self.slot_index) != len(self.slot_ids):
            raise ValueError("duplicate slot ids")
        self.S = len(self.slot_ids)
        self.cap = [max(0, problem.tables_in(s)) for s in self.slot_ids]
        self.person_index: dict[Hashable, int] = {}
        self.avail: list[int] = []  # bit mask over slot indices
        for p in problem.participants:
            if p.id in self.person_index:
                raise ValueError(f"duplicate participant id {p.id!r}")
            self.person_index[p.id] = len(self.avail)
            mask = 0
            for s in p.available:
                i = self.slot_index.get(s)
                if i is not None:
                    mask |= 1 << i
            self.avail.append(mask)
        self.P = len(self.avail)
        self.mids: list[Hashable] = []
        self.A: list[int] = []
        self.B: list[int] = []
        self.W: list[float] = []
        self.cand: list[list[int]] = []  # common available slots (indices, ascending)
        seen = set()
        for m in problem.meetings:
            if m.id in seen:
                raise ValueError(f"duplicate meeting id {m.id!r}")
            seen.add(m.id)
            if m.id in excluded:
                continue
            try:
                a, b = self.person_index[m.a], self.person_index[m.b]
            except KeyError as exc:
                raise ValueError(f"meeting {m.id!r}: unknown participant {exc}") from None
            if a == b:
                raise ValueError(f"meeting {m.id!r}: a participant cannot meet themselves")
            common = self.avail[a] & self.avail[b]
            self.mids.append(m.id)
            self.A.append(a)
            self.B.append(b)
            self.W.append(float(m.priority))
            self.cand.append([i for i in range(self.S) if common >> i & 1 and self.cap[i] > 0])
        self.M = len(self.mids)
        self.meeting_index = {mid: i for i, mid in enumerate(self.mids)}
        self.integral_weights = all(float(w).is_integer() for w in self.W)
        self.unit_weights = all(w == self.W[0] for w in self.W)


class _State:
    """A slot assignment with O(1) conflict look-ups."""

    def __init__(self, c: _Compiled):
        self.c = c
        self.slot_of = [-1] * c.M
        self.occ = [[-1] * c.S for _ in range(c.P)]  # person x slot -> meeting or -1
        self.cnt = [0] * c.S
        self.members: list[set[int]] = [set() for _ in range(c.S)]
        self.placed = 0
        self.weight = 0.0
        self.log: list[tuple[int, int]] = []  # (meeting, slot) placed, or (~meeting, slot)

    def mark(self) -> int:
        return len(self.log)

    def rollback(self, mark: int) -> None:
        log = self.log
        while len(log) > mark:
            m, s = log.pop()
            if m >= 0:
                self.remove(m)
            else:
                self.place(~m, s)
            log.pop()  # the entry the undo itself appended

    def place(self, m: int, s: int) -> None:
        c = self.c
        self.log.append((m, s))
        self.slot_of[m] = s
        self.occ[c.A[m]][s] = m
        self.occ[c.B[m]][s] = m
        self.cnt[s] += 1
        self.members[s].add(m)
        self.placed += 1
        self.weight += c.W[m]

    def remove(self, m: int) -> int:
        c = self.c
        s = self.slot_of[m]
        self.log.append((~m, s))
        self.slot_of[m] = -1
        self.occ[c.A[m]][s] = -1
        self.occ[c.B[m]][s] = -1
        self.cnt[s] -= 1
        self.members[s].discard(m)
        self.placed -= 1
        self.weight -= c.W[m]
        return s

    def free_slot(self, m: int) -> int:
        c = self.c
        oa, ob, cnt, cap = self.occ[c.A[m]], self.occ[c.B[m]], self.cnt, c.cap
        for s in c.cand[m]:
            if oa[s] < 0 and ob[s] < 0 and cnt[s] < cap[s]:
                return s
        return -1


# --------------------------------------------------------------------------- upper bound


def _active_masks(c: _Compiled) -> list[int]:
    """Per person, the slots in which at least one of their meetings could take place."""
    active = [0] * c.P
    for m in range(c.M):
        mask = 0
        for s in c.cand[m]:
            mask |= 1 << s
        active[c.A[m]] |= mask
        active[c.B[m]] |= mask
    return active


def _slot_caps(c: _Compiled, active: list[int]) -> list[int]:
    """Per slot: min(tables, half the people who could meet in it)."""
    caps = []
    for s in range(c.S):
        n = sum(1 for mask in active if mask >> s & 1)
        caps.append(min(c.cap[s], n // 2))
    return caps


def _finish_bound(c: _Compiled, value: float) -> float:
    value = min(value, sum(c.W))
    if c.integral_weights:
        return float(math.floor(value + EPS))
    return value + EPS * (1.0 + abs(value))


def _flow_bound(c: _Compiled) -> float:
    """Fractional b-matching bound by a flow on the bipartite double cover.

    Person p gets a left and a right copy with capacity b_p = number of slots in which p has
    a meeting that could take place; meeting (a, b) becomes arcs a_L -> b_R and b_L -> a_R of
    capacity 1; the total is capped at 2 * sum_s min(tables_s, people_s // 2). Half the flow
    is the fractional b-matching optimum (weighted: min-cost flow with a bypass arc).
    """
    from ortools.graph.python import max_flow, min_cost_flow

    active = _active_masks(c)
    b = [mask.bit_count() for mask in active]
    total = sum(_slot_caps(c, active))
    if c.M == 0 or total == 0:
        return 0.0
    if not c.integral_weights:
        return _bmatching_lp(c, b, total)
    P = c.P
    src, hub, sink = 2 * P, 2 * P + 1, 2 * P + 2
    if c.unit_weights:
        f = max_flow.SimpleMaxFlow()
        f.add_arc_with_capacity(src, hub, 2 * total)
        for p in range(P):
            if b[p]:
                f.add_arc_with_capacity(hub, p, b[p])
                f.add_arc_with_capacity(P + p, sink, b[p])
        for m in range(c.M):
            if c.cand[m]:
                f.add_arc_with_capacity(c.A[m], P + c.B[m], 1)
                f.add_arc_with_capacity(c.B[m], P + c.A[m], 1)
        if f.solve(src, sink) != f.OPTIMAL:
            raise RuntimeError("max flow failed")
        return _finish_bound(c, f.optimal_flow() / 2 * c.W[0])
    f = min_cost_flow.SimpleMinCostFlow()
    f.add_arc_with_capacity_and_unit_cost(hub, sink, 2 * total, 0)  # bypass
    for p in range(P):
        if b[p]:
            f.add_arc_with_capacity_and_unit_cost(hub, p, b[p], 0)
            f.add_arc_with_capacity_and_unit_cost(P + p, sink, b[p], 0)
    for m in range(c.M):
        if c.cand[m] and c.W[m] > 0:
            w = -int(c.W[m])
            f.add_arc_with_capacity_and_unit_cost(c.A[m], P + c.B[m], 1, w)
            f.add_arc_with_capacity_and_unit_cost(c.B[m], P + c.A[m], 1, w)
    f.set_node_supply(hub, 2 * total)
    f.set_node_supply(sink, -2 * total)
    if f.solve() != f.OPTIMAL:
        raise RuntimeError("min cost flow failed")
    return _finish_bound(c, -f.optimal_cost() / 2)


def _bmatching_lp(c: _Compiled, b: list[int], total: int) -> float:
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("GLOP")
    x = [solver.NumVar(0, 1 if c.cand[m] else 0, "") for m in range(c.M)]
    per: list[list[int]] = [[] for _ in range(c.P)]
    for m in range(c.M):
        per[c.A[m]].append(m)
        per[c.B[m]].append(m)
    for p in range(c.P):
        if per[p]:
            solver.Add(sum(x[m] for m in per[p]) <= b[p])
    solver.Add(sum(x) <= total)
    solver.Maximize(sum(max(0.0, c.W[m]) * x[m] for m in range(c.M)))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        raise RuntimeError("LP failed")
    return _finish_bound(c, solver.Objective().Value())


def _slot_lp_bound(c: _Compiled) -> float:
    """LP relaxation of the meeting x slot assignment, with odd-component cuts.

    Variables x[m, s] in [0, 1] for the common slots of m; sum_s x[m, s] <= 1; per person and
    slot <= 1; per slot <= tables; and per slot, for every connected component C (of the
    graph of meetings that could take place in that slot) with an odd number of people >= 3,
    sum over C <= (|C| - 1) / 2 (a blossom inequality: e.g. a triangle fits one meeting).
    """
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("GLOP")
    xs: dict[tuple[int, int], object] = {}
    by_meeting: list[list] = [[] for _ in range(c.M)]
    by_ps: dict[tuple[int, int], list] = {}
    by_slot: list[list] = [[] for _ in range(c.S)]
    obj = []
    for m in range(c.M):
        w = max(0.0, c.W[m])
        for s in c.cand[m]:
            v = solver.NumVar(0, 1, "")
            xs[m, s] = v
            by_meeting[m].append(v)
            by_ps.setdefault((c.A[m], s), []).append(v)
            by_ps.setdefault((c.B[m], s), []).append(v)
            by_slot[s].append(v)
            obj.append(w * v)
    if not xs:
        return 0.0
    for vs in by_meeting:
        if len(vs) > 1:
            solver.Add(sum(vs) <= 1)
    for vs in by_ps.values():
        if len(vs) > 1:
            solver.Add(sum(vs) <= 1)
    for s in range(c.S):
        if by_slot[s]:
            solver.Add(sum(by_slot[s]) <= c.cap[s])
        # components of slot s
        parent: dict[int, int] = {}

        def find(u: int, parent: dict[int, int] = parent) -> int:
            while parent.setdefault(u, u) != u:
                parent[u] = parent[parent[u]]
                u = parent[u]
            return u

        ms = [m for m in range(c.M) if (m, s) in xs]
        for m in ms:
            ra, rb = find(c.A[m]), find(c.B[m])
            if ra != rb:
                parent[ra] = rb
        comp_people: dict[int, int] = {}
        for u in list(parent):
            r = find(u)
            comp_people[r] = comp_people.get(r, 0) + 1
        comp_vars: dict[int, list] = {}
        for m in ms:
            comp_vars.setdefault(find(c.A[m]), []).append(xs[m, s])
        for r, vs in comp_vars.items():
            n = comp_people[r]
            if n % 2 == 1 and n >= 3 and len(vs) > (n - 1) // 2:
                solver.Add(sum(vs) <= (n - 1) // 2)
    solver.Maximize(sum(obj))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        raise RuntimeError("LP failed")
    return _finish_bound(c, solver.Objective().Value())


def upper_bound(problem: Problem, method: str = "auto", lp_max_vars: int = 20_000) -> float:
    """A value never below the best achievable (weighted) number of placed meetings.

    * ``"flow"``: the b-matching bound of the issue, solved exactly as a max flow (unit
      weights), min-cost flow (integer weights) or GLOP LP (other weights): a meeting counts
      only if its participants share a slot with tables; each person has at most as many
      meetings as slots in which they could meet someone; all meetings fit in
      sum_s min(tables_s, people available in s // 2).
    * ``"slot_lp"``: the LP relaxation of the meeting x slot assignment with per-slot
      odd-component (blossom) cuts -- never looser than the flow bound, often tighter.
    * ``"auto"``: the flow bound, and the minimum with the slot LP when it has at most
      ``lp_max_vars`` variables (the LP grows with meetings x common slots).

    With integer weights the bound is rounded down (the optimum is an integer).
    """
    return _upper_bound(_Compiled(problem), method, lp_max_vars)


def _upper_bound(c: _Compiled, method: str = "auto", lp_max_vars: int = 20_000) -> float:
    if method == "flow":
        return _flow_bound(c)
    if method == "slot_lp":
        return min(_flow_bound(c), _slot_lp_bound(c))
    if method != "auto":
        raise ValueError(f"unknown method {method!r}")
    bound = _flow_bound(c)
    if sum(len(x) for x in c.cand) <= lp_max_vars:
        bound = min(bound, _slot_lp_bound(c))
    return bound


# --------------------------------------------------------------------------- heuristic


class _Search:
    """Ejection chains: place an unplaced meeting by moving placed ones (augmenting paths)."""

    def __init__(self, st: _State, rng: random.Random, sample: int = 6):
        self.st = st
        self.c = st.c
        self.rng = rng
        self.sample = sample
        # Kuhn mode: ``chain`` is a visited set kept across backtracking (each meeting is
        # ejected at most once per search), so deep paths cost linear rather than
        # exponential time; otherwise it is the current path only (exhaustive, short).
        self.kuhn = False
        self.protected: set[int] = set()  # meetings that may move but never be dropped
        self.of_person: list[list[int]] = [[] for _ in range(self.c.P)]
        for m in range(self.c.M):
            if self.c.cand[m]:
                self.of_person[self.c.A[m]].append(m)
                self.of_person[self.c.B[m]].append(m)

    def insert(self, m: int, depth: int, chain: set[int]) -> bool:
        st, c = self.st, self.c
        s = st.free_slot(m)
        if s >= 0:
            st.place(m, s)
            return True
        if depth == 0:
            return False
        oa, ob = st.occ[c.A[m]], st.occ[c.B[m]]
        slots = c.cand[m][:]
        self.rng.shuffle(slots)
        singles, doubles, fulls = [], [], []
        for s in slots:
            x, y = oa[s], ob[s]
            if x >= 0 and y >= 0:
                if x != y:
                    doubles.append(s)
            elif x >= 0 or y >= 0:
                singles.append(s)
            elif st.cnt[s] >= c.cap[s]:
                fulls.append(s)
        kuhn = self.kuhn
        # one meeting to move out of the way
        for s in singles:
            v = oa[s] if oa[s] >= 0 else ob[s]
            if v in chain:
                continue
            mark = st.mark()
            st.remove(v)
            st.place(m, s)
            chain.add(v)
            if self.insert(v, depth - 1, chain):
                return True
            st.rollback(mark)
            if not kuhn:
                chain.discard(v)
        # or drop it (an alternating path, as in b-matching): its other participant then
        # has a free slot for one of their unplaced meetings of at least the same weight
        for s in singles:
            v = oa[s] if oa[s] >= 0 else ob[s]
            if v in chain or v in self.protected:
                continue
            q = c.B[v] if c.A[v] in (c.A[m], c.B[m]) else c.A[v]
            options = [
                u
                for u in self.of_person[q]
                if st.slot_of[u] < 0 and u not in chain and c.W[u] >= c.W[v]
            ]
            if not kuhn and len(options) > self.sample:
                options = self.rng.sample(options, self.sample)
            mark = st.mark()
            st.remove(v)
            st.place(m, s)
            chain.add(v)
            for u in options:
                if u in chain:
                    continue
                chain.add(u)
                if self.insert(u, depth - 1, chain):
                    return True
                if not kuhn:
                    chain.discard(u)
            st.rollback(mark)
            if not kuhn:
                chain.discard(v)
        # both participants busy: move both meetings
        if depth >= 2:
            for s in doubles:
                x, y = oa[s], ob[s]
                if x in chain or y in chain:
                    continue
                mark = st.mark()
                st.remove(x)
                st.remove(y)
                st.place(m, s)
                chain.add(x)
                chain.add(y)
                if self.insert(x, depth - 1, chain) and self.insert(y, depth - 1, chain):
                    return True
                st.rollback(mark)
                if not kuhn:
                    chain.discard(x)
                    chain.discard(y)
        # both free but the slot is full: free a table by moving one of its meetings
        for s in fulls:
            members = st.members[s]
            k = min(self.sample, len(members))
            for v in self.rng.sample(list(members), k) if k < len(members) else list(members):
                if v in chain:
                    continue
                mark = st.mark()
                st.remove(v)
                st.place(m, s)
                chain.add(v)
                if self.insert(v, depth - 1, chain):
                    return True
                st.rollback(mark)
                if not kuhn:
                    chain.discard(v)
        return False


def _assign_tables(
    c: _Compiled, st: _State, previous: Mapping[Hashable, tuple[Hashable, int]] | None = None
) -> dict[Hashable, tuple[Hashable, int]]:
    out: dict[Hashable, tuple[Hashable, int]] = {}
    for s in range(c.S):
        members = sorted(st.members[s])
        used: set[int] = set()
        rest = []
        sid = c.slot_ids[s]
        for m in members:
            prev = previous.get(c.mids[m]) if previous else None
            if (
                prev is not None
                and prev[0] == sid
                and 0 <= prev[1] < c.cap[s]
                and prev[1] not in used
            ):
                used.add(prev[1])
                out[c.mids[m]] = (sid, prev[1])
                continue
            rest.append(m)
        free = (t for t in range(c.cap[s]) if t not in used)
        for m in rest:
            out[c.mids[m]] = (sid, next(free))
    return out


def _result(
    c: _Compiled,
    st: _State,
    bound: float,
    status: str,
    t0: float,
    previous: Mapping[Hashable, tuple[Hashable, int]] | None = None,
    excluded: Iterable[Hashable] = (),
) -> Schedule:
    assignments = _assign_tables(c, st, previous)
    unplaced = [c.mids[m] for m in range(c.M) if st.slot_of[m] < 0]
    moved = 0
    if previous:
        moved = sum(
            1
            for mid, (sid, _t) in assignments.items()
            if mid in previous and previous[mid][0] != sid
        )
    if status == "feasible" and st.weight >= bound - EPS:
        status = "optimal"
    return Schedule(
        assignments=assignments,
        unplaced=unplaced,
        upper_bound=bound,
        status=status,
        solve_time_s=time.perf_counter() - t0,
        moved=moved,
        excluded=frozenset(excluded),
        placed_weight=st.weight,
    )


def _improve(
    c: _Compiled,
    st: _State,
    bound: float,
    deadline: float,
    rng: random.Random,
    protected: Iterable[int] = (),
    phases: Sequence[tuple[str, int]] = (("kuhn", 64), ("dfs", 1), ("dfs", 2), ("dfs", 3)),
) -> None:
    """Augment until a round gains nothing, the bound is reached, or time is up.

    A round is, by default, one Kuhn-style pass (deep augmenting paths, visited set reset
    only after a success) and exhaustive ejection chains of depth 1, 2 and 3.
    """
    search = _Search(st, rng)
    search.protected = set(protected)
    while True:
        gained = False
        for kind, depth in phases:
            if st.weight >= bound - EPS or time.perf_counter() > deadline:
                return
            if all(st.cnt[s] >= c.cap[s] for s in range(c.S)) and c.unit_weights:
                return  # every table is used: no chain can place one more meeting
            search.kuhn = kind == "kuhn"
            order = [m for m in range(c.M) if st.slot_of[m] < 0 and c.cand[m]]
            order.sort(key=lambda m: (-c.W[m], len(c.cand[m])))
            visited: set[int] = set()
            for i, m in enumerate(order):
                if i % 16 == 0 and time.perf_counter() > deadline:
                    return
                if st.slot_of[m] >= 0 or (search.kuhn and m in visited):
                    continue  # placed meanwhile by an alternating path
                if not search.kuhn:
                    visited = set()
                visited.add(m)
                st.log.clear()
                if search.insert(m, depth, visited):
                    gained = True
                    visited = set()
                    if st.weight >= bound - EPS:
                        return
            gained |= _swap_in_heavier(c, st, search.protected)
        if not gained:
            return


def _swap_in_heavier(
    c: _Compiled, st: _State, protected: set[int] | frozenset = frozenset()
) -> bool:
    """Weighted instances: replace blocking meetings by a heavier unplaced one."""
    if c.unit_weights:
        return False
    gained = False
    for m in sorted((m for m in range(c.M) if st.slot_of[m] < 0), key=lambda m: -c.W[m]):
        if st.slot_of[m] >= 0:
            continue
        oa, ob = st.occ[c.A[m]], st.occ[c.B[m]]
        best, best_loss, best_out = -1, c.W[m] - EPS, ()
        for s in c.cand[m]:
            out = {oa[s], ob[s]} - {-1}
            if not out and st.cnt[s] >= c.cap[s]:
                lightest = min(st.members[s] - protected, key=lambda v: c.W[v], default=-1)
                if lightest < 0:
                    continue
                out = {lightest}
            if out & protected:
                continue
            loss = sum(c.W[v] for v in out)
            if loss < best_loss:
                best, best_loss, best_out = s, loss, out
        if best >= 0:
            for v in best_out:
                st.remove(v)
            st.place(m, best)
            gained = True
    return gained


def _greedy(c: _Compiled, st: _State, order: Iterable[int]) -> None:
    cap, cnt = c.cap, st.cnt
    for m in order:
        if st.slot_of[m] >= 0:
            continue
        oa, ob = st.occ[c.A[m]], st.occ[c.B[m]]
        best, best_free = -1, 0
        for s in c.cand[m]:
            if oa[s] < 0 and ob[s] < 0:
                free = cap[s] - cnt[s]
                if free > best_free:
                    best, best_free = s, free
        if best >= 0:
            st.place(m, best)


def schedule(
    problem: Problem,
    time_limit_s: float = 4.0,
    *,
    bound: float | None = None,
    seed: int = 0,
    polish_max_vars: int = 4_000,
) -> Schedule:
    """Heuristic schedule: scarcity greedy, then ejection-chain augmentation.

    Meetings go in order of priority, then fewest common slots, then least loaded
    participants, each into the emptiest feasible slot. Then unplaced meetings are inserted
    by ejection chains of depth 1..3 (move a blocking meeting to another slot, recursively;
    or free a table in a full slot by moving one of its meetings). Stops at the bound or the
    time limit. Small instances (at most ``polish_max_vars`` meeting x slot pairs) not proved
    optimal are finished by CP-SAT with the heuristic as hint. ``bound`` defaults to the
    cheap flow bound (:func:`upper_bound` with ``method="flow"``).
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    c = _Compiled(problem)
    if bound is None:
        bound = _flow_bound(c)
    st = _State(c)
    deg = [0] * c.P
    for m in range(c.M):
        deg[c.A[m]] += 1
        deg[c.B[m]] += 1
    load = [deg[p] / max(1, c.avail[p].bit_count()) for p in range(c.P)]
    order = sorted(range(c.M), key=lambda m: (-c.W[m], len(c.cand[m]), load[c.A[m]] + load[c.B[m]]))
    _greedy(c, st, order)
    rng = random.Random(seed)  # noqa: S311 (reproducible search order)
    _improve(c, st, bound, deadline, rng)
    status = "feasible"
    n_vars = sum(len(x) for x in c.cand)
    remaining = deadline - time.perf_counter()
    if st.weight < bound - EPS and n_vars <= polish_max_vars and remaining > 0.05:
        status = _polish(c, st, remaining)
    return _result(c, st, bound, status, t0)


def greedy_fcfs(problem: Problem) -> Schedule:
    """The usual baseline: meetings in acceptance order, each in its earliest feasible slot."""
    t0 = time.perf_counter()
    c = _Compiled(problem)
    st = _State(c)
    for m in range(c.M):
        s = st.free_slot(m)
        if s >= 0:
            st.place(m, s)
    return _result(c, st, float("nan"), "heuristic", t0)


# --------------------------------------------------------------------------- CP-SAT


def _cp_model(c: _Compiled, st: _State | None = None, fixed: Mapping[int, int] | None = None):
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x: dict[tuple[int, int], object] = {}
    per_ps: dict[tuple[int, int], list] = {}
    per_slot: list[list] = [[] for _ in range(c.S)]
    scale = 1 if c.integral_weights else 1000
    obj = []
    for m in range(c.M):
        vs = []
        for s in c.cand[m]:
            v = model.NewBoolVar("")
            x[m, s] = v
            vs.append(v)
            per_ps.setdefault((c.A[m], s), []).append(v)
            per_ps.setdefault((c.B[m], s), []).append(v)
            per_slot[s].append(v)
            obj.append(round(c.W[m] * scale) * v)
            if st is not None:
                model.AddHint(v, st.slot_of[m] == s)
        if len(vs) > 1:
            model.AddAtMostOne(vs)
    for vs in per_ps.values():
        if len(vs) > 1:
            model.AddAtMostOne(vs)
    for s in range(c.S):
        if len(per_slot[s]) > c.cap[s]:
            model.Add(sum(per_slot[s]) <= c.cap[s])
    model.Maximize(sum(obj))
    return model, x


def _solve_cp(c: _Compiled, st: _State | None, time_limit_s: float, workers: int = 2):
    from ortools.sat.python import cp_model

    model, x = _cp_model(c, st)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit_s)
    solver.parameters.num_workers = workers
    code = solver.Solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, "unknown"
    slot_of = [-1] * c.M
    for (m, s), v in x.items():
        if solver.Value(v):
            slot_of[m] = s
    return slot_of, "optimal" if code == cp_model.OPTIMAL else "feasible"


def _polish(c: _Compiled, st: _State, time_limit_s: float) -> str:
    slot_of, status = _solve_cp(c, st, time_limit_s)
    if slot_of is None:
        return "feasible"
    weight = sum(c.W[m] for m in range(c.M) if slot_of[m] >= 0)
    if weight > st.weight + EPS:
        for m in range(c.M):
            if st.slot_of[m] >= 0:
                st.remove(m)
        for m in range(c.M):
            if slot_of[m] >= 0:
                st.place(m, slot_of[m])
    return status if weight >= st.weight - EPS else "feasible"


def exact(problem: Problem, time_limit_s: float = 10.0, workers: int = 2) -> Schedule:
    """CP-SAT: boolean x[m, s], at most one slot per meeting, one meeting per person and
    slot, at most ``tables`` per slot; maximise the weighted count. For small instances."""
    t0 = time.perf_counter()
    c = _Compiled(problem)
    st = _State(c)
    slot_of, status = _solve_cp(c, None, time_limit_s, workers)
    if slot_of is not None:
        for m in range(c.M):
            if slot_of[m] >= 0:
                st.place(m, slot_of[m])
    bound = st.weight if status == "optimal" else _upper_bound(c)
    return _result(c, st, bound, status, t0)


# --------------------------------------------------------------------------- re-planning


def replan(
    problem: Problem,
    previous: Schedule | Mapping[Hashable, tuple[Hashable, int]],
    cancelled: Iterable[Hashable] = (),
    time_limit_s: float = 0.5,
    *,
    bound: float | None = None,
    seed: int = 0,
) -> Schedule:
    """Re-plan after cancellations and/or availability changes (pass the *current* problem).

    Published meetings stay in their slot (and table) where still valid; meetings whose slot
    became invalid are re-inserted; freed capacity is refilled from unplaced meetings. Moves
    are used only to place more meetings (lexicographic: placed first, then moves): first
    direct placements (no move), then ejection chains of depth 1, 2, 3, each moving at most
    that many published meetings. ``moved`` counts published meetings in a different slot.
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    cancelled = frozenset(cancelled)
    prev = previous.assignments if isinstance(previous, Schedule) else dict(previous)
    c = _Compiled(problem, excluded=cancelled)
    if bound is None:
        bound = _flow_bound(c)
    st = _State(c)
    # keep what is still valid, heaviest first in case tables shrank
    kept = sorted((m for m in range(c.M) if c.mids[m] in prev), key=lambda m: (-c.W[m], m))
    displaced = []
    for m in kept:
        s = c.slot_index.get(prev[c.mids[m]][0], -1)
        a, b = c.A[m], c.B[m]
        if (
            s >= 0
            and s in c.cand[m]
            and st.occ[a][s] < 0
            and st.occ[b][s] < 0
            and st.cnt[s] < c.cap[s]
        ):
            st.place(m, s)
        else:
            displaced.append(m)
    rest = [m for m in range(c.M) if st.slot_of[m] < 0]
    displaced_set = set(displaced)
    rest.sort(key=lambda m: (-c.W[m], m not in displaced_set, len(c.cand[m])))
    _greedy(c, st, rest)
    published = {m for m in range(c.M) if c.mids[m] in prev}
    rng = random.Random(seed)  # noqa: S311 (reproducible search order)
    # short chains first: each moves at most `depth` published meetings
    phases = (("dfs", 1), ("dfs", 2), ("dfs", 3), ("kuhn", 64))
    _improve(c, st, bound, deadline, rng, protected=published, phases=phases)
    return _result(c, st, bound, "feasible", t0, previous=prev, excluded=cancelled)


# --------------------------------------------------------------------------- validation


def validate(problem: Problem, sched: Schedule) -> list[str]:
    """Every rule the schedule breaks, as readable messages (empty list when valid)."""
    errors: list[str] = []
    people = {p.id: p for p in problem.participants}
    meetings = {m.id: m for m in problem.meetings}
    slots = set(problem.slots)
    busy: dict[tuple[Hashable, Hashable], Hashable] = {}
    tables_used: dict[tuple[Hashable, int], Hashable] = {}
    per_slot: dict[Hashable, int] = {}
    for mid, (sid, table) in sched.assignments.items():
        m = meetings.get(mid)
        if m is None:
            errors.append(f"meeting {mid!r} does not exist")
            continue
        if mid in sched.excluded:
            errors.append(f"meeting {mid!r} is cancelled but scheduled")
        if sid not in slots:
            errors.append(f"meeting {mid!r} in unknown slot {sid!r}")
            continue
        for pid in (m.a, m.b):
            p = people.get(pid)
            if p is None:
                errors.append(f"meeting {mid!r}: unknown participant {pid!r}")
                continue
            if sid not in p.available:
                errors.append(f"meeting {mid!r}: {pid!r} is not available in slot {sid!r}")
            other = busy.get((pid, sid))
            if other is not None:
                errors.append(f"{pid!r} is in meetings {other!r} and {mid!r} in slot {sid!r}")
            busy[pid, sid] = mid
        if not (isinstance(table, int) and 0 <= table < problem.tables_in(sid)):
            errors.append(f"meeting {mid!r}: table {table!r} does not exist in slot {sid!r}")
        other = tables_used.get((sid, table))
        if other is not None:
            errors.append(f"meetings {other!r} and {mid!r} share table {table} in slot {sid!r}")
        tables_used[sid, table] = mid
        per_slot[sid] = per_slot.get(sid, 0) + 1
    for sid, n in per_slot.items():
        if n > problem.tables_in(sid):
            errors.append(f"slot {sid!r} has {n} meetings for {problem.tables_in(sid)} tables")
    unplaced = set(sched.unplaced)
    for mid in unplaced & set(sched.assignments):
        errors.append(f"meeting {mid!r} is both placed and unplaced")
    for mid in meetings:
        if mid not in sched.excluded and mid not in unplaced and mid not in sched.assignments:
            errors.append(f"meeting {mid!r} is neither placed nor unplaced")
    return errors
