"""The client's address, for login lockout and rate limits, behind a known number of proxies.

``X-Forwarded-For`` can be forged by the client, so it is trusted only as far as the number of
proxies the operator declares (``TRUSTED_PROXY_COUNT``): each proxy appends the address it saw,
so the client is the entry that many places from the right.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the client's address as the nearest trusted proxy saw it."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    if len(forwarded) < proxies:
        return forwarded[0] if forwarded else remote
    return forwarded[-proxies]
