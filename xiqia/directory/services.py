"""Writes to the directory. Pages, API, admin and commands all come through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xiqia.accounts import access
from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.directory.models import ORGANISATION_FIELDS, Industry, Organisation

EDITABLE_FIELDS = ORGANISATION_FIELDS


def _check_parent(organisation: Organisation) -> None:
    parent = organisation.parent
    seen = {organisation.pk} if organisation.pk else set()
    while parent is not None:
        if parent.pk in seen:
            raise ValidationError(
                {
                    "parent": _(
                        "An organisation cannot be its own parent, directly or through others."
                    )
                }
            )
        seen.add(parent.pk)
        parent = parent.parent


def _check_region(region: Region | None) -> None:
    if region is not None and not region.is_current:
        raise ValidationError(
            {
                "region": _(
                    "%(region)s is no longer in force; choose the region that succeeded it."
                )
                % {"region": region}
            }
        )


def organisation_check(organisation: Organisation, *, region_changed: bool = True) -> None:
    """Raise ``ValidationError`` if an entry breaks a directory rule (forms call this early)."""
    if region_changed and organisation.origin == Origin.ENTERED and organisation.region_id:
        # Facts loaded for a past fair may sit in a region since retired; new entries may not.
        _check_region(organisation.region)
    _check_parent(organisation)


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    industries: Iterable[Industry] = (),
    origin: str = Origin.ENTERED,
    **fields: Any,
) -> Organisation:
    """Create an organisation in the directory, if ``actor`` may create one in its region."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    organisation = Organisation(origin=origin, **fields)
    if actor is not None and not access.can_create(actor, Organisation, organisation):
        raise PermissionDenied
    organisation_check(organisation)
    organisation.full_clean()
    organisation._history_user = actor  # type: ignore[attr-defined]
    organisation.save()
    organisation.industries.set(industries)
    return organisation


@transaction.atomic
def organisation_update(
    *,
    actor: Any,
    organisation: Organisation,
    industries: Iterable[Industry] | None = None,
    **fields: Any,
) -> Organisation:
    """Change an organisation's entry; an officer may not move it out of their region."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if actor is not None:
        access.require(actor, access.Action.CHANGE, organisation)
    region_before = organisation.region_id
    for name, value in fields.items():
        setattr(organisation, name, value)
    region_changed = organisation.region_id != region_before
    if (
        region_changed
        and actor is not None
        and not access.can_create(actor, Organisation, organisation)
    ):
        raise PermissionDenied
    organisation_check(organisation, region_changed=region_changed)
    organisation.full_clean()
    organisation._history_user = actor  # type: ignore[attr-defined]
    organisation.save()
    if industries is not None:
        organisation.industries.set(industries)
    return organisation
