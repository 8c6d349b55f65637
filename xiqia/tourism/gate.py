"""A Redis gate in front of a first-come campaign: the crowd's refusals without the database.

When a campaign opens, most requests are refusals: a person trying a second time, or everyone
after the last voucher. Each used to cost a database transaction. The gate answers those from
Redis in one script call and lets through only the claims that can succeed; the database stays
the source of truth for every voucher issued:

* **Admission** (one Lua script, atomic in Redis): the ``Idempotency-Key`` (same key, same body:
  the first answer; another body: 422; still running: 409), then the person (their ID digest,
  the same keyed hash the voucher row holds, never the number) already claimed or in flight,
  then the count left. An admitted claim takes one from the count and is recorded as *pending*.
* **The claim itself** runs in the database as before (unique constraint per person, a stock
  share taken with a conditional ``UPDATE``), together with its idempotency row, in one
  transaction. The database can still refuse (a person who claimed before the gate knew, or a
  count the gate has too high): the database decides, the gate follows.
* **Settling** (a second script) records the outcome: issued (the person joins the claimed set),
  refused (the count taken is given back) or sold out (the count drops to zero).

What the gate can get wrong, and how it is put right:

* *Too many admitted* (a count higher than the database's): the database refuses the extra
  claims; nothing is over-issued, whatever Redis holds.
* *Too few* (a leak): a process that dies between admission and settling leaves its pending
  entry and the count it took. :func:`reconcile` gives back every pending entry older than
  ``STALE_AFTER`` whose voucher is not in the database, and, when nothing is in flight, sets the
  count to the database's. It runs from the ``reconcile_voucher_gates`` command and by itself,
  at most every few seconds, whenever the gate answers "sold out" while entries are pending.
* *Redis gone or flushed*: admission answers ``cold`` and the claim takes the database path of
  :func:`xiqia.tourism.services.voucher_claim_idempotent`; the next claim rebuilds the gate from
  the database. A campaign saved (a new total) drops its gate the same way.

The gate is on when ``VOUCHER_GATE_URL`` (by default ``REDIS_URL``) is set, and only for
first-come campaigns of one voucher per person. Keys hold campaign ids, user ids, ID digests and
a SHA-256 of the client's Idempotency-Key: no ID number, name or token.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from typing import Any

import redis
from django.conf import settings
from django.db import transaction

# A pending entry older than this belongs to a claim that died: a claim's statements are bounded
# by the services' statement_timeout (2.5 s), so no live claim is anywhere near it.
STALE_AFTER_MS = 15_000
# An in-flight Idempotency-Key expires with the claim that died holding it.
IN_FLIGHT_TTL_MS = 30_000
# A completed key answers replays this long from Redis; after that from the database.
DONE_TTL_MS = 24 * 3600 * 1000
# Inline reconciliation runs at most this often per campaign.
SWEEP_EVERY_MS = 5_000

ADMIT = """
local idem = redis.call('GET', KEYS[4])
if idem then
  local sep = string.find(idem, ':', 1, true)
  local hash = idem
  local done = nil
  if sep then
    done = string.sub(idem, 1, sep - 1)
    hash = string.sub(idem, sep + 1)
  end
  if hash ~= ARGV[3] then return {'reused', ''} end
  if done then return {'replay', done} end
  return {'in_flight', ''}
