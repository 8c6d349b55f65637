"""Who may see people and their memberships (see ``xiqia.accounts.access``)."""

from __future__ import annotations

from django.db.models import Q

from xiqia.accounts.access import ALL, Policy, Principal, register
from xiqia.accounts.models import Membership, Role, User


def _people_q(principal: Principal) -> Q | None:
    """Return which people a principal may see."""
    if not principal.is_authenticated:
        return None
    if principal.is_admin or principal.has(Role.FAIR_ORGANISER):
        return ALL
    q = Q(**{"pk": principal.user.pk})
    if principal.has(Role.DISTRICT_OFFICER):
        q |= principal.region_q("memberships__organisation__region__code")
        q |= principal.region_q("memberships__region__code")
    if principal.has(Role.ORG_MEMBER) and principal.organisation_ids:
        q |= Q(**{"memberships__organisation__in": principal.organisation_ids})
    return q


def may_list_people(principal: Principal) -> bool:
    """Return whether a principal has a people list (others see only their own profile)."""
    return principal.is_admin or principal.has(
        Role.FAIR_ORGANISER, Role.DISTRICT_OFFICER, Role.ORG_MEMBER
    )


@register
class UserPolicy(Policy):
    """People are personal data: seen by those who work with them, changed by admins only."""

    model = User

    def view_q(self, principal: Principal) -> Q | None:
        q = _people_q(principal)
        if q is None or not q.children:
            return q
        # A person is listed once even when several memberships match.
        return Q(pk__in=User.objects.filter(q).values("pk"))


@register
class MembershipPolicy(Policy):
    model = Membership

    def view_q(self, principal: Principal) -> Q | None:
        q = _people_q(principal)
        if q is None or not q.children:
            return q
        return Q(user__in=User.objects.filter(q).values("pk"))
