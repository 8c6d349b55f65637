"""Reads about people."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from xiqia.accounts import access
from xiqia.accounts.models import Membership, User


def people_list(*, who: Any, q: str = "") -> QuerySet[User]:
    """Return the people ``who`` may see, with their memberships loaded."""
    qs = access.scope(who, User.objects.filter(is_active=True))
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(username__icontains=q) | Q(email__icontains=q))
    memberships = Membership.objects.select_related("organisation", "region").order_by("role")
    return qs.prefetch_related(Prefetch("memberships", queryset=memberships)).order_by("username")
