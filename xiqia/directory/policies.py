"""Who may see and change the directory (see ``xiqia.accounts.access``)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from xiqia.accounts.access import ALL, Policy, Principal, register
from xiqia.accounts.models import Role
from xiqia.core.models import CalendarDay, CalendarYear, Region
from xiqia.directory.models import Industry, Organisation


@register
class OrganisationPolicy(Policy):
    """The directory is public; officers keep their region's entries, members their own."""

    model = Organisation

    def view_q(self, principal: Principal) -> Q | None:
        return ALL

    def change_q(self, principal: Principal) -> Q | None:
        if principal.is_admin:
            return ALL
        q: Q | None = None
        if principal.has(Role.DISTRICT_OFFICER):
            q = principal.region_q("region__code")
        if principal.has(Role.ORG_MEMBER) and principal.organisation_ids:
            own = Q(pk__in=principal.organisation_ids)
            q = own if q is None else q | own
        return q

    def can_create(self, principal: Principal, obj: models.Model | None = None) -> bool:
        if principal.is_admin:
            return True
        if not principal.has(Role.DISTRICT_OFFICER):
            return False
        region = getattr(obj, "region", None) if obj is not None else None
        return region is None or principal.covers_region_code(region.code)


@register
class IndustryPolicy(Policy):
    model = Industry

    def view_q(self, principal: Principal) -> Q | None:
        return ALL


@register
class RegionPolicy(Policy):
    """The code table is public reference data; only administrators edit it."""

    model = Region

    def view_q(self, principal: Principal) -> Q | None:
        return ALL


@register
class CalendarDayPolicy(Policy):
    """The official calendar is public reference data; only administrators edit it."""

    model = CalendarDay

    def view_q(self, principal: Principal) -> Q | None:
        return ALL


@register
class CalendarYearPolicy(Policy):
    """Which years are published is public reference data; only administrators edit it."""

    model = CalendarYear

    def view_q(self, principal: Principal) -> Q | None:
        return ALL
