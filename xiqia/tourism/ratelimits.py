"""Rate limits on claims, per account and per IP address (DRF throttles over Django's cache).

The cache is Redis when ``REDIS_URL`` is set, so the limits hold across app servers. Keys are
the account id and the client address: never an ID or phone number. Rates come from settings
(``VOUCHER_CLAIM_RATE_ACCOUNT``, ``VOUCHER_CLAIM_RATE_IP``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


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


CLAIM_THROTTLES = [ClaimAccountThrottle, ClaimIPThrottle]


def claim_wait(request: Any) -> float | None:
    """Return the seconds to wait when a page's claim is over a limit, else None."""
    waits = []
    for throttle_class in CLAIM_THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):
            waits.append(throttle.wait() or 1)
    return max(waits) if waits else None
