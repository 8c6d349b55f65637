"""Culture and tourism: scenic spots, resident discounts, voucher campaigns and their claims.

Residency: the first six digits of a resident ID number record where the person was *first
registered*, not where they live now. A person born in Jiulongpo before 1997 carries the old
prefix 510213, one born in Xindu before 2001 carries 510125. The platform therefore never decides
residency from the ID number alone: gate staff decide from the proof shown (ID card address or
household register), and a claimant declares their district of residence.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from xiqia.core.models import BilingualName
from xiqia.core.money import AmountField
from xiqia.core.origin import OriginField
from xiqia.core.personal import PersonalDataField, PersonalDigestField, PersonalKind

# GB 11643-1999 §5.2: the first six digits are the county of the household registration when
# the number was assigned (see ``personal.address_code_in_force_since``).
RESIDENCY_RULE = _(
    "The first six digits of an ID number show where the person's household was registered "
    "when the number was assigned, often years after birth, not where they live now: someone "
    "born in Jiulongpo in 1985 may carry 510213 or 500107. Decide residency from the address "
    "on the ID card or the household register, never from the number."
)


def new_voucher_code() -> str:
    """Return a voucher code: 16 characters, unguessable, no personal data in it."""
    return secrets.token_urlsafe(12)


def new_entry_code() -> str:
    """Return a lottery entry's public code: 12 hex characters, no personal data in it."""
    return secrets.token_hex(6)


class ScenicSpot(BilingualName):
    """A scenic spot or cultural venue with a ticket gate, e.g. Huangjueping Graffiti Street."""

    region = models.ForeignKey(
        "core.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    address_zh = models.CharField(_("address (Chinese)"), max_length=200, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=200, blank=True)
    full_price = AmountField(_("full ticket price"), default=0)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scenic spot")
        verbose_name_plural = _("scenic spots")
        ordering = ["name_zh"]


class Merchant(BilingualName):
    """A business that accepts vouchers. Its cashiers redeem them on their phones.

    Cashiers are a plain list of users rather than a platform role: a shop assistant needs
    nothing else on the platform. Members of the merchant's organisation may redeem too.
    """

    region = models.ForeignKey(
        "core.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merchants",
    )
    cashiers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cashiers"),
        blank=True,
        related_name="cashier_at",
    )
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["name_zh"]


class Discount(models.TextChoices):
    FREE = "free", _("free admission")
    HALF = "half", _("half price")


class Proof(models.TextChoices):
    ID_CARD = "id_card", _("resident ID card")
    HOUSEHOLD_REGISTER = "household_register", _("household register")


class ResidentDiscountPolicy(models.Model):
    """Residents of the eligible districts enter a spot free or at half price on proof."""

    spot = models.ForeignKey(
        ScenicSpot,
        verbose_name=_("scenic spot"),
        on_delete=models.CASCADE,
        related_name="discount_policies",
    )
    eligible_regions = models.ManyToManyField(
        "core.Region", verbose_name=_("eligible districts"), related_name="+"
    )
    discount = models.CharField(_("discount"), max_length=10, choices=Discount.choices)
    accepts_id_card = models.BooleanField(_("accepts the ID card"), default=True)
    accepts_household_register = models.BooleanField(
        _("accepts the household register"), default=True
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note_zh = models.TextField(_("note (Chinese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resident discount policy")
        verbose_name_plural = _("resident discount policies")
        ordering = ["spot", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepts_id_card=True) | Q(accepts_household_register=True),
                name="discount_policy_accepts_a_proof",
            )
        ]

    def __str__(self) -> str:
        return f"{self.spot} · {self.get_discount_display()}"

    def accepts(self, proof: str) -> bool:
        if proof == Proof.ID_CARD:
            return self.accepts_id_card
        return proof == Proof.HOUSEHOLD_REGISTER and self.accepts_household_register


