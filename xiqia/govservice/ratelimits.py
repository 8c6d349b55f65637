"""Rate limits on tracking (per address and per number) and on green-channel submissions.

A verification code has six digits; these limits make guessing one hopeless. Cache keys hold
the client address or the case number, never an ID or phone number. Rates come from settings
when given (``GOVSERVICE_TRACK_RATE_IP``, ``GOVSERVICE_TRACK_RATE_CASE``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class TrackIPThrottle(SimpleRateThrottle):
    scope = "govservice_track_ip"

    def get_rate(self) -> str:
        return getattr(settings, "GOVSERVICE_TRACK_RATE_IP", "20/min")

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TrackCaseThrottle(SimpleRateThrottle):
    """Attempts on one case number, from anywhere (against guessing from many addresses)."""

    scope = "govservice_track_case"

    def __init__(self, number: str) -> None:
        self.number = number.strip()
        super().__init__()

    def get_rate(self) -> str:
        return getattr(settings, "GOVSERVICE_TRACK_RATE_CASE", "10/hour")

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        ident = hashlib.sha256(self.number.encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": ident}


def track_wait(request: Any, number: str) -> float | None:
    """Return the seconds to wait when tracking is over a limit, else None (counts the try)."""
    waits = []
    for throttle in (TrackIPThrottle(), TrackCaseThrottle(number)):
        if not throttle.allow_request(request, None):
            waits.append(throttle.wait() or 1)
    return max(waits) if waits else None


class RequestSubmitIPThrottle(SimpleRateThrottle):
    """Green-channel submissions from one address (the form needs no account)."""

    scope = "govservice_request_submit_ip"

    def get_rate(self) -> str:
        return getattr(settings, "GOVSERVICE_REQUEST_SUBMIT_RATE_IP", "10/hour")

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def submit_wait(request: Any) -> float | None:
    """Return the seconds to wait when submissions are over the limit, else None (counts it)."""
    throttle = RequestSubmitIPThrottle()
    if throttle.allow_request(request, None):
        return None
    return throttle.wait() or 1
