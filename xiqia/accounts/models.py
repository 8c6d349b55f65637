"""People and what they may do: the user, their memberships and roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xiqia.core.origin import Origin, OriginField
from xiqia.core.personal import PersonalDataField, PersonalDigestField, PersonalKind


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("platform administrator")
    FAIR_ORGANISER = "fair_organiser", _("fair organiser")
    DISTRICT_OFFICER = "district_officer", _("district officer")
    ORG_MEMBER = "org_member", _("organisation member")
    PARTICIPANT = "participant", _("participant")
    ANALYST = "analyst", _("analyst")


class User(AbstractUser):
    """A person who signs in. Names are one field: Chinese names do not split into first/last."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = PersonalDataField(_("phone number"), kind=PersonalKind.PHONE, blank=True)
    phone_digest = PersonalDigestField(source="phone", unique=True)
    id_number = PersonalDataField(_("resident ID number"), kind=PersonalKind.ID_NUMBER, blank=True)
    id_number_digest = PersonalDigestField(source="id_number", unique=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )
    origin = OriginField()

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username

    def __str__(self) -> str:
        return self.get_full_name()


class Membership(models.Model):
    """One role a user holds, scoped to a region (district officers) or an organisation."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    title = models.CharField(_("job title"), max_length=100, blank=True)
    origin = OriginField()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user_id", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation", "region"], name="membership_unique"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.DISTRICT_OFFICER) | Q(region__isnull=False),
                name="membership_officer_has_region",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.ORG_MEMBER) | Q(organisation__isnull=False),
                name="membership_member_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        scope = self.region or self.organisation
        label = self.get_role_display()
        return f"{self.user} · {label}" + (f" · {scope}" if scope else "")


__all__ = ["Membership", "Origin", "Role", "User"]
