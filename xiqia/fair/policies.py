"""Who may see and change the fair's records (see ``xiqia.accounts.access``)."""

from __future__ import annotations

from django.db.models import Q

from xiqia.accounts.access import ALL, Policy, Principal, register
from xiqia.accounts.models import Role
from xiqia.fair.models import (
    Badge,
    CheckIn,
    Event,
    EventRegistration,
    EventSpeaker,
    Fair,
    FairKey,
    Gate,
    Registration,
    Room,
    Scan,
    Speaker,
    Venue,
)


def runs_fairs(principal: Principal) -> bool:
    return principal.is_admin or principal.has(Role.FAIR_ORGANISER)


class OrganiserEdits(Policy):
    """Published programme records are public; organisers see drafts and edit everything."""

    published_field = ""

    def view_q(self, principal: Principal) -> Q | None:
        if runs_fairs(principal) or not self.published_field:
            return ALL
        return Q(**{self.published_field: True})

    def change_q(self, principal: Principal) -> Q | None:
        return ALL if runs_fairs(principal) else None

    def delete_q(self, principal: Principal) -> Q | None:
        return ALL if runs_fairs(principal) else None

    def can_create(self, principal: Principal, obj: object = None) -> bool:
        return runs_fairs(principal)


@register
class FairPolicy(OrganiserEdits):
    model = Fair
    published_field = "is_published"


@register
class EventPolicy(OrganiserEdits):
    model = Event
    published_field = "is_published"

    def view_q(self, principal: Principal) -> Q | None:
        if runs_fairs(principal):
            return ALL
        return Q(is_published=True, fair__is_published=True)


@register
class VenuePolicy(OrganiserEdits):
    model = Venue


@register
class RoomPolicy(OrganiserEdits):
    model = Room


@register
class SpeakerPolicy(OrganiserEdits):
    model = Speaker


@register
class EventSpeakerPolicy(OrganiserEdits):
    model = EventSpeaker


@register
class FairKeyPolicy(OrganiserEdits):
    """Only the public half is ever shown; the back office lists keys to organisers."""

    model = FairKey

    def view_q(self, principal: Principal) -> Q | None:
        return ALL if runs_fairs(principal) else None


@register
class GatePolicy(OrganiserEdits):
    model = Gate

    def view_q(self, principal: Principal) -> Q | None:
        return ALL if runs_fairs(principal) else None


def registrations_q(principal: Principal, prefix: str = "") -> Q | None:
    """Return which registrations a principal sees: their own, and those in their reach."""
    if not principal.is_authenticated:
        return None
    if runs_fairs(principal):
        return ALL
    q = Q(**{f"{prefix}person": principal.user.pk})
    if principal.has(Role.DISTRICT_OFFICER):
        q |= principal.region_q(f"{prefix}organisation__region__code")
    if principal.has(Role.ORG_MEMBER) and principal.organisation_ids:
        q |= Q(**{f"{prefix}organisation__in": principal.organisation_ids})
    return q


@register
class RegistrationPolicy(Policy):
    """A person sees their own; officers their region's; members their organisation's."""

    model = Registration

    def view_q(self, principal: Principal) -> Q | None:
        return registrations_q(principal)

    def change_q(self, principal: Principal) -> Q | None:
        if runs_fairs(principal):
            return ALL
        return Q(person=principal.user.pk) if principal.is_authenticated else None

    def can_create(self, principal: Principal, obj: object = None) -> bool:
        return principal.is_authenticated


@register
class EventRegistrationPolicy(Policy):
    model = EventRegistration

    def view_q(self, principal: Principal) -> Q | None:
        return registrations_q(principal, prefix="registration__")

    def change_q(self, principal: Principal) -> Q | None:
        if runs_fairs(principal):
            return ALL
        return Q(registration__person=principal.user.pk) if principal.is_authenticated else None


@register
class BadgePolicy(Policy):
    model = Badge

    def view_q(self, principal: Principal) -> Q | None:
        if runs_fairs(principal):
            return ALL
        return Q(registration__person=principal.user.pk) if principal.is_authenticated else None

    def change_q(self, principal: Principal) -> Q | None:
        return ALL if runs_fairs(principal) else None


@register
class CheckInPolicy(Policy):
    """Arrivals are the organisers' (analysts read them for the figures)."""

    model = CheckIn

    def view_q(self, principal: Principal) -> Q | None:
        return ALL if runs_fairs(principal) or principal.has(Role.ANALYST) else None


@register
class ScanPolicy(Policy):
    model = Scan

    def view_q(self, principal: Principal) -> Q | None:
        return ALL if runs_fairs(principal) else None
