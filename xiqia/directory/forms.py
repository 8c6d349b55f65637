"""Input validation for the directory pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xiqia.core.models import Region
from xiqia.directory.models import ORGANISATION_FIELDS, Industry, Organisation, OrganisationKind


class OrganisationForm(forms.ModelForm):
    """Validate an organisation's entry; the service decides whether it may be saved."""

    class Meta:
        model = Organisation
        fields = [*ORGANISATION_FIELDS, "industries"]
        widgets = {
            "description_zh": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "industries": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, regions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        region_field.queryset = regions if regions is not None else Region.objects.current()  # type: ignore[attr-defined]
        self.fields["parent"].queryset = Organisation.objects.select_related("region")  # type: ignore[attr-defined]
        self.fields["industries"].queryset = Industry.objects.filter(parent__isnull=True)  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            if name != "industries":
                field.widget.attrs.setdefault(
                    "class",
                    "form-select" if isinstance(field.widget, forms.Select) else "form-control",
                )


class OrganisationFilterForm(forms.Form):
    """The directory browser's filters."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrganisationKind.choices]
    )
    region = forms.CharField(label=_("Region code"), required=False, max_length=6)
    industry = forms.ModelChoiceField(
        label=_("Industry"),
        required=False,
        queryset=Industry.objects.all(),
        to_field_name="code",
        empty_label=_("All industries"),
    )


class RegionSearchForm(forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False, max_length=50)
    year = forms.IntegerField(
        label=_("In force in year"), required=False, min_value=1949, max_value=2100
    )