end
local left = redis.call('GET', KEYS[1])
if not left then return {'cold', ''} end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return {'claimed', ''} end
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return {'pending', ''} end
if tonumber(left) <= 0 then return {'sold_out', tostring(redis.call('HLEN', KEYS[3]))} end
redis.call('DECR', KEYS[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('SET', KEYS[4], ARGV[3], 'PX', ARGV[4])
return {'admitted', ''}
"""

# ARGV: digest, outcome (issued | refused | claimed | sold_out), idempotency value, its TTL.
SETTLE = """
local was_pending = redis.call('HDEL', KEYS[3], ARGV[1])
if ARGV[2] == 'issued' then
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('SET', KEYS[4], ARGV[3], 'PX', ARGV[4])
  return 1
end
redis.call('DEL', KEYS[4])
if ARGV[2] == 'sold_out' then
  if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('SET', KEYS[1], 0) end
  return 0
end
if ARGV[2] == 'claimed' then redis.call('SADD', KEYS[2], ARGV[1]) end
if was_pending == 1 and redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCR', KEYS[1]) end
return 0
"""

# Give back a stale pending entry (ARGV[1]) if it is still there with the same time (ARGV[2]);
# ARGV[3] == '1' means its voucher is in the database: the person joins the claimed set instead.
RELEASE = """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[3], ARGV[1])
if ARGV[3] == '1' then
  redis.call('SADD', KEYS[2], ARGV[1])
elseif redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
end
return 1
"""

# Set the count to the database's (ARGV[1]) if nothing is in flight and nobody took one since
# the count was read (ARGV[2]).
ALIGN = """
if redis.call('HLEN', KEYS[3]) ~= 0 then return 0 end
if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""

_lock = threading.Lock()
_state: dict[str, Any] = {}


def _client() -> Any:
    """Return this process's Redis client for the gate, or None when the gate is off."""
    url = settings.VOUCHER_GATE_URL
    if not url:
        return None
    with _lock:
        if _state.get("url") != url:
            client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
            _state.update(url=url, scripts={}, client=client)
        return _state["client"]


def script(source: str) -> Any:
    """Return the Lua script ``source`` registered on the gate's Redis, or None when off."""
    client = _client()
    if client is None:
        return None
    with _lock:
        scripts = _state["scripts"]
        if source not in scripts:
            scripts[source] = client.register_script(source)
        return scripts[source]


def enabled() -> bool:
    """Whether the gate is configured at all."""
    return bool(settings.VOUCHER_GATE_URL)


def applies(campaign: Any) -> bool:
    """Whether claims of ``campaign`` go through the gate."""
    from xiqia.tourism.models import AllocationMode

    return (
        enabled()
        and campaign.allocation_mode == AllocationMode.FCFS
        and campaign.per_person_limit == 1
    )


def _keys(campaign_pk: int, idem: str = "") -> list[str]:
    base = f"xiqia:tourism:gate:{campaign_pk}:"
    return [base + "left", base + "claimed", base + "pending", idem or base + "none"]


def _idem_key(user_pk: int, key: str) -> str:
    return f"xiqia:tourism:idem:{user_pk}:" + hashlib.sha256(key.encode()).hexdigest()


def _now_ms() -> int:
    return int(time.time() * 1000)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def admit(
    *, campaign_pk: int, digest: str, user_pk: int, key: str, request_hash: str
) -> tuple[str, str]:
    """Ask the gate to let a claim through: ``(verdict, detail)``.

    Verdicts: ``admitted``; ``claimed`` (this person has a voucher), ``pending`` (this person's
    other claim is running), ``sold_out`` (detail: claims in flight); for the Idempotency-Key
    ``replay`` (detail: the voucher's id), ``reused`` and ``in_flight``; ``cold`` when the gate
    knows nothing of the campaign (or Redis does not answer): take the database path.
    """
    run = script(ADMIT)
    if run is None:
        return "cold", ""
    try:
        verdict, detail = run(
            keys=_keys(campaign_pk, _idem_key(user_pk, key)),
            args=[digest, _now_ms(), request_hash, IN_FLIGHT_TTL_MS],
        )
    except redis.RedisError:
        return "cold", ""
    return _text(verdict), _text(detail)


def settle(
    *,
    campaign_pk: int,
    digest: str,
    user_pk: int,
    key: str,
    outcome: str,
    request_hash: str = "",
    voucher_pk: int | None = None,
) -> None:
    """Record what the database decided for an admitted claim (see the module doc).

    A Redis error here leaves the entry pending: :func:`reconcile` puts it right.
    """
    value = f"{voucher_pk}:{request_hash}" if outcome == "issued" else ""
    run = script(SETTLE)
    if run is None:  # the gate was turned off meanwhile
        return
    with contextlib.suppress(redis.RedisError):
        run(
            keys=_keys(campaign_pk, _idem_key(user_pk, key)),
            args=[digest, outcome, value, DONE_TTL_MS],
        )


def build(campaign: Any) -> bool:
    """Load the gate of a campaign from the database, unless another process already has.

    The count is the stock left and the claimed set the ID digests of its vouchers, both read
    in one transaction. A claim committed meanwhile through the database path makes the count
    too high, which the database corrects (see the module doc). Returns whether it built.
    """
    from xiqia.tourism.models import Voucher

    client = _client()
    if client is None:
        return False
    left_key, claimed_key, pending_key, _none = _keys(campaign.pk)
    lock_key = left_key + ":building"
    try:
        if not client.set(lock_key, "1", nx=True, px=10_000):
            return False
        with transaction.atomic():
            left = _left(campaign)
            digests = list(
                Voucher.objects.filter(campaign=campaign).values_list("id_number_digest", flat=True)
            )
        pipe = client.pipeline(transaction=True)
        pipe.delete(claimed_key, pending_key)
        for start in range(0, len(digests), 5000):
            pipe.sadd(claimed_key, *digests[start : start + 5000])
        pipe.set(left_key, left, nx=True)
        pipe.delete(lock_key)
        pipe.execute()
    except redis.RedisError:
        return False
    return True


def _left(campaign: Any) -> int:
    from django.db.models import Sum

    from xiqia.tourism.models import VoucherStock

    total = VoucherStock.objects.filter(campaign=campaign).aggregate(left=Sum("remaining"))
    return int(total["left"] or 0)


def forget(campaign_pk: int) -> None:
    """Drop a campaign's gate after its commit (a new total): the next claim rebuilds it."""
    client = _client()
    if client is None:
        return

    def drop() -> None:
        with contextlib.suppress(redis.RedisError):
            client.delete(*_keys(campaign_pk)[:3])

    transaction.on_commit(drop)


def reconcile(campaign: Any, *, stale_after_ms: int | None = None) -> dict[str, int]:
    """Give back what dead claims took, and align the count with the database when idle.

    Returns ``{"released": n, "confirmed": n, "aligned": 0 or 1}``: pending entries given back
    (no voucher in the database), pending entries whose voucher exists (the person joins the
    claimed set), and whether the count was set to the database's.
    """
    from xiqia.tourism.models import Voucher

    result = {"released": 0, "confirmed": 0, "aligned": 0}
    client = _client()
    if client is None:
        return result
    keys = _keys(campaign.pk)
    try:
        pending = client.hgetall(keys[2])
        cutoff = _now_ms() - (STALE_AFTER_MS if stale_after_ms is None else stale_after_ms)
        stale = {_text(d): _text(t) for d, t in pending.items() if int(t) < cutoff}
        if stale:
            issued = set(
                Voucher.objects.filter(
                    campaign=campaign, id_number_digest__in=list(stale)
                ).values_list("id_number_digest", flat=True)
            )
            for digest, admitted_at in stale.items():
                found = digest in issued
                if script(RELEASE)(keys=keys, args=[digest, admitted_at, "1" if found else "0"]):
                    result["confirmed" if found else "released"] += 1
        observed = client.get(keys[0])
        if observed is not None and client.hlen(keys[2]) == 0:
            left = _left(campaign)
            if int(observed) != left:
                result["aligned"] = int(script(ALIGN)(keys=keys, args=[left, _text(observed)]))
    except redis.RedisError:
        pass
    return result


def sweep_if_due(campaign: Any) -> None:
    """Reconcile now if the gate says sold out while claims are pending, at most every few
    seconds per campaign (one process does it)."""
    client = _client()
    if client is None:
        return
    with contextlib.suppress(redis.RedisError):
        if client.set(_keys(campaign.pk)[0] + ":sweep", "1", nx=True, px=SWEEP_EVERY_MS):
            reconcile(campaign)


def forget_idempotency_keys() -> int:
    """Drop every Idempotency-Key the gate remembers (after the database's were deleted, as a
    benchmark's reset does); return how many."""
    client = _client()
    if client is None:
        return 0
    keys = list(client.scan_iter(match="xiqia:tourism:idem:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
    return len(keys)
