"""Who may see and change government-service records (see ``xiqia.accounts.access``).

A case belongs to two districts: the one whose window received it and the one that handles
the matter. Officers of either reach it; officers of any other district do not see it at all.
Ratings are shown row by row only to supervisors, administrators and analysts, never to the
clerks and reviewers who were rated.
"""

from __future__ import annotations

from django.db.models import Q

from xiqia.accounts.access import ALL, Policy, Principal, register
from xiqia.accounts.models import Role
from xiqia.govservice.models import (
    Case,
    CaseExtension,
    CasePause,
    CaseTransition,
    EnterpriseRequest,
    FollowUp,
    Matter,
    MatterVersion,
    PairingAgreement,
    Rating,
    RequestReminder,
    RequestStep,
    RequiredMaterial,
    StaffKind,
    TimeLimit,
    Window,
    WindowStaff,
)


def case_q(principal: Principal, prefix: str = "") -> Q | None:
    """Return the cases a principal reaches: both districts' officers, admins, analysts."""
    if principal.is_admin or principal.has(Role.ANALYST):
        return ALL
    if principal.has(Role.DISTRICT_OFFICER):
        return principal.region_q(f"{prefix}receiving_region__code") | principal.region_q(
            f"{prefix}handling_region__code"
        )
    return None


def case_change_q(principal: Principal, prefix: str = "") -> Q | None:
    if principal.is_admin:
        return ALL
    if principal.has(Role.DISTRICT_OFFICER):
        return case_q(principal, prefix)
    return None


class PublicCatalogue(Policy):
    """The catalogue and the windows are public; administrators edit them."""

    def view_q(self, principal: Principal) -> Q | None:
        return ALL


@register
class MatterPolicy(PublicCatalogue):
    model = Matter


@register
class MatterVersionPolicy(PublicCatalogue):
    model = MatterVersion


@register
class RequiredMaterialPolicy(PublicCatalogue):
    model = RequiredMaterial


@register
class WindowPolicy(PublicCatalogue):
    model = Window


@register
class TimeLimitPolicy(PublicCatalogue):
    model = TimeLimit


@register
class WindowStaffPolicy(Policy):
    model = WindowStaff

    def view_q(self, principal: Principal) -> Q | None:
        if principal.is_admin:
            return ALL
        if principal.has(Role.DISTRICT_OFFICER):
            return principal.region_q("window__region__code")
        return None


@register
class CasePolicy(Policy):
    model = Case

    def view_q(self, principal: Principal) -> Q | None:
        return case_q(principal)

    def change_q(self, principal: Principal) -> Q | None:
        return case_change_q(principal)


class CasePart(Policy):
    """Rows of a case's history: seen with the case, written only by the services."""

    def view_q(self, principal: Principal) -> Q | None:
        return case_q(principal, "case__")

    def change_q(self, principal: Principal) -> Q | None:
        return None

    def delete_q(self, principal: Principal) -> Q | None:
        return None


@register
class CaseTransitionPolicy(CasePart):
    model = CaseTransition


@register
class CasePausePolicy(CasePart):
    model = CasePause


@register
class CaseExtensionPolicy(CasePart):
    model = CaseExtension


def supervises_q(principal: Principal, region_lookup: str) -> Q | None:
    """Return the rows of the districts where the principal is a supervisor."""
    if principal.is_admin or principal.has(Role.ANALYST):
        return ALL
    if not principal.has(Role.DISTRICT_OFFICER):
        return None
    regions = WindowStaff.objects.filter(user=principal.user.pk, kind=StaffKind.SUPERVISOR).values(
        "window__region"
    )
    return Q(**{f"{region_lookup}__in": regions})


@register
class RatingPolicy(Policy):
    model = Rating

    def view_q(self, principal: Principal) -> Q | None:
        return supervises_q(principal, "case__receiving_region")

    def change_q(self, principal: Principal) -> Q | None:
        return None

    def delete_q(self, principal: Principal) -> Q | None:
        return None


@register
class FollowUpPolicy(Policy):
    model = FollowUp

    def view_q(self, principal: Principal) -> Q | None:
        return supervises_q(principal, "region")

    def change_q(self, principal: Principal) -> Q | None:
        if principal.has(Role.ANALYST) and not principal.is_admin:
            return None
        return supervises_q(principal, "region")


def request_q(principal: Principal, prefix: str = "") -> Q | None:
    """Return the green-channel requests a principal reaches: its district's officers."""
    if principal.is_admin or principal.has(Role.ANALYST):
        return ALL
    if principal.has(Role.DISTRICT_OFFICER):
        return principal.region_q(f"{prefix}region__code")
    return None


@register
class EnterpriseRequestPolicy(Policy):
    model = EnterpriseRequest

    def view_q(self, principal: Principal) -> Q | None:
        return request_q(principal)

    def change_q(self, principal: Principal) -> Q | None:
        if principal.is_admin:
            return ALL
        if principal.has(Role.DISTRICT_OFFICER):
            return principal.region_q("region__code")
        return None


class RequestPart(Policy):
    """Rows of a request's history: seen with the request, written only by the services."""

    def view_q(self, principal: Principal) -> Q | None:
        return request_q(principal, "request__")

    def change_q(self, principal: Principal) -> Q | None:
        return None

    def delete_q(self, principal: Principal) -> Q | None:
        return None


@register
class RequestStepPolicy(RequestPart):
    model = RequestStep


@register
class RequestReminderPolicy(RequestPart):
    model = RequestReminder


@register
class PairingAgreementPolicy(PublicCatalogue):
    model = PairingAgreement
