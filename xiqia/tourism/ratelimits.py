"""Rate limits on claims, per account and per IP address, checked together.

Both limits are sliding windows, as DRF's ``SimpleRateThrottle`` keeps them: a request is refused
when the account (or the address) already made ``N`` requests within the window, and told to
wait until the oldest of them leaves it. Rates come from settings (``VOUCHER_CLAIM_RATE_ACCOUNT``,
``VOUCHER_CLAIM_RATE_IP``). Keys are the account id and the client address: never an ID or phone
number.

Where the voucher gate's Redis is configured (``xiqia/tourism/gate.py``), both windows are one
Lua script: one round trip per claim instead of a read and a write per limit through the cache,
which is what a flash crowd pays on every try. Otherwise (no Redis, or Redis not answering) the
two DRF throttles over Django's cache (Redis with ``REDIS_URL``) do the same.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.conf import settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


class ClaimAccountThrottle(SimpleRateThrottle):
    scope = "voucher_claim_account"

    def get_rate(self) -> str:
        return settings.VOUCHER_CLAIM_RATE_ACCOUNT

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class ClaimIPThrottle(SimpleRateThrottle):
    scope = "voucher_claim_ip"

    def get_rate(self) -> str:
        return settings.VOUCHER_CLAIM_RATE_IP

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


CACHE_THROTTLES = [ClaimAccountThrottle, ClaimIPThrottle]

# KEYS: one sorted set per limit. ARGV: now (ms), a member for this request, then per key its
# limit and window (ms); a limit below 0 skips the key. Returns the wait in ms, 0 when allowed.
# Every limit that allows the request records it, as DRF does when another limit refuses.
SLIDING_WINDOWS = """
local now = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  if limit >= 0 then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    if redis.call('ZCARD', key) >= limit then
      local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
      local left = window - (now - tonumber(oldest[2]))
      if left > wait then wait = left end
    else
      redis.call('ZADD', key, now, ARGV[2])
      redis.call('PEXPIRE', key, window)
    end
  end
end
return wait
"""


def _windows(request: Any) -> tuple[list[str], list[int]]:
    keys, limits = [], []
    user = getattr(request, "user", None)
    for scope, ident, rate in (
        (
            "account",
            user.pk if user is not None and user.is_authenticated else None,
            settings.VOUCHER_CLAIM_RATE_ACCOUNT,
        ),
        ("ip", BaseThrottle().get_ident(request), settings.VOUCHER_CLAIM_RATE_IP),
    ):
        count, seconds = SimpleRateThrottle.parse_rate(None, rate)  # type: ignore[arg-type]
        keys.append(f"xiqia:tourism:claim-rate:{scope}:{ident}")
        limits += [count if ident is not None and count is not None else -1, seconds * 1000]
    return keys, limits


def _redis_wait(request: Any) -> float | bool | None:
    """The wait in seconds (None: allowed) from Redis, or False when Redis cannot say."""
    import redis

    from xiqia.tourism import gate

    script = gate.script(SLIDING_WINDOWS)
    if script is None:
        return False
    keys, limits = _windows(request)
    try:
        waited = script(keys=keys, args=[int(time.time() * 1000), uuid.uuid4().hex, *limits])
    except redis.RedisError:
        return False
    return int(waited) / 1000 if int(waited) > 0 else None


def claim_wait(request: Any) -> float | None:
    """Return the seconds to wait when a claim is over a limit, else None (pages and the API)."""
    waited = _redis_wait(request)
    if waited is not False:
        return waited  # type: ignore[return-value]
    waits = []
    for throttle_class in CACHE_THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):
            waits.append(throttle.wait() or 1)
    return max(waits) if waits else None


class ClaimThrottle(BaseThrottle):
    """Both claim limits as one DRF throttle (see the module doc)."""

    def allow_request(self, request: Any, view: Any) -> bool:
        self._wait = claim_wait(request)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


CLAIM_THROTTLES = [ClaimThrottle]
