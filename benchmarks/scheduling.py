"""Meeting-scheduling benchmark: placed meetings vs. the upper bound, and re-planning time.

For seeded synthetic fairs of increasing size (up to 5,000 participants, 30,000 accepted
meetings, 20 slots, 1,200 tables per slot) with realistic availability gaps (late arrivals,
early departures, blocked slots) and heavy-tailed (Zipf-like) popularity, it runs

* ``greedy_fcfs`` (acceptance order, earliest feasible slot: the usual platform baseline),
* ``schedule`` (scarcity greedy + ejection-chain augmentation),
* ``upper_bound`` (flow bound; plus the slot LP where it is small enough),
* ``replan`` after 100 random cancellations of placed meetings,

prints a table, checks the goals (>= 99.5 % of the bound in < 5 s; replan < 1 s), writes
``benchmarks/results/scheduling.json`` and rewrites its section of ``docs/benchmarks.md``.

Run: ``.venv/bin/python benchmarks/scheduling.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xiqia.matchmaking.scheduling import (  # noqa: E402
    Meeting,
    Participant,
    Problem,
    greedy_fcfs,
    replan,
    schedule,
    upper_bound,
    validate,
)

SIZES = [  # participants, meetings, slots, tables per slot
    (500, 3_000, 20, 120),
    (1_000, 6_000, 20, 240),
    (2_500, 15_000, 20, 600),
    (5_000, 30_000, 20, 1_200),  # the size: the goal is checked here
    (5_000, 30_000, 20, 900),  # fewer tables, so that table capacity binds the bound too
]
GOAL_SIZE = (5_000, 30_000, 20, 1_200)
POP_OFFSET = 30  # popularity weight 1 / (rank + POP_OFFSET): the top few are asked by ~200
GOAL_SHARE = 0.995
GOAL_TIME_S = 5.0
GOAL_REPLAN_S = 1.0
START, END = "<!-- bench:scheduling:start -->", "<!-- bench:scheduling:end -->"


def generate(n_people: int, n_meetings: int, n_slots: int, tables: int, seed: int) -> Problem:
    """A seeded synthetic fair.

    Availability: 25 % arrive late (miss the first 1..n/3 slots), 25 % leave early (miss the
    last 1..n/3), and everyone has each remaining slot blocked with probability 8 %.
    Popularity: the person asked for is drawn with weight 1 / (rank + POP_OFFSET), so the
    most wanted are asked by hundreds at the largest size; the requester is uniform. Pairs
    are distinct.
    """
    rng = random.Random(seed)  # noqa: S311 (seeded synthetic data, not a secret)
    slots = list(range(n_slots))
    people = []
    for i in range(n_people):
        lo, hi = 0, n_slots
        if rng.random() < 0.25:
            lo = rng.randint(1, n_slots // 3)
        if rng.random() < 0.25:
            hi = n_slots - rng.randint(1, n_slots // 3)
        avail = frozenset(s for s in range(lo, hi) if rng.random() >= 0.08)
        people.append(Participant(id=i, available=avail))
    ranks = list(range(n_people))
    rng.shuffle(ranks)
    weights = [1.0 / (r + POP_OFFSET) for r in ranks]
    pairs: set[tuple[int, int]] = set()
    meetings = []
    targets = rng.choices(range(n_people), weights=weights, k=n_meetings * 3)
    k = 0
    while len(meetings) < n_meetings:
        b = targets[k % len(targets)]
        k += 1
        a = rng.randrange(n_people)
        key = (min(a, b), max(a, b))
        if a == b or key in pairs:
            continue
        pairs.add(key)
        meetings.append(Meeting(id=len(meetings), a=a, b=b))
    return Problem(participants=people, meetings=meetings, slots=slots, tables=tables)


def run_size(size: tuple[int, int, int, int], seed: int, time_limit: float) -> dict:
    n_people, n_meetings, n_slots, tables = size
    problem = generate(n_people, n_meetings, n_slots, tables, seed)
    degree: dict[int, int] = {}
    for m in problem.meetings:
        degree[m.a] = degree.get(m.a, 0) + 1
        degree[m.b] = degree.get(m.b, 0) + 1
    t = time.perf_counter()
    bound = upper_bound(problem)
    bound_s = time.perf_counter() - t
    t = time.perf_counter()
    base = greedy_fcfs(problem)
    base_s = time.perf_counter() - t
    t = time.perf_counter()
    ours = schedule(problem, time_limit_s=time_limit)  # computes its own (flow) bound inside
    ours_s = time.perf_counter() - t
    assert not validate(problem, base), validate(problem, base)[:5]
    assert not validate(problem, ours), validate(problem, ours)[:5]
    rng = random.Random(seed + 1)  # noqa: S311 (reproducible sample)
    cancelled = rng.sample(sorted(ours.assignments), min(100, len(ours.assignments)))
    t = time.perf_counter()
    re_ = replan(problem, ours, cancelled)
    replan_s = time.perf_counter() - t
    assert not validate(problem, re_), validate(problem, re_)[:5]
    share = ours.placed / bound if bound else 1.0
    curve = {}
    if size == GOAL_SIZE:  # share of the bound reached with smaller time budgets
        for budget in (0.5, 1.0, 2.0):
            t = time.perf_counter()
            placed = schedule(problem, time_limit_s=budget).placed
            curve[str(budget)] = {
                "placed": placed,
                "share": round(placed / bound, 4),
                "s": round(time.perf_counter() - t, 3),
            }
    return {
        "participants": n_people,
        "meetings": n_meetings,
        "slots": n_slots,
        "tables_per_slot": tables,
        "seats": n_slots * tables,
        "max_meetings_per_person": max(degree.values()),
        "upper_bound": bound,
        "bound_s": round(bound_s, 3),
        "fcfs_placed": base.placed,
        "fcfs_share": round(base.placed / bound, 4) if bound else 1.0,
        "fcfs_s": round(base_s, 3),
        "ours_placed": ours.placed,
        "ours_share": round(share, 4),
        "ours_s": round(ours_s, 3),
        "ours_status": ours.status,
        "replan_cancelled": len(cancelled),
        "replan_placed": re_.placed,
        "replan_moved": re_.moved,
        "replan_s": round(replan_s, 3),
        "budget_curve": curve,
        "goal_schedule": share >= GOAL_SHARE and ours_s < GOAL_TIME_S,
        "goal_replan": replan_s < GOAL_REPLAN_S,
    }


def goal_row(rows: list[dict]) -> dict:
    for r in rows:
        if (r["participants"], r["meetings"], r["slots"], r["tables_per_slot"]) == GOAL_SIZE:
            return r
    return rows[-1]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def table(rows: list[dict]) -> str:
    head = (
        "| participants / meetings / slots × tables (max requests per person) | bound "
        "| FCFS placed (share, s) "
        "| ours placed (share, s) | replan 100 cancellations (s, moved, placed) | goal |\n"
        "|---|---:|---:|---:|---:|---|\n"
    )
    lines = []
    for r in rows:
        ok = "PASS" if r["goal_schedule"] and r["goal_replan"] else "FAIL"
        lines.append(
            f"| {r['participants']:,} / {r['meetings']:,} / {r['slots']} × {r['tables_per_slot']:,}"
            f" ({r['max_meetings_per_person']})"
            f" | {r['upper_bound']:,.0f} ({r['bound_s']:.2f} s)"
            f" | {r['fcfs_placed']:,} ({r['fcfs_share']:.2%}, {r['fcfs_s']:.2f} s)"
            f" | {r['ours_placed']:,} ({r['ours_share']:.2%}, {r['ours_s']:.2f} s)"
            f" | {r['replan_s']:.3f} s, {r['replan_moved']}, {r['replan_placed']:,}"
            f" | {ok} |"
        )
    return head + "\n".join(lines) + "\n"


def write_doc(rows: list[dict], command: str) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    largest = goal_row(rows)
    verdict = (
        f"schedule ≥ {GOAL_SHARE:.1%} of the bound in < {GOAL_TIME_S:.0f} s: "
        f"**{'PASS' if largest['goal_schedule'] else 'FAIL'}** "
        f"({largest['ours_share']:.2%} in {largest['ours_s']:.2f} s); "
        f"replan of 100 cancellations < {GOAL_REPLAN_S:.0f} s: "
        f"**{'PASS' if largest['goal_replan'] else 'FAIL'}** ({largest['replan_s']:.3f} s)"
    )
    curve = ", ".join(
        f"{v['share']:.2%} with a {k} s budget ({v['s']:.2f} s)"
        for k, v in largest["budget_curve"].items()
    )
    section = (
        f"{START}\n"
        "## Matchmaking: scheduling meetings into slots and tables (`benchmarks/scheduling.py`)\n\n"
        f"Last run {datetime.date.today().isoformat()}, command `{command}`, on "
        f"{os.cpu_count()} cores (`nproc`), {cpu_model()}, Python {platform.python_version()}.\n\n"
        "Seeded synthetic fairs: 25 % late arrivals, 25 % early departures, 8 % blocked slots, "
        "Zipf-like popularity (the most requested person's count in brackets). The bound is "
        "`upper_bound(problem)`: at these sizes the b-matching max-flow bound (the slot LP is "
        "only used up to 20,000 meeting × slot pairs); the share is placed / bound, so it "
        "understates the share of the true optimum. `schedule` runs with a 4 s budget and "
        "stops early only when it reaches the bound; its time includes compiling the input "
        "and its own flow bound. FCFS is `greedy_fcfs`. Replan: 100 random placed meetings "
        "cancelled, then `replan` with its default 0.5 s budget (moved = published meetings "
        "now in another slot; placed = after re-planning). With these availability gaps the "
        "people, not the tables, bind at 1,200 tables (bound < 24,000 seats); the 900-table "
        "row is the regime where table capacity binds.\n\n"
        + table(rows)
        + f"\nGoal at the issue's size (5,000 / 30,000 / 20 × 1,200): {verdict}.\n"
        + f"Same instance with smaller budgets: {curve}.\n"
        f"{END}\n"
    )
    if START in text and END in text:
        text = re.sub(
            re.escape(START) + r".*?" + re.escape(END) + r"\n?", section, text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--time-limit", type=float, default=4.0, help="schedule() budget, s")
    parser.add_argument("--quick", action="store_true", help="only the two smallest sizes")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the doc/JSON")
    args = parser.parse_args()
    sizes = SIZES[:2] if args.quick else SIZES
    rows = []
    for size in sizes:
        row = run_size(size, args.seed, args.time_limit)
        rows.append(row)
        print(
            f"{row['participants']:>6} people {row['meetings']:>6} meetings: "
            f"bound {row['upper_bound']:>8,.0f} ({row['bound_s']:.2f}s) | "
            f"FCFS {row['fcfs_placed']:>6,} {row['fcfs_share']:.2%} {row['fcfs_s']:.2f}s | "
            f"ours {row['ours_placed']:>6,} {row['ours_share']:.2%} {row['ours_s']:.2f}s | "
            f"replan {row['replan_s']:.3f}s moved {row['replan_moved']} "
            f"placed {row['replan_placed']:,} | "
            f"{'PASS' if row['goal_schedule'] and row['goal_replan'] else 'FAIL'}",
            flush=True,
        )
    largest = goal_row(rows)
    ok = largest["goal_schedule"] and largest["goal_replan"]
    print(f"goal at largest size: {'PASS' if ok else 'FAIL'}")
    if not args.no_doc:
        command = ".venv/bin/python benchmarks/scheduling.py" + (" --quick" if args.quick else "")
        out = ROOT / "benchmarks" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / "scheduling.json").write_text(
            json.dumps(
                {
                    "date": datetime.date.today().isoformat(),
                    "command": command,
                    "nproc": os.cpu_count(),
                    "cpu": cpu_model(),
                    "rows": rows,
                },
                indent=2,
            )
            + "\n"
        )
        write_doc(rows, command)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
