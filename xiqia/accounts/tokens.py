"""API token authentication that remembers a token's user and roles for a few seconds.

A gate scans hundreds of badges a minute with the same token; looking the token, its user and
the user's memberships up every time costs two queries and most of a scan's time. The cache
holds, per token, the user's non-personal columns and their principal (roles and reach), for
``AUTH_CACHE_SECONDS`` (30 s by default; 0 turns it off).

What it may cost, and how that is bounded:

* The cache key is a SHA-256 of the token, never the token; the entry has no password hash, phone
  or ID number (those columns stay deferred: reading one loads it from the database).
* A change of roles, a deactivated user or a deleted token is seen at once where it goes through
  :func:`forget_user` (the membership and profile services, the admin, the token endpoint) and
  within ``AUTH_CACHE_SECONDS`` everywhere else.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from xiqia.accounts import access
from xiqia.accounts.models import Role, User
from xiqia.core.personal import PersonalDataField, PersonalDigestField

_PREFIX = "auth:token:"


def _key(token_key: str) -> str:
    return _PREFIX + hashlib.sha256(token_key.encode()).hexdigest()


@lru_cache(maxsize=1)
def _cached_attnames() -> tuple[str, ...]:
    """Return the user's columns that may sit in a cache: none personal, no password."""
    return tuple(
        f.attname
        for f in User._meta.concrete_fields
        if f.attname != "password" and not isinstance(f, PersonalDataField | PersonalDigestField)
    )


def _pack(user: User, principal: access.Principal) -> dict[str, Any]:
    return {
        "user": {name: getattr(user, name) for name in _cached_attnames()},
        "roles": sorted(principal.roles),
        "prefixes": list(principal.region_prefixes),
        "organisations": sorted(principal.organisation_ids),
        "names": list(principal.region_names),
    }


def _unpack(entry: dict[str, Any]) -> User:
    names = [name for name in _cached_attnames() if name in entry["user"]]
    user = User.from_db("default", names, [entry["user"][name] for name in names])
    user._xiqia_principal = access.Principal(  # type: ignore[attr-defined]
        user=user,
        roles=frozenset(Role(role) for role in entry["roles"]),
        region_prefixes=tuple(entry["prefixes"]),
        organisation_ids=frozenset(entry["organisations"]),
        region_names=tuple(entry["names"]),
    )
    return user


def forget_user(user_id: int) -> None:
    """Drop the cached entries of a user's tokens (after a change of roles or of the user)."""
    keys = Token.objects.filter(user_id=user_id).values_list("key", flat=True)
    cache.delete_many([_key(key) for key in keys])


class CachedTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, answered from the cache when the token was seen lately."""

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        seconds = settings.AUTH_CACHE_SECONDS
        entry = cache.get(_key(key)) if seconds else None
        if entry is not None:
            user = _unpack(entry)
            return user, Token(key=key, user=user)
        user, token = super().authenticate_credentials(key)
        if seconds:
            cache.set(_key(key), _pack(user, access.principal_for(user)), seconds)
        return user, token
