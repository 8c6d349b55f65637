"""Input validation for the tourism pages."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xiqia.core.models import Region, RegionLevel
from xiqia.tourism.models import (
    RESIDENCY_RULE,
    AllocationMode,
    Merchant,
    Proof,
    ResidentDiscountPolicy,
    ScenicSpot,
    VoucherCampaign,
)


class ClaimForm(forms.Form):
    holder_name = forms.CharField(
        label=_("Name on the ID card"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "name", "class": "form-control"}),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=32,
        help_text=_(
            "18 characters; spaces and hyphens are ignored. Checked by its check digit, date "
            "of birth and region code; stored encrypted."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "text", "class": "form-control"}
        ),
    )
    residence_region = forms.ModelChoiceField(
        label=_("District you live in"),
        queryset=Region.objects.none(),
        required=False,
        help_text=RESIDENCY_RULE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    # One key per form shown (first-come campaigns): the same details sent twice from it, a
    # double tap or a retry after a timeout, give back the one claim instead of a refusal.
    claim_key = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, campaign: VoucherCampaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if campaign.allocation_mode == AllocationMode.FCFS:
            self.fields["claim_key"].initial = uuid.uuid4().hex
        else:  # a lottery's registration form
            del self.fields["claim_key"]
        eligible = list(campaign.eligible_regions.all())
        if eligible:
            self.fields["residence_region"].queryset = Region.objects.filter(
                pk__in=[r.pk for r in eligible]
            )
            self.fields["residence_region"].required = True
        else:
            del self.fields["residence_region"]


class RedeemForm(forms.Form):
    merchant = forms.ModelChoiceField(
        label=_("Merchant"),
        queryset=Merchant.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    code = forms.CharField(
        label=_("Voucher code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg font-monospace",
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
    spend = forms.DecimalField(
        label=_("Amount spent (yuan)"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(
            attrs={"class": "form-control form-control-lg", "inputmode": "decimal", "step": "0.01"}
        ),
    )

    def __init__(self, *args: Any, merchants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merchant"].queryset = merchants


class DiscountDecisionForm(forms.Form):
    """What gate staff record: the class of proof and the district it shows. Never the number."""

    policy = forms.ModelChoiceField(
        label=_("Discount"),
        queryset=ResidentDiscountPolicy.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    proof = forms.ChoiceField(
        label=_("Proof shown"), choices=Proof.choices, widget=forms.RadioSelect
    )
    region = forms.ModelChoiceField(
        label=_("District of residence shown on the proof"),
        queryset=Region.objects.none(),
        help_text=RESIDENCY_RULE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    gate = forms.CharField(
        label=_("Gate"), max_length=60, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args: Any, spot: ScenicSpot, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = spot.discount_policies.all()
        # Districts of Chongqing and Sichuan in force: where the visitors of these spots live.
        self.fields["region"].queryset = (
            Region.objects.current()
            .filter(level=RegionLevel.COUNTY, code__regex=r"^5[01]")
            .order_by("code")
        )