class DiscountDecision(models.Model):
    """What a gate decided for one visitor. Only the class of proof, the district, the time and
    the gate are kept: never the ID number, never a picture of the card."""

    policy = models.ForeignKey(
        ResidentDiscountPolicy,
        verbose_name=_("policy"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    proof = models.CharField(_("proof shown"), max_length=20, choices=Proof.choices)
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("district of residence"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=RESIDENCY_RULE,
    )
    granted = models.BooleanField(_("discount granted"))
    gate = models.CharField(_("gate"), max_length=60)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    origin = OriginField()

    class Meta:
        verbose_name = _("discount decision")
        verbose_name_plural = _("discount decisions")
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.policy} · {self.get_proof_display()} · {self.gate}"


class AllocationMode(models.TextChoices):
    FCFS = "fcfs", _("first come, first served")
    LOTTERY = "lottery", _("registration, then a public lottery")


class VoucherCampaign(BilingualName):
    """A round of vouchers. The stock left is split over a few :class:`VoucherStock` rows, so
    that concurrent claims do not queue on one row; ``remaining`` is their sum."""

    slug = models.SlugField(_("short address"), max_length=60, unique=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    issuing_regions = models.ManyToManyField(
        "core.Region", verbose_name=_("issuing districts"), related_name="+"
    )
    eligible_regions = models.ManyToManyField(
        "core.Region",
        verbose_name=_("eligible districts of residence"),
        blank=True,
        related_name="+",
        help_text=format_lazy("{} {}", _("Empty: anyone may claim."), RESIDENCY_RULE),
    )
    total_count = models.PositiveIntegerField(_("vouchers in total"))
    face_value = AmountField(_("face value"))
    min_spend = AmountField(_("minimum spend"), default=0)
    per_person_limit = models.PositiveSmallIntegerField(_("vouchers per person"), default=1)
    claim_opens_at = models.DateTimeField(_("claiming opens"))
    claim_closes_at = models.DateTimeField(_("claiming closes"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    merchants = models.ManyToManyField(
        Merchant, verbose_name=_("participating merchants"), blank=True, related_name="campaigns"
    )
    allocation_mode = models.CharField(
        _("allocation"), max_length=10, choices=AllocationMode.choices, default=AllocationMode.FCFS
    )
    retention_days = models.PositiveIntegerField(
        _("days personal data is kept after validity"),
        default=180,
        help_text=_("After this, names and ID numbers are purged; the statistics stay."),
    )
    draw_seed_hash = models.CharField(
        _("published seed hash (SHA-256)"),
        max_length=64,
        blank=True,
        help_text=_("Lottery only: published before registration closes; the seed stays secret."),
    )
    entrants_frozen_at = models.DateTimeField(_("entrants frozen"), null=True, blank=True)
    entrants_digest = models.CharField(_("entrant list hash (SHA-256)"), max_length=64, blank=True)
    draw_seed = models.CharField(_("revealed seed"), max_length=200, blank=True)
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)
    personal_data_purged_at = models.DateTimeField(
        _("personal data purged"), null=True, blank=True, editable=False
    )
    is_published = models.BooleanField(_("published"), default=False)
    origin = OriginField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("voucher campaign")
        verbose_name_plural = _("voucher campaigns")
        ordering = ["-claim_opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(claim_closes_at__gt=F("claim_opens_at")),
                name="voucher_campaign_claim_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")),
                name="voucher_campaign_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(per_person_limit__gte=1), name="voucher_campaign_limit_positive"
            ),
        ]

    @property
    def description(self) -> str:
        from xiqia.core.models import localized

        return localized(self.description_zh, self.description_en)

    @property
    def total_value(self):
        return self.face_value * self.total_count

    def claim_open(self, now: datetime.datetime) -> bool:
        return self.claim_opens_at <= now < self.claim_closes_at

    def purge_due_at(self) -> datetime.datetime:
        return self.valid_until + datetime.timedelta(days=self.retention_days)

    @property
    def remaining(self) -> int:
        """Return the vouchers left: the stock rows' sum, or the queryset's ``stock_left``."""
        if "stock_left" in self.__dict__:
            return self.__dict__["stock_left"] or 0
        if self.pk is None:
            return self.total_count
        total = self.stock.aggregate(left=models.Sum("remaining"))["left"]
        return total or 0


