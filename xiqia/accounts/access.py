"""The one place that decides what a user may see and change.

Every page, API endpoint and admin list asks here, never checks roles itself:

* :func:`principal_for` turns a user into a :class:`Principal` (roles, regions, organisations),
  computed once per request.
* Each module registers a :class:`Policy` per model (in its ``policies.py``) that narrows a
  queryset to what a principal may *view*, *change* or *delete*, and says whether it may
  *create* a given unsaved object.
* Views use :func:`scope`, :func:`get_object`, :func:`require` and :func:`can_create`; the API
  and the admin go through the same functions (``xiqia.core.api``, ``xiqia.core.admin``).

Roles and their reach (``docs/architecture.md`` has the full table):

=================  =============================================================
platform admin     everything
fair organiser     the fair's records and the people who take part; reads the rest
district officer   the records of their region, the regions it succeeded and, when it was
                   retired, the region in force that took its place
organisation member their own organisation and its people
participant        their own records; the public directory
analyst            reads every business record; no personal records
=================  =============================================================
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest

from xiqia.accounts.models import Role

M = TypeVar("M", bound=models.Model)


class Action(enum.StrEnum):
    VIEW = "view"
    CHANGE = "change"
    DELETE = "delete"


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user and the reach of each of their roles."""

    user: Any
    roles: frozenset[Role] = frozenset()
    region_prefixes: tuple[str, ...] = ()
    organisation_ids: frozenset[int] = frozenset()
    region_names: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    @property
    def is_admin(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles

    def has(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    def region_q(self, lookup: str) -> Q:
        """Return a filter on a region code field matching this principal's regions."""
        q = Q(pk__in=[])
        for prefix in self.region_prefixes:
            q |= Q(**{f"{lookup}__startswith": prefix})
        return q

    def covers_region_code(self, code: str) -> bool:
        return any(code.startswith(prefix) for prefix in self.region_prefixes)


ANONYMOUS = Principal(user=None)


def principal_for(user: Any) -> Principal:
    """Return the principal of a user (anonymous users reach only public records)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Principal(user=user)
    cached = getattr(user, "_xiqia_principal", None)
    if cached is not None:
        return cached
    roles: set[Role] = set()
    prefixes: list[str] = []
    names: list[str] = []
    organisation_ids: set[int] = set()
    if user.is_superuser:
        roles.add(Role.PLATFORM_ADMIN)
    for membership in user.memberships.select_related("region").all():
        role = Role(membership.role)
        roles.add(role)
        if role == Role.DISTRICT_OFFICER and membership.region is not None:
            reach = list(_with_predecessors(membership.region))
            # An officer of a retired district works on in the district that succeeded it.
            reach.append(membership.region.current_successor())
            for region in reach:
                if region.prefix not in prefixes:
                    prefixes.append(region.prefix)
            names.append(str(membership.region.name))
        if membership.organisation_id is not None:
            organisation_ids.add(membership.organisation_id)
    principal = Principal(
        user=user,
        roles=frozenset(roles),
        region_prefixes=tuple(prefixes),
        organisation_ids=frozenset(organisation_ids),
        region_names=tuple(names),
    )
    user._xiqia_principal = principal
    return principal


def _with_predecessors(region: Any) -> Iterable[Any]:
    """Yield a region and, transitively, every region that it succeeded."""
    from xiqia.core.models import Region

    seen: set[int] = set()
    frontier = [region]
    while frontier:
        current = frontier.pop()
        if current.pk in seen:
            continue
        seen.add(current.pk)
        yield current
        frontier.extend(Region.objects.filter(successor=current))


class Policy:
    """What each role may do with one model. Subclasses override the ``*_q`` methods.

    A ``*_q`` method returns a ``Q`` to filter by, ``ALL`` for no restriction or ``NONE``.
    """

    model: type[models.Model]

    def view_q(self, principal: Principal) -> Q | None:
        return None

    def change_q(self, principal: Principal) -> Q | None:
        return ALL if principal.is_admin else None

    def delete_q(self, principal: Principal) -> Q | None:
        return ALL if principal.is_admin else None

    def can_create(self, principal: Principal, obj: models.Model | None = None) -> bool:
        return principal.is_admin

    def q_for(self, principal: Principal, action: Action) -> Q | None:
        method = {
            Action.VIEW: self.view_q,
            Action.CHANGE: self.change_q,
            Action.DELETE: self.delete_q,
        }[action]
        return method(principal)


ALL = Q()

_policies: dict[type[models.Model], Policy] = {}


def register(policy_class: type[Policy]) -> type[Policy]:
    """Register a policy for its model (used as a class decorator in ``policies.py``)."""
    _policies[policy_class.model] = policy_class()
    return policy_class


def policy_for(model: type[models.Model]) -> Policy:
    try:
        return _policies[model]
    except KeyError:
        raise LookupError(f"no access policy registered for {model.__name__}") from None


def _principal(who: Any) -> Principal:
    if isinstance(who, Principal):
        return who
    if isinstance(who, HttpRequest) or hasattr(who, "user"):
        return principal_for(who.user)
    return principal_for(who)


def scope(
    who: Any, queryset: models.QuerySet[M], action: Action = Action.VIEW
) -> models.QuerySet[M]:
    """Narrow a queryset to the rows ``who`` (a user, request or principal) may act on."""
    q = policy_for(queryset.model).q_for(_principal(who), action)
    if q is None:
        return queryset.none()
    return queryset.filter(q) if q.children else queryset


def allows(who: Any, action: Action, obj: models.Model) -> bool:
    """Return whether ``who`` may perform ``action`` on ``obj``."""
    q = policy_for(type(obj)).q_for(_principal(who), action)
    if q is None:
        return False
    if not q.children:
        return True
    return type(obj)._default_manager.filter(q, pk=obj.pk).exists()


def require(who: Any, action: Action, obj: models.Model) -> None:
    """Raise ``PermissionDenied`` unless ``who`` may perform ``action`` on ``obj``."""
    if not allows(who, action, obj):
        raise PermissionDenied


def can_create(who: Any, model: type[models.Model], obj: models.Model | None = None) -> bool:
    """Return whether ``who`` may create rows of ``model`` (this one, when given)."""
    return policy_for(model).can_create(_principal(who), obj)


def get_object(
    who: Any, queryset: models.QuerySet[M], action: Action = Action.VIEW, **lookup: Any
) -> M:
    """Return one object ``who`` may act on: 404 when invisible, 403 when only visible."""
    try:
        obj = scope(who, queryset, Action.VIEW).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
    if action != Action.VIEW:
        require(who, action, obj)
    return obj
