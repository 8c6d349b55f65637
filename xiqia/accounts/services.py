"""Writes to people and memberships. Pages, API, admin and commands all come through here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xiqia.accounts.models import Membership, Role, User
from xiqia.core import personal
from xiqia.core.errors import Conflict
from xiqia.core.origin import Origin
from xiqia.core.personal import PersonalKind


def _clean_personal(kind: str, raw: str, field: str) -> str:
    if not raw:
        return ""
    try:
        return personal.validate(kind, raw)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from exc


def _ensure_unique(field: str, kind: str, value: str, exclude_pk: int | None) -> None:
    if not value:
        return
    taken = User.objects.filter(**{f"{field}_digest": personal.digest(kind, value)})
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        message = (
            _("This phone number is already registered.")
            if kind == PersonalKind.PHONE
            else _("This ID number is already registered.")
        )
        raise Conflict(message, code=f"{field}_taken", fields={field: [message]})


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    id_number: str = "",
    preferred_language: str = "zh-hans",
    is_superuser: bool = False,
    origin: str = Origin.ENTERED,
    actor: Any = None,
    check_password: bool = True,
) -> User:
    """Create a person who can sign in; phone and ID numbers are validated and kept unique."""
    phone = _clean_personal(PersonalKind.PHONE, phone, "phone")
    id_number = _clean_personal(PersonalKind.ID_NUMBER, id_number, "id_number")
    _ensure_unique("phone", PersonalKind.PHONE, phone, None)
    _ensure_unique("id_number", PersonalKind.ID_NUMBER, id_number, None)
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        phone=phone or None,
        id_number=id_number or None,
        preferred_language=preferred_language,
        is_superuser=is_superuser,
        is_staff=is_superuser,
        origin=origin,
    )
    if password is None:
        user.set_unusable_password()
    else:
        if check_password:
            validate_password(password, user)
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user._history_user = actor  # type: ignore[attr-defined]
    user.save()
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    full_name: str,
    email: str,
    phone: str = "",
    preferred_language: str = "zh-hans",
) -> User:
    """Change a person's own profile; an empty phone keeps the number on record."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.full_name = full_name
    user.email = email
    user.preferred_language = preferred_language
    if phone:
        cleaned = _clean_personal(PersonalKind.PHONE, phone, "phone")
        _ensure_unique("phone", PersonalKind.PHONE, cleaned, user.pk)
        user.phone = cleaned  # type: ignore[assignment]
    user.full_clean(exclude=["password"])
    user._history_user = user  # type: ignore[attr-defined]
    user.save()
    forget_cached_credentials(user.pk)
    return user


@transaction.atomic
def membership_grant(
    *,
    user: User,
    role: str,
    organisation: Any = None,
    region: Any = None,
    title: str = "",
    origin: str = Origin.ENTERED,
    actor: Any = None,
) -> Membership:
    """Give a user a role; officers need a region, organisation members an organisation."""
    role = Role(role)
    if role == Role.DISTRICT_OFFICER and region is None:
        raise ValidationError({"region": _("A district officer must be given a region.")})
    if role == Role.ORG_MEMBER and organisation is None:
        raise ValidationError(
            {"organisation": _("An organisation member must be given an organisation.")}
        )
    membership = Membership.objects.filter(
        user=user, role=role, organisation=organisation, region=region
    ).first()
    if membership is None:
        membership = Membership(
            user=user,
            role=role,
            organisation=organisation,
            region=region,
            title=title,
            origin=origin,
        )
        membership._history_user = actor  # type: ignore[attr-defined]
        membership.save()
    if role == Role.PLATFORM_ADMIN and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    forget_cached_credentials(user.pk)
    return membership


def forget_cached_credentials(user_id: int) -> None:
    """Make the API see a user's new roles or state at once, once this transaction commits."""
    from xiqia.accounts.tokens import forget_user

    transaction.on_commit(lambda: forget_user(user_id))
