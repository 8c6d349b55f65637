"""Time the matchmaking demo loader, step by step, on a database without matchmaking data.

Every browser test loads the demo, so this is a cost paid many times. Prepare a SQLite database
with every other module's demo loaded, then time matchmaking alone (wall clock and CPU: on a
busy machine the wall clock mostly measures waiting):

    export DATABASE_URL=sqlite:////tmp/mm-demo.sqlite3
    .venv/bin/python manage.py migrate -v0
    .venv/bin/python benchmarks/matchmaking_demo.py --prepare
    .venv/bin/python benchmarks/matchmaking_demo.py      # rolls back: repeatable
"""

from __future__ import annotations

import os
import random
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiqia.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from xiqia.core.management.commands.load_demo import SEED  # noqa: E402
from xiqia.matchmaking import demo  # noqa: E402

STEPS = ["_register_demo_accounts", "_crowd", "_profiles", "_slots_and_tables", "_requests"]
STEPS += ["_schedule"]


class Rollback(Exception):
    pass


def prepare() -> None:
    """Load every module's demo except matchmaking's."""
    real = demo.load_generated
    demo.load_generated = lambda rng: {}  # type: ignore[assignment]
    call_command("load_demo", stdout=StringIO(), quiet_accounts=True)
    demo.load_generated = real  # type: ignore[assignment]


def measure() -> None:
    for name in STEPS:
        step = getattr(demo, name)

        def timed(*args, _step=step, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            wall, cpu = time.perf_counter(), time.process_time()
            result = _step(*args, **kwargs)
            print(
                f"  {_name:<24} {time.perf_counter() - wall:6.2f} s wall "
                f"{time.process_time() - cpu:6.2f} s CPU"
            )
            return result

        setattr(demo, name, timed)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        with transaction.atomic():
            counts = demo.load_generated(random.Random(SEED))  # noqa: S311 (demo data)
            print(
                f"matchmaking demo: {time.perf_counter() - wall:.2f} s wall, "
                f"{time.process_time() - cpu:.2f} s CPU, {counts}"
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    prepare() if "--prepare" in sys.argv else measure()
