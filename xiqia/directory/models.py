"""The directory: industries and organisations (government bodies, parks, enterprises, ...)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from xiqia.core.models import BilingualName, localized
from xiqia.core.origin import OriginField


def validate_credit_code(value: str) -> None:
    """Refuse a unified social credit code whose check character or structure is wrong."""
    try:
        uscc.validate(value)
    except StdnumValidationError as exc:
        raise ValidationError(
            _("%(value)s is not a valid unified social credit code."),
            code="invalid_credit_code",
            params={"value": value},
        ) from exc


class Industry(BilingualName):
    """An industry, coded after GB/T 4754 where a code exists, or an industry cluster label."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["code"]


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("government body")
    PARK = "park", _("park or zone")
    ENTERPRISE = "enterprise", _("enterprise")
    INVESTOR = "investor", _("investor")
    ASSOCIATION = "association", _("association")


# The fields a person edits on an organisation (the same on the page, the API and the admin).
ORGANISATION_FIELDS = (
    "kind",
    "name_zh",
    "name_en",
    "short_name_zh",
    "short_name_en",
    "region",
    "parent",
    "credit_code",
    "website",
    "description_zh",
    "description_en",
)


class Organisation(BilingualName):
    """A body that takes part: a government department, a park, an enterprise, ..."""

    kind = models.CharField(_("kind"), max_length=12, choices=OrganisationKind.choices)
    short_name_zh = models.CharField(_("short name (Chinese)"), max_length=60, blank=True)
    short_name_en = models.CharField(_("short name (English)"), max_length=60, blank=True)
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    industries = models.ManyToManyField(
        Industry, verbose_name=_("industries"), blank=True, related_name="organisations"
    )
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    website = models.URLField(_("website"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    origin = OriginField()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[industries])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name_zh"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="organisation_credit_code_unique",
            ),
            models.UniqueConstraint(
                fields=["name_zh", "region"], name="organisation_name_region_unique"
            ),
        ]

    @property
    def short_name(self) -> str:
        return localized(self.short_name_zh, self.short_name_en) or self.name

    @property
    def description(self) -> str:
        return localized(self.description_zh, self.description_en)
