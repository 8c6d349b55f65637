"""Input validation for the tourism pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xiqia.core.models import Region
from xiqia.tourism.models import RESIDENCY_RULE, Merchant, VoucherCampaign


class ClaimForm(forms.Form):
    holder_name = forms.CharField(
        label=_("Name on the ID card"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "name", "class": "form-control"}),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=32,
        help_text=_("Checked by its check digit and region code; stored encrypted."),
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

    def __init__(self, *args: Any, campaign: VoucherCampaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
