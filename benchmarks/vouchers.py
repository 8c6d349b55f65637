"""Voucher flash-crowd benchmark: successful claims per second and latency, over HTTP and direct.

What it does, in one run (nothing is left running afterwards):

1. (Re)creates a PostgreSQL database of its own (``xiqia_vouchers_bench``; the name must end in
   ``bench`` and the server must be on this machine), migrates it, and sets up a first-come
   campaign of S vouchers (default 3,000) and P people (default 6,000) with API tokens and
   synthetic ID numbers (born in 1900, see ``xiqia/tourism/demo.py``). Setup is not measured.
2. Starts gunicorn (``xiqia.wsgi``, default ``gthread:2x4``, the deployment guide's setting for
   floods on kept-alive connections) on 127.0.0.1 with ``DEBUG=false``, the claim rate limits
   raised out of the way (``VOUCHER_CLAIM_RATE_*``), the cache and the voucher gate on Redis
   (``--redis-url``; ``--redis-url ''`` runs without either) and ``AUTH_CACHE_SECONDS=900``, the
   deployment guide's setting for a campaign's opening. Everyone first opens the campaign (one
   ``GET`` each, as a crowd waiting for the opening does). Then C concurrent keep-alive clients
   (asyncio streams in this one process: a cheap load generator, so that the cores go to the
   server) send every person's claim at once, each person twice (the second with a new
   Idempotency-Key, as an impatient user would): ``POST
   /api/v1/voucher-campaigns/<slug>/claim/``. It reports successful claims (201) per second,
   from the first request to the last success, and the p50/p95/p99 latency of all requests.
3. Resets the campaign and makes the same claims straight against the database: the claim
   service from C threads in one process per core, each thread with its own connection, no
   HTTP. The ratio of the two shows what the web stack costs.
4. Checks each run: exactly S issued, no person twice, ``issued + remaining == S``.
5. Writes ``benchmarks/results/vouchers.json`` and its section of ``docs/benchmarks.md``.

Run it with ``make bench`` or ``.venv/bin/python benchmarks/vouchers.py --help``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import http.client
import json
import os
import platform
import random
import re
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import checkin as cpu  # noqa: E402 (the CPU accounting of the check-in benchmark)

RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/xiqia_vouchers_bench"
SLUG = "bench-vouchers"
GOAL_PER_SECOND, GOAL_P95_MS = 1000, 200.0
START, END = "<!-- bench:vouchers:start -->", "<!-- bench:vouchers:end -->"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--stock", type=int, default=3000)
    parser.add_argument("--people", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument("--server", default="gthread:2x4", help="sync:W or gthread:WxT")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--seed", type=int, default=20210108)
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=600.0,
        help="seconds to wait, at most, for other work to leave the machine before each run",
    )
    parser.add_argument(
        "--direct-processes",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for the straight-to-the-database run (default: one per core)",
    )
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument(
        "--http-only", action="store_true", help="only the HTTP run, printed (no direct, no docs)"
    )
    return parser.parse_args(argv)


# Database and Django ---------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parsed = urllib.parse.urlsplit(url)
    name = parsed.path.lstrip("/")
    if parsed.hostname not in {"127.0.0.1", "localhost"} or not name.endswith("bench"):
        sys.exit("The benchmark drops its database: it must be local and end in 'bench'.")
    admin = urllib.parse.urlunsplit(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def environment(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "xiqia.settings",
            "XIQIA_ENV": "development",
            "DEBUG": "false",
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": args.database_url,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            # The flash crowd comes from one address: the limits would turn it away.
            "VOUCHER_CLAIM_RATE_ACCOUNT": "1000/s",
            "VOUCHER_CLAIM_RATE_IP": "100000/s",
            # The crowd signed in before the opening; docs/deployment.md sets the same for one.
            "AUTH_CACHE_SECONDS": "900",
        }
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    return env


def setup(args: argparse.Namespace) -> dict[str, Any]:
    """Create the campaign and the people (API tokens, synthetic ID numbers)."""
    os.environ.update(environment(args))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from xiqia.accounts.models import User
    from xiqia.core.models import Region
    from xiqia.tourism import services
    from xiqia.tourism.demo import synthetic_holder_id
    from xiqia.tourism.models import VoucherCampaign

    call_command("migrate", verbosity=0, interactive=False)
    now = timezone.now()
    with transaction.atomic():
        campaign = VoucherCampaign(
            slug=SLUG,
            name_zh="压测消费券",
            total_count=args.stock,
            face_value=20,
            claim_opens_at=now - datetime.timedelta(hours=1),
            claim_closes_at=now + datetime.timedelta(days=1),
            valid_from=now,
            valid_until=now + datetime.timedelta(days=30),
            is_published=True,
        )
        services.campaign_save(campaign=campaign, actor=None)
        campaign.issuing_regions.set([Region.objects.valid_in(2021).get(code="500107")])
        unusable = "!"  # no password: these people sign in with API tokens only
        users = User.objects.bulk_create(
            [User(username=f"bench{i:05d}", password=unusable) for i in range(args.people)]
        )
        tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in users])
    people = [
        {"token": t.key, "name": f"游客{i:05d}", "id_number": synthetic_holder_id(i)}
        for i, t in enumerate(tokens)
    ]
    return {"campaign": campaign, "people": people}


def reset(campaign: Any) -> None:
    from django.db import transaction

    from xiqia.tourism import gate, stock
    from xiqia.tourism.models import IdempotencyKey, Voucher

    with transaction.atomic():
        IdempotencyKey.objects.all().delete()
        Voucher.objects.filter(campaign=campaign).delete()
        stock.set_left(campaign, campaign.total_count)
        gate.forget(campaign.pk)
    gate.forget_idempotency_keys()


def check(campaign: Any) -> dict[str, Any]:
    from django.db.models import Count

    from xiqia.tourism.models import Voucher

    campaign.refresh_from_db()
    vouchers = Voucher.objects.filter(campaign=campaign)
    issued = vouchers.count()
    twice = vouchers.values("id_number_digest").annotate(n=Count("pk")).filter(n__gt=1).count()
    return {
        "issued": issued,
        "remaining": campaign.remaining,
        "duplicates": twice,
        "ok": issued == campaign.total_count
        and twice == 0
        and issued + campaign.remaining == campaign.total_count,
    }


# Load ------------------------------------------------------------------------------------------


class CpuMeter:
    """CPU milliseconds per request by who spent them: the app server, PostgreSQL, this process."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid

    def _groups(self) -> dict[str, dict[int, int]]:
        app = [self.server_pid, *cpu.children_of(self.server_pid)] if self.server_pid else []
        return {
            "app": {pid: cpu.process_ticks(pid) for pid in app},
            "db": {pid: cpu.process_ticks(pid) for pid in cpu.postgres_processes()},
        }

    def __enter__(self) -> CpuMeter:
        self.before = self._groups()
        self.usage = resource.getrusage(resource.RUSAGE_SELF)
        self.children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.machine = cpu.cpu_times()
        return self

    def __exit__(self, *exc: object) -> None:
        after, usage, machine = (
            self._groups(),
            resource.getrusage(resource.RUSAGE_SELF),
            cpu.cpu_times(),
        )
        self.app_ms = cpu.used_ms(self.before["app"], after["app"])
        self.db_ms = cpu.used_ms(self.before["db"], after["db"])
        # This process, and the children it reaped meanwhile (the direct run's processes).
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.client_ms = (
            usage.ru_utime - self.usage.ru_utime + usage.ru_stime - self.usage.ru_stime
        ) * 1000 + (
            children.ru_utime - self.children.ru_utime + children.ru_stime - self.children.ru_stime
        ) * 1000
        busy_ms = (machine[0] - self.machine[0]) * 1000 / cpu.TICK
        total_ms = (machine[1] - self.machine[1]) * 1000 / cpu.TICK
        others = max(busy_ms - self.app_ms - self.db_ms - self.client_ms, 0)
        self.others_share = others / total_ms if total_ms else 0.0

    def per_request(self, requests: int) -> dict[str, float]:
        n = max(requests, 1)
        return {
            "app_cpu_ms": round(self.app_ms / n, 2),
            "db_cpu_ms": round(self.db_ms / n, 2),
            "client_cpu_ms": round(self.client_ms / n, 2),
            "others_share": round(self.others_share, 2),
        }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def summarise(latencies: list[float], successes: list[float], start: float, outcomes: dict) -> dict:
    end = max(successes) if successes else time.perf_counter()
    return {
        "requests": len(latencies),
        "issued": len(successes),
        "claims_per_second": round(len(successes) / max(end - start, 1e-9), 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies, default=0) * 1000, 1),
        "outcomes": dict(sorted(outcomes.items())),
    }


