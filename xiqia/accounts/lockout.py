"""The login lockout (django-axes) keeps no attempted user name in plain text.

People type their mobile or ID number as the user name, or someone else's; a failed attempt's
user name is personal data kept for the cool-off, so axes stores a keyed hash of it instead
(PIPL art. 51; GB/T 35273-2020 §6.2, de-identification of what is kept): ``AXES_USERNAME_CALLABLE``
returns ``hmac:<HMAC-SHA256 hex>`` (key ``PERSONAL_DATA_HASH_KEY``) of the name as typed, so
the same name still locks the same (hash, address) pair. The successful-login ``AccessLog``,
which axes fills from ``user.get_username()`` without that callable, goes through
:class:`LockoutHandler`, which hands axes the hashed name. ``AXES_SENSITIVE_PARAMETERS`` keeps
the name out of the stored form data (``post_data``) as well.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings

_HASHED = re.compile(r"hmac:[0-9a-f]{64}")


def hash_username(username: str | None) -> str | None:
    """Return the stored form of an attempted user name (idempotent: a hash stays as it is)."""
    if username is None:
        return None
    username = str(username)
    if _HASHED.fullmatch(username):
        return username
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    message = f"axes-username:{username.strip()}".encode()
    return "hmac:" + hmac.new(key, message, hashlib.sha256).hexdigest()


def client_username(request: Any, credentials: dict[str, Any] | None = None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the attempted name, hashed."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        raw = credentials.get(field)
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        raw = data.get(field) if hasattr(data, "get") else None
    return hash_username(raw)


class _HashedUser:
    """What axes asks of a user at sign-in and sign-out: the (hashed) user name."""

    def __init__(self, user: Any) -> None:
        self._username = hash_username(user.get_username()) if user is not None else None

    def get_username(self) -> str | None:
        return self._username


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler, recording successful sign-ins under the hashed user name."""

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        super().user_logged_in(sender, request, _HashedUser(user), **kwargs)

    def user_logged_out(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        super().user_logged_out(sender, request, _HashedUser(user) if user else user, **kwargs)