class LotteryEntry(models.Model):
    """One person's entry in a lottery campaign. ``code`` is public (the entrant list shows it);
    the person behind it is not."""

    campaign = models.ForeignKey(
        VoucherCampaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    code = models.CharField(_("entry code"), max_length=24, unique=True, default=new_entry_code)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lottery_entries",
    )
    holder_name = models.CharField(_("holder's name"), max_length=60, blank=True)
    id_number = PersonalDataField(_("resident ID number"), kind=PersonalKind.ID_NUMBER, blank=True)
    id_number_digest = PersonalDigestField(source="id_number")
    residence_region = models.ForeignKey(
        "core.Region",
        verbose_name=_("declared district of residence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    won = models.BooleanField(_("won"), default=False)
    origin = OriginField()

    class Meta:
        verbose_name = _("lottery entry")
        verbose_name_plural = _("lottery entries")
        ordering = ["campaign", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "id_number_digest"], name="lottery_entry_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return self.code


class VoucherStock(models.Model):
    """One share of a campaign's stock left. A claim takes one voucher from any share that is
    not locked by another claim (``FOR UPDATE SKIP LOCKED``), so up to as many claims as there
    are shares commit side by side; the check constraint makes a negative share impossible."""

    campaign = models.ForeignKey(
        VoucherCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="stock"
    )
    shard = models.PositiveSmallIntegerField(_("share"))
    remaining = models.IntegerField(_("vouchers left"))

    class Meta:
        verbose_name = _("voucher stock share")
        verbose_name_plural = _("voucher stock shares")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "shard"], name="voucher_stock_one_per_shard"
            ),
            models.CheckConstraint(
                condition=Q(remaining__gte=0), name="voucher_stock_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.shard}"


class VoucherStatus(models.TextChoices):
    CLAIMED = "claimed", _("claimed")
    REDEEMED = "redeemed", _("redeemed")


class Voucher(models.Model):
    """One claimed voucher. The holder's ID number is encrypted; ``id_number_digest`` (a keyed
    hash) with ``slot`` makes "at most N per person per campaign" a database constraint."""

    campaign = models.ForeignKey(
        VoucherCampaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="vouchers",
    )
    code = models.CharField(_("code"), max_length=24, unique=True, default=new_voucher_code)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vouchers",
    )
    holder_name = models.CharField(_("holder's name"), max_length=60, blank=True)
    id_number = PersonalDataField(_("resident ID number"), kind=PersonalKind.ID_NUMBER, blank=True)
    id_number_digest = PersonalDigestField(source="id_number")
    slot = models.PositiveSmallIntegerField(_("voucher of this person"), default=1)
    residence_region = models.ForeignKey(
        "core.Region",
        verbose_name=_("declared district of residence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.CLAIMED
    )
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now, db_index=True)
    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)
    merchant = models.ForeignKey(
        Merchant,
        verbose_name=_("redeemed at merchant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vouchers",
    )
    spend = AmountField(_("spend"), null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("redeemed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    origin = OriginField()

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "id_number_digest", "slot"], name="voucher_one_per_slot"
            ),
            models.CheckConstraint(condition=Q(slot__gte=1), name="voucher_slot_positive"),
            models.CheckConstraint(
                condition=Q(status=VoucherStatus.CLAIMED)
                | Q(redeemed_at__isnull=False, merchant__isnull=False, spend__isnull=False),
                name="voucher_redeemed_complete",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="voucher_campaign_status")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.code[:4]}…"

    def is_expired(self, now: datetime.datetime) -> bool:
        return self.status == VoucherStatus.CLAIMED and now >= self.campaign.valid_until


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` a client sent with a claim: replays return the first answer.

    ``request_hash`` is keyed (HMAC), since the body holds an ID number."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    completed = models.BooleanField(default=False)
    voucher = models.ForeignKey(
        Voucher, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class PersonalDataAccess(models.Model):
    """Append-only: one row each time someone saw a voucher holder's ID number unmasked."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("viewer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    voucher = models.ForeignKey(
        Voucher,
        verbose_name=_("voucher"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    campaign = models.ForeignKey(
        VoucherCampaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="+"
    )
    field = models.CharField(_("field"), max_length=40)
    reason = models.CharField(_("reason"), max_length=200)
    viewed_at = models.DateTimeField(_("viewed at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.viewer} · {self.field} · {self.viewed_at:%Y-%m-%d %H:%M}"