def attempts(people: list[dict], seed: int) -> list[tuple[dict, int]]:
    work = [(person, n) for person in people for n in (1, 2)]
    random.Random(seed).shuffle(work)  # noqa: S311 (a reproducible order)
    return work


def _request(method: str, path: str, token: str, body: bytes = b"", key: str = "") -> bytes:
    head = [
        f"{method} {path} HTTP/1.1",
        f"Host: {HOST}",
        f"Authorization: Token {token}",
        "Accept: application/json",
    ]
    if key:
        head.append(f"Idempotency-Key: {key}")
    if body:
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _exchange(
    port: int, requests: list[bytes], clients: int, record: Any, go: asyncio.Event | None = None
) -> None:
    """Send ``requests`` over ``clients`` keep-alive connections (asyncio streams, one process:
    a load generator cheap enough to leave the cores to the server); ``record(index, status,
    body, started, finished)`` gets each answer. A server that closes the connection after an
    answer (gunicorn's sync workers) gets a new one."""
    position = iter(range(len(requests)))

    async def client() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        if go is not None:
            await go.wait()
        for index in position:
            started = time.perf_counter()
            status, body, close = 0, b"", True
            try:
                writer.write(requests[index])
                line = await reader.readline()
                status = int(line.split(b" ", 2)[1])
                length, close = -1, False
                while (header := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"connection":
                        close = value.strip().lower() == b"close"
                # No length: the body runs to the end of the connection (sync workers).
                body = await (reader.read() if length < 0 else reader.readexactly(length))
                close = close or length < 0
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                status = 0
            record(index, status, body, started, time.perf_counter())
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
        writer.close()

    await asyncio.gather(*(client() for _ in range(clients)))


def crowd(
    port: int, people: list[dict], clients: int, seed: int, server_pid: int
) -> dict[str, Any]:
    work = attempts(people, seed)
    path = f"/api/v1/voucher-campaigns/{SLUG}/claim/"
    requests = [
        _request(
            "POST",
            path,
            person["token"],
            json.dumps(
                {"holder_name": person["name"], "id_number": person["id_number"]},
                ensure_ascii=False,
            ).encode(),
            key=f"{person['token'][:8]}-{attempt}",
        )
        for person, attempt in work
    ]
    latencies: list[float] = []
    successes: list[float] = []
    outcomes: dict[str, int] = {}

    def record(index: int, status: int, body: bytes, started: float, finished: float) -> None:
        if status == 201:
            code = "issued"
            successes.append(finished)
        elif status == 0:
            code = "connection_error"
        else:
            try:
                code = json.loads(body)["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = f"http_{status}"
        latencies.append(finished - started)
        outcomes[code] = outcomes.get(code, 0) + 1

    async def run() -> float:
        go = asyncio.Event()
        task = asyncio.ensure_future(_exchange(port, requests, clients, record, go))
        await asyncio.sleep(0.5)  # every connection open before the clock starts
        started = time.perf_counter()
        go.set()
        await task
        return started

    with CpuMeter(server_pid) as meter:
        start = asyncio.run(run())
    return summarise(latencies, successes, start, outcomes) | meter.per_request(len(latencies))


def _direct_part(
    campaign_pk: int, work: list[tuple[dict, int]], threads: int, go_at: float
) -> tuple:
    """Run some of the attempts through the claim service from threads (in a child process)."""
    from django.db import connections

    from xiqia.core.errors import DomainError
    from xiqia.tourism import services
    from xiqia.tourism.models import VoucherCampaign

    lock = threading.Lock()
    latencies: list[float] = []
    successes: list[float] = []
    outcomes: dict[str, int] = {}
    position = iter(range(len(work)))

    def worker() -> None:
        time.sleep(max(go_at - time.perf_counter(), 0))
        try:
            while True:
                with lock:
                    index = next(position, None)
                if index is None:
                    break
                person, _attempt = work[index]
                started = time.perf_counter()
                try:
                    current = VoucherCampaign.objects.get(pk=campaign_pk)
                    services.voucher_claim(
                        campaign=current, holder_name=person["name"], id_number=person["id_number"]
                    )
                    code = "issued"
                except DomainError as exc:
                    code = exc.code
                finished = time.perf_counter()
                with lock:
                    latencies.append(finished - started)
                    outcomes[code] = outcomes.get(code, 0) + 1
                    if code == "issued":
                        successes.append(finished)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, successes, outcomes


def direct(
    campaign: Any, people: list[dict], clients: int, seed: int, processes: int
) -> dict[str, Any]:
    """The same attempts through the claim service, no HTTP: ``processes`` processes (one per
    core, as gunicorn would run, so one interpreter lock does not bound the rate), each with
    ``clients / processes`` threads, each thread with its own connection."""
    import multiprocessing

    from django.db import connections

    work = attempts(people, seed)
    context = multiprocessing.get_context("fork")
    threads = max(1, clients // processes)
    latencies: list[float] = []
    successes: list[float] = []
    outcomes: dict[str, int] = {}
    with CpuMeter(None) as meter:
        connections.close_all()  # before the fork: the children open their own
        pool = context.Pool(processes)
        start = time.perf_counter() + 1.0  # every child starts at once, after the fork
        parts = pool.starmap(
            _direct_part,
            [(campaign.pk, work[i::processes], threads, start) for i in range(processes)],
        )
        pool.close()
        pool.join()
    for part_latencies, part_successes, part_outcomes in parts:
        latencies += part_latencies
        successes += part_successes
        for code, n in part_outcomes.items():
            outcomes[code] = outcomes.get(code, 0) + n
    return summarise(latencies, successes, start, outcomes) | meter.per_request(len(latencies))


# The server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(args: argparse.Namespace, server_spec: str, port: int) -> subprocess.Popen:
    match = re.fullmatch(r"(sync|gthread):(\d+)(?:x(\d+))?", server_spec)
    if not match:
        sys.exit(f"--server: expected sync:W or gthread:WxT, got {server_spec!r}")
    kind, workers, threads = match.group(1), match.group(2), match.group(3) or "1"
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "xiqia.wsgi",
        f"--bind={HOST}:{port}",
        f"--worker-class={kind}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--backlog=2048",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=environment(args))  # noqa: S603
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not answer /health/ within 60 s")


def warm_up(port: int, people: list[dict], clients: int) -> None:
    """Everyone opens the campaign before it opens, as a waiting crowd does: each person's token
    is checked once (and remembered, see AUTH_CACHE_SECONDS) and every worker has served."""
    path = f"/api/v1/voucher-campaigns/{SLUG}/"
    requests = [_request("GET", path, person["token"]) for person in people]
    failed: list[int] = []

    def record(index: int, status: int, body: bytes, started: float, finished: float) -> None:
        if status != 200:
            failed.append(status)

    asyncio.run(_exchange(port, requests, clients, record))
    if failed:
        sys.exit(f"warm-up: {len(failed)} requests failed (statuses {sorted(set(failed))})")


# Report ----------------------------------------------------------------------------------------


def write_docs(result: dict[str, Any]) -> None:
    http_run, direct_run = result["http"], result["direct"]
    goal = (
        http_run["claims_per_second"] >= GOAL_PER_SECOND
        and http_run["p95_ms"] < GOAL_P95_MS
        and result["http_check"]["ok"]
    )
    rows = [
        ("HTTP (gunicorn " + result["server"] + ")", http_run, result["http_check"]),
        ("direct (claim service, no HTTP)", direct_run, result["direct_check"]),
    ]
    table = "\n".join(
        f"| {label} | {run['requests']} | {run['issued']} | {run['claims_per_second']} | "
        f"{run['p50_ms']} | {run['p95_ms']} | {run['p99_ms']} | {run['max_ms']} | "
        f"{chk['issued']} + {chk['remaining']} | {chk['duplicates']} | "
        f"{', '.join(f'{k} {v}' for k, v in run['outcomes'].items())} |"
        for label, run, chk in rows
    )
    ratio = direct_run["claims_per_second"] / max(http_run["claims_per_second"], 1e-9)
    cpu_rows = "\n".join(
        f"| {label} | {run['app_cpu_ms']} | {run['db_cpu_ms']} | {run['client_cpu_ms']} | "
        f"{run['app_cpu_ms'] + run['db_cpu_ms'] + run['client_cpu_ms']:.2f} | "
        f"{run['others_share']:.0%} |"
        for label, run, _chk in rows[:1]
    )
    # The direct run's PostgreSQL backends end with its processes, before they can be read.
    cpu_rows += (
        f"\n| {rows[1][0]} | (none) | not measured | {direct_run['client_cpu_ms']} | "
        f"{direct_run['client_cpu_ms']} + PostgreSQL | {direct_run['others_share']:.0%} |"
    )
    quiet = result["busy_before"] <= 0.15
    machine = (
        f"The machine was quiet before each run ({result['busy_before']:.0%} busy)."
        if quiet
        else f"**The machine was busy** ({result['busy_before']:.0%} of its CPU used by other work "
        "right before the run): the rates are a floor; the CPU per request is the steadier figure."
    )
    section = f"""{START}
Last run: {result["at"]}. Command: `.venv/bin/python benchmarks/vouchers.py --server \
{result["server"]}` (or `make bench`).

Load: a first-come campaign of {result["stock"]} vouchers (its stock split over
{result["shards"]} shares); {result["people"]} people each claim twice (the second time with a new
Idempotency-Key), {2 * result["people"]} requests in a shuffled order from {result["clients"]}
concurrent keep-alive clients on the same machine, `POST /api/v1/voucher-campaigns/<slug>/claim/`
with `Authorization: Token` after each person opened the campaign once (`AUTH_CACHE_SECONDS=900`),
rate limits raised out of the way, cache and voucher gate {result["cache"]}. Claims
per second count the successful claims (201) from the first request to the last success; latency
is of every request, measured by the client.

Goal: at least {GOAL_PER_SECOND} successful claims/s over HTTP with p95 under
{GOAL_P95_MS:.0f} ms and zero over-issue: **{"PASS" if goal else "FAIL"}**
({http_run["claims_per_second"]} claims/s, p95 {http_run["p95_ms"]} ms). Straight against the
database (the claim service from as many threads in {result["direct_processes"]} processes, no
HTTP) the same claims run at
{direct_run["claims_per_second"]}/s, {ratio:.1f}× the HTTP rate. {machine} Load average:
{result["load"]} on {os.cpu_count()} cores.

| path | requests | issued | claims/s | p50 ms | p95 ms | p99 ms | max ms | issued + left \
| duplicates | outcomes |
|---|---|---|---|---|---|---|---|---|---|---|
{table}

CPU time per request (every request, refusals included), from `/proc`: the app server's
processes, all of PostgreSQL's, and this process (the load generator; in the direct run it *is*
the claim code). Two cores give 2,000 CPU ms per second. *Others*: the share of the machine that
unrelated processes used during the run.

| path | app ms | PostgreSQL ms | client ms | sum ms | others |
|---|---|---|---|---|---|
{cpu_rows}
{END}"""
    text = DOCS.read_text(encoding="utf-8")
    if START in text:
        text = re.sub(
            re.escape(START) + ".*?" + re.escape(END), lambda _m: section, text, flags=re.S
        )
    else:
        text = (
            text.rstrip("\n")
            + "\n\n## Vouchers: a flash crowd of claims (`benchmarks/vouchers.py`)\n\n"
            + section
            + "\n"
        )
    DOCS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"Recreating {urllib.parse.urlsplit(args.database_url).path.lstrip('/')} …", flush=True)
    recreate_database(args.database_url)
    world = setup(args)
    campaign, people = world["campaign"], world["people"]
    shards = campaign.stock.count()
    print(f"{args.stock} vouchers, {len(people)} people, {args.clients} clients", flush=True)

    busy_before = cpu.wait_for_quiet(args.quiet_wait)
    load_before = os.getloadavg()[0]
    port = free_port()
    server = start_server(args, args.server, port)
    try:
        warm_up(port, people, args.clients)
        http_run = crowd(port, people, args.clients, args.seed, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    http_check = check(campaign)
    print("HTTP  ", json.dumps(http_run), json.dumps(http_check), flush=True)
    if args.http_only:
        return 0 if http_check["ok"] else 1

    reset(campaign)
    cpu.wait_for_quiet(args.quiet_wait)
    direct_run = direct(campaign, people, args.clients, args.seed, args.direct_processes)
    direct_check = check(campaign)
    print("direct", json.dumps(direct_run), json.dumps(direct_check), flush=True)

    result = {
        "at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}",
        "server": args.server,
        "stock": args.stock,
        "people": len(people),
        "clients": args.clients,
        "cache": "on Redis" if args.redis_url else "off (local memory)",
        "shards": shards,
        "direct_processes": args.direct_processes,
        "load": f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after",
        "busy_before": round(busy_before, 2),
        "http": http_run,
        "http_check": http_check,
        "direct": direct_run,
        "direct_check": direct_check,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "vouchers.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    if not args.no_docs:
        write_docs(result)
    return 0 if http_check["ok"] and direct_check["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
