"""The API's default permission (kept apart from ``api.py``: DRF imports it at start-up)."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request


class AccessPolicyPermission(permissions.BasePermission):
    """Reads are scoped by the access policy; writes need a signed-in user.

    Which rows a user reads and which they may change is decided in ``xiqia.accounts.access``
    (through :class:`ScopedViewSetMixin`); this class only turns away anonymous writes.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)
