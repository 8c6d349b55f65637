"""Who may see and change the investment records (see ``xiqia.accounts.access``).

* Clusters, parks, anchors and indicators are public (what a district offers); officers edit
  their region's.
* The project catalogue: everyone sees published projects; officers also see their region's
  drafts and edit them; analysts (the leaders' view) and administrators read everything.
* Deals: everyone sees the deals credited to a published event of a published fair (the
  fair's published results); officers see and edit their region's; an organisation's members see
  the deals their organisation signed; analysts, fair organisers and administrators read all.
* Milestones, documents and deadlines follow their deal (region), without public access.

"Their region" is the officer's reach as computed by ``principal_for``: the region, the
regions it succeeded and the region in force that succeeded it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from xiqia.accounts.access import ALL, Policy, Principal, register
from xiqia.accounts.models import Role
from xiqia.investment.models import (
    AnchorEnterprise,
    Cluster,
    ClusterIndicator,
    Deal,
    DealDocument,
    Indicator,
    Milestone,
    Park,
    Project,
    ProjectWord,
    StepDeadline,
)


def reads_everything(principal: Principal) -> bool:
    """Administrators and analysts (the leaders' view) read every investment record."""
    return principal.is_admin or principal.has(Role.ANALYST)


def works_in_a_district(principal: Principal) -> bool:
    """District officers who do not read everything: their lists start at their own region."""
    return (
        principal.has(Role.DISTRICT_OFFICER)
        and bool(principal.region_prefixes)
        and not reads_everything(principal)
        and not principal.has(Role.FAIR_ORGANISER)
    )


def officer_region_q(principal: Principal, lookup: str) -> Q | None:
    """Return the rows of the principal's regions (as an officer), or ``None``."""
    if principal.has(Role.DISTRICT_OFFICER) and principal.region_prefixes:
        return principal.region_q(lookup)
    return None


def _either(a: Q | None, b: Q | None) -> Q | None:
    if a is None:
        return b
    if b is None:
        return a
    return a | b


class RegionalPolicy(Policy):
    """Public (or not) to read; officers change and create in their region; admins anywhere."""

    region_lookup = "region__code"
    public = True

    def view_q(self, principal: Principal) -> Q | None:
        if self.public or reads_everything(principal) or principal.has(Role.FAIR_ORGANISER):
            return ALL
        return officer_region_q(principal, self.region_lookup)

    def change_q(self, principal: Principal) -> Q | None:
        if principal.is_admin:
            return ALL
        return officer_region_q(principal, self.region_lookup)

    def delete_q(self, principal: Principal) -> Q | None:
        return self.change_q(principal)

    def region_code_of(self, obj: Any) -> str | None:
        region = getattr(obj, "region", None)
        return region.code if region is not None else None

    def can_create(self, principal: Principal, obj: Any = None) -> bool:
        if principal.is_admin:
            return True
        if not principal.has(Role.DISTRICT_OFFICER):
            return False
        code = self.region_code_of(obj) if obj is not None else None
        return code is None or principal.covers_region_code(code)


@register
class ClusterPolicy(RegionalPolicy):
    model = Cluster


@register
class ParkPolicy(RegionalPolicy):
    model = Park


@register
class IndicatorPolicy(RegionalPolicy):
    model = Indicator


@register
class AnchorEnterprisePolicy(RegionalPolicy):
    model = AnchorEnterprise
    region_lookup = "cluster__region__code"

    def region_code_of(self, obj: Any) -> str | None:
        return obj.cluster.region.code if obj.cluster_id else None


@register
class ClusterIndicatorPolicy(AnchorEnterprisePolicy):
    model = ClusterIndicator


@register
class StepDeadlinePolicy(RegionalPolicy):
    model = StepDeadline
    public = False


@register
class ProjectPolicy(RegionalPolicy):
    model = Project

    def view_q(self, principal: Principal) -> Q | None:
        if reads_everything(principal):
            return ALL
        return _either(Q(is_published=True), officer_region_q(principal, self.region_lookup))


@register
class ProjectWordPolicy(Policy):
    """The search index is internal: nobody lists it."""

    model = ProjectWord


# The results a fair publishes: the deals credited to its published events (a chain first
# signed there, upgrades included).
PUBLISHED_RESULT = Q(credited_event__is_published=True, credited_event__fair__is_published=True)


@register
class DealPolicy(RegionalPolicy):
    model = Deal
    region_lookup = "host_region__code"
    deal_prefix = ""

    def view_q(self, principal: Principal) -> Q | None:
        if reads_everything(principal) or principal.has(Role.FAIR_ORGANISER):
            return ALL
        p = self.deal_prefix
        q = officer_region_q(principal, f"{p}host_region__code")
        if principal.has(Role.ORG_MEMBER) and principal.organisation_ids:
            q = _either(q, Q(**{f"{p}investor__in": principal.organisation_ids}))
        if not p:
            q = _either(q, PUBLISHED_RESULT)
        return q

    def change_q(self, principal: Principal) -> Q | None:
        if principal.is_admin:
            return ALL
        return officer_region_q(principal, f"{self.deal_prefix}host_region__code")

    def region_code_of(self, obj: Any) -> str | None:
        return obj.host_region.code if obj.host_region_id else None


@register
class MilestonePolicy(DealPolicy):
    model = Milestone
    deal_prefix = "deal__"

    def region_code_of(self, obj: Any) -> str | None:
        return obj.deal.host_region.code if obj.deal_id else None


@register
class DealDocumentPolicy(MilestonePolicy):
    model = DealDocument
