"""Who may see and change matchmaking records (see ``xiqia.accounts.access``).

Participants see the visible profiles of the fairs they are registered for, their own requests,
meetings and notices. Organisers (and platform administrators) see and run everything; analysts
read requests, meetings and plans for the figures.
"""

from __future__ import annotations

from django.db.models import Q

from xiqia.accounts.access import ALL, Policy, Principal, register
from xiqia.accounts.models import Role
from xiqia.fair.models import Registration, RegistrationStatus
from xiqia.fair.policies import OrganiserEdits, runs_fairs
from xiqia.matchmaking.models import (
    AvailabilityWindow,
    Hidden,
    MatchmakingSettings,
    Meeting,
    MeetingRequest,
    Notification,
    Profile,
    SchedulePlan,
    Slot,
    Table,
)


def _my_fairs(principal: Principal) -> object:
    return Registration.objects.filter(
        person=principal.user.pk, status=RegistrationStatus.APPROVED
    ).values("fair_id")


@register
class ProfilePolicy(Policy):
    """Your own profile; the visible profiles of fairs you take part in."""

    model = Profile

    def view_q(self, principal: Principal) -> Q | None:
        if runs_fairs(principal) or principal.has(Role.ANALYST):
            return ALL
        if not principal.is_authenticated:
            return None
        return Q(registration__person=principal.user.pk) | Q(
            is_visible=True,
            registration__status=RegistrationStatus.APPROVED,
            registration__fair__in=_my_fairs(principal),
        )

    def change_q(self, principal: Principal) -> Q | None:
        if runs_fairs(principal):
            return ALL
        return Q(registration__person=principal.user.pk) if principal.is_authenticated else None

    def can_create(self, principal: Principal, obj: object = None) -> bool:
        if runs_fairs(principal):
            return True
        return (
            principal.is_authenticated
            and obj is not None
            and obj.registration.person_id == principal.user.pk
        )


@register
class AvailabilityWindowPolicy(Policy):
    model = AvailabilityWindow

    def view_q(self, principal: Principal) -> Q | None:
        if runs_fairs(principal):
            return ALL
        return (
            Q(profile__registration__person=principal.user.pk)
            if principal.is_authenticated
            else None
        )

    change_q = view_q


@register
class MatchmakingSettingsPolicy(OrganiserEdits):
    model = MatchmakingSettings


@register
class SlotPolicy(OrganiserEdits):
    model = Slot


@register
class TablePolicy(OrganiserEdits):
    model = Table


@register
class HiddenPolicy(Policy):
    """Whom you hid is yours alone (organisers see it to explain a recommendation)."""

    model = Hidden

    def view_q(self, principal: Principal) -> Q | None:
        if runs_fairs(principal):
            return ALL
        return (
            Q(profile__registration__person=principal.user.pk)
            if principal.is_authenticated
            else None
        )

    change_q = view_q
    delete_q = view_q


def _party_q(principal: Principal, sender: str, recipient: str) -> Q | None:
    if runs_fairs(principal):
        return ALL
    if not principal.is_authenticated:
        return None
    me = principal.user.pk
    return Q(**{f"{sender}__registration__person": me}) | Q(
        **{f"{recipient}__registration__person": me}
    )


@register
class MeetingRequestPolicy(Policy):
    model = MeetingRequest

    def view_q(self, principal: Principal) -> Q | None:
        if principal.has(Role.ANALYST) and not runs_fairs(principal):
            return ALL
        return _party_q(principal, "sender", "recipient")

    def change_q(self, principal: Principal) -> Q | None:
        return _party_q(principal, "sender", "recipient")

    def can_create(self, principal: Principal, obj: object = None) -> bool:
        return principal.is_authenticated


@register
class MeetingPolicy(Policy):
    model = Meeting

    def view_q(self, principal: Principal) -> Q | None:
        if principal.has(Role.ANALYST) and not runs_fairs(principal):
            return ALL
        return _party_q(principal, "a", "b")

    def change_q(self, principal: Principal) -> Q | None:
        return _party_q(principal, "a", "b")


@register
class SchedulePlanPolicy(Policy):
    model = SchedulePlan

    def view_q(self, principal: Principal) -> Q | None:
        return ALL if runs_fairs(principal) or principal.has(Role.ANALYST) else None

    def change_q(self, principal: Principal) -> Q | None:
        return ALL if runs_fairs(principal) else None

    def can_create(self, principal: Principal, obj: object = None) -> bool:
        return runs_fairs(principal)


@register
class NotificationPolicy(Policy):
    """A notice is its recipient's only."""

    model = Notification

    def view_q(self, principal: Principal) -> Q | None:
        if principal.is_admin:
            return ALL
        return Q(recipient=principal.user.pk) if principal.is_authenticated else None

    change_q = view_q
