"""What one voucher claim costs the app, without an HTTP server: CPU per answer, by outcome.

``benchmarks/vouchers.py`` measures the flash crowd end to end; this script explains its rate. It
sets up the same campaign and people (its own database, ``xiqia_voucher_cost_bench``, recreated;
the gate and the cache on Redis database 10), remembers every person's token as the crowd's
warm-up does, then calls the WSGI application (``xiqia.wsgi``, the whole middleware stack and the
claim's hot path) in this one thread with ready-made requests, and measures this process's CPU
time (``time.process_time``) and the wall time per request for:

* **successes**: first claims while stock is left (201);
* **second tries**: the same people again with new Idempotency-Keys (409 ``already_claimed``);
* **sold out**: people who come after the last voucher (400 ``sold_out``).

PostgreSQL's and Redis's own CPU is not in these figures; the wall time includes waiting for them.
The last line compares a success's CPU with the budget of the issue's goal: 1,000 successful
claims a second on 2 cores leave 2 ms of CPU per success for everything (app, PostgreSQL, Redis,
the load generator and the kernel).

Run: ``.venv/bin/python benchmarks/voucher_cost.py`` (about a minute).
"""

from __future__ import annotations

import io
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vouchers as crowd  # the flash crowd's setup

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/xiqia_voucher_cost_bench"
REDIS_URL = "redis://127.0.0.1:6379/10"
CORES, GOAL_PER_SECOND = 2, 1000


def environ(path: str, person: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps({"holder_name": person["name"], "id_number": person["id_number"]}).encode()
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": crowd.HOST,
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": crowd.HOST,
        "HTTP_AUTHORIZATION": f"Token {person['token']}",
        "HTTP_ACCEPT": "application/json",
        "HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_ADDR": crowd.HOST,
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def measure(app: Any, requests: list[dict[str, Any]], expected: str) -> dict[str, Any]:
    statuses: dict[str, int] = {}

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses[status] = statuses.get(status, 0) + 1

    cpu, wall = time.process_time(), time.perf_counter()
    for request in requests:
        response = app(request, start_response)
        b"".join(response)
        response.close()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if set(statuses) != {expected}:
        sys.exit(f"expected only {expected}, got {statuses}")
    return {
        "requests": len(requests),
        "status": expected,
        "cpu_ms": round(1000 * cpu / len(requests), 3),
        "wall_ms": round(1000 * wall / len(requests), 3),
    }


def main() -> int:
    args = crowd.parse_args(["--database-url", DATABASE_URL, "--redis-url", REDIS_URL])
    args.stock, args.people = 3000, 4000
    crowd.recreate_database(args.database_url)
    people = crowd.setup(args)["people"]

    import logging

    from django.core.wsgi import get_wsgi_application

    from xiqia.accounts.tokens import CachedTokenAuthentication

    app = get_wsgi_application()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # a line per refusal otherwise
    for person in people:  # the crowd opened the campaign before the opening
        CachedTokenAuthentication().authenticate_credentials(person["token"])
    path = f"/api/v1/voucher-campaigns/{crowd.SLUG}/claim/"
    cpu = crowd.cpu.wait_for_quiet(60)

    measure(app, [environ(path, p) for p in people[:200]], "201 Created")  # warm every path
    results = {
        "successes": measure(app, [environ(path, p) for p in people[200:3000]], "201 Created"),
        "second tries": measure(app, [environ(path, p) for p in people[:1000]], "409 Conflict"),
        "sold out": measure(app, [environ(path, p) for p in people[3000:]], "400 Bad Request"),
    }
    for name, figures in results.items():
        print(f"{name:13} {json.dumps(figures)}")
    success = results["successes"]["cpu_ms"]
    budget = 1000 * CORES / GOAL_PER_SECOND
    print(
        f"A success costs {success} ms of app CPU in-process (no HTTP server, no PostgreSQL or "
        f"Redis CPU); the goal's budget for everything is {budget:.1f} ms, so the app alone "
        f"caps the rate at {1000 * CORES / success:.0f} claims/s on {CORES} cores "
        f"(machine {100 * cpu:.0f}% busy before the run)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
