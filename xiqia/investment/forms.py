"""Input validation for the investment pages. The forms parse; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xiqia.accounts import access
from xiqia.accounts.models import Membership, Role, User
from xiqia.core.models import Region
from xiqia.core.money import AMOUNT_UNITS, to_yuan
from xiqia.directory.models import Industry, Organisation
from xiqia.fair.models import Event
from xiqia.investment.models import (
    Cluster,
    DealDocumentKind,
    DealKind,
    EvidenceKind,
    Park,
    Project,
    ProjectStatus,
    Step,
)

UNIT_CHOICES = [
    ("wan", _("10,000 yuan (万元)")),
    ("yi", _("100 million yuan (亿元)")),
    ("yuan", _("yuan")),
]


def style(form: forms.Form) -> None:
    """Give every widget its Bootstrap class (checkboxes excepted)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def investment_regions() -> QuerySet[Region]:
    """Return the regions that offer something: a cluster, a park or a project."""
    return (
        Region.objects.filter(
            Q(investment_clusters__isnull=False)
            | Q(investment_parks__isnull=False)
            | Q(investment_projects__isnull=False)
        )
        .distinct()
        .order_by("code", "valid_from")
    )


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        label = f"{obj.name} ({obj.code})"
        return label if obj.is_current else f"{label} · {obj.period_label}"


class CatalogueFilterForm(forms.Form):
    """The public catalogue's search box and filters."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    region = RegionChoiceField(
        label=_("Region"),
        required=False,
        queryset=Region.objects.none(),
        empty_label=_("All regions"),
    )
    park = forms.ModelChoiceField(
        label=_("Park"), required=False, queryset=Park.objects.none(), empty_label=_("All parks")
    )
    cluster = forms.ModelChoiceField(
        label=_("Industry cluster"),
        required=False,
        queryset=Cluster.objects.none(),
        empty_label=_("All clusters"),
    )
    industry = forms.ModelChoiceField(
        label=_("Industry"),
        required=False,
        queryset=Industry.objects.none(),
        to_field_name="code",
        empty_label=_("All industries"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *ProjectStatus.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = investment_regions()  # type: ignore[attr-defined]
        self.fields["park"].queryset = Park.objects.order_by("region__code", "name_zh")  # type: ignore[attr-defined]
        self.fields["cluster"].queryset = Cluster.objects.order_by("region__code", "name_zh")  # type: ignore[attr-defined]
        self.fields["industry"].queryset = Industry.objects.filter(parent__isnull=True)  # type: ignore[attr-defined]
        style(self)


def officer_regions(who: Any) -> QuerySet[Region]:
    """Return the regions ``who`` may enter records for (an administrator: every region)."""
    principal = access.principal_for(getattr(who, "user", who))
    regions = Region.objects.all()
    if not principal.is_admin:
        regions = regions.filter(principal.region_q("code"))
    return regions.order_by("code", "valid_from")


class AmountMixin:
    """An amount typed in 元, 万元 or 亿元, cleaned to yuan in ``cleaned_data[name]``."""

    amount_fields: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean()  # type: ignore[misc]
        for name in self.amount_fields:
            value, unit = data.get(name), data.get(f"{name}_unit") or "wan"
            if value is not None:
                data[name] = to_yuan(value, unit)
        return data


def amount_field(label: Any, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=18, decimal_places=2, min_value=Decimal(0)
    )


def unit_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES, initial="wan")


def _yuan_in(amount: Decimal | None, unit: str) -> Decimal | None:
    if amount is None:
        return None
    return (amount / AMOUNT_UNITS[unit]).normalize()


class ProjectForm(AmountMixin, forms.ModelForm):
    """A catalogue project as an officer enters it."""

    amount_fields = ("investment_sought",)

    investment_sought = amount_field(_("Investment sought"), required=False)
    investment_sought_unit = unit_field()
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        required=False,
        max_length=30,
        help_text=_("Shown masked to the public."),
    )
    is_published = forms.BooleanField(label=_("Show in the public catalogue"), required=False)

    class Meta:
        model = Project
        fields = [
            "region",
            "park",
            "cluster",
            "industry",
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "investment_sought",
            "land_area_m2",
            "contact_name",
            "contact_email",
            "status",
        ]
        field_classes = {"region": RegionChoiceField}
        widgets = {
            "description_zh": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, who: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = officer_regions(who)
        instance = self.instance
        if instance.pk:
            self.fields["is_published"].initial = instance.is_published
            if instance.investment_sought is not None:
                self.initial["investment_sought"] = _yuan_in(instance.investment_sought, "wan")
            if instance.contact_phone:
                self.fields["contact_phone"].help_text = _(
                    "Now %(masked)s. Leave empty to keep it."
                ) % {"masked": instance.contact_phone.masked}
        self.fields["region"].queryset = regions.filter(valid_to__isnull=True) | (  # type: ignore[attr-defined]
            Region.objects.filter(pk=instance.region_id) if instance.pk else Region.objects.none()
        )
        self.fields["park"].queryset = access.scope(  # type: ignore[attr-defined]
            who, Park.objects.select_related("region"), access.Action.CHANGE
        )
        self.fields["cluster"].queryset = access.scope(  # type: ignore[attr-defined]
            who, Cluster.objects.select_related("region"), access.Action.CHANGE
        )
        self.fields["industry"].queryset = Industry.objects.filter(parent__isnull=True)  # type: ignore[attr-defined]
        # The form's field order: the amount's unit right after the amount.
        order = list(self.fields)
        order.remove("investment_sought_unit")
        order.insert(order.index("investment_sought") + 1, "investment_sought_unit")
        self.order_fields(order)
        style(self)

    def _post_clean(self) -> None:
        # The service validates the project (full_clean included); don't let the ModelForm
        # construct and check an instance of its own before.
        pass

    def service_fields(self) -> dict[str, Any]:
        """Return the cleaned values as ``project_create``/``project_update`` take them."""
        data = {name: self.cleaned_data[name] for name in self._meta.fields}  # type: ignore[union-attr]
        phone = self.cleaned_data.get("contact_phone", "")
        if phone:
            data["contact_phone"] = phone
        return data


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Event) -> str:
        return f"{obj.fair.short_name} · {obj.starts_at:%Y-%m-%d} · {obj.title}"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


def officers_of(region_codes: list[str] | None = None) -> QuerySet[User]:
    """Return the district officers (of regions starting with one of ``region_codes``)."""
    memberships = Membership.objects.filter(role=Role.DISTRICT_OFFICER)
    if region_codes:
        q = Q(pk__in=[])
        for code in region_codes:
            q |= Q(region__code__startswith=code)
        memberships = memberships.filter(q)
    return User.objects.filter(is_active=True, pk__in=memberships.values("user")).order_by(
        "username"
    )


class DealForm(AmountMixin, forms.Form):
    """A signing as an officer records it, with its agreement attached."""

    amount_fields = ("amount",)

    investor = forms.ModelChoiceField(label=_("Investor"), queryset=Organisation.objects.none())
    host_region = RegionChoiceField(label=_("Host region"), queryset=Region.objects.none())
    park = forms.ModelChoiceField(label=_("Park"), required=False, queryset=Park.objects.none())
    cluster = forms.ModelChoiceField(
        label=_("Industry cluster"), required=False, queryset=Cluster.objects.none()
    )
    project = forms.ModelChoiceField(
        label=_("Catalogue project"),
        required=False,
        queryset=Project.objects.none(),
        help_text=_("Empty: a project not in the catalogue; give its title below."),
    )
    title_zh = forms.CharField(label=_("Title (Chinese)"), required=False, max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), required=False, max_length=200)
    amount = amount_field(_("Amount"))
    amount_unit = unit_field()
    kind = forms.ChoiceField(label=_("Kind"), choices=DealKind.choices)
    signed_at = forms.DateField(
        label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    event = EventChoiceField(
        label=_("Signed at event"),
        required=False,
        queryset=Event.objects.none(),
        empty_label=_("Outside a fair"),
    )
    document = forms.FileField(label=_("Signed agreement"), required=False)
    document_kind = forms.ChoiceField(
        label=_("Kind of document"), choices=DealDocumentKind.choices, initial="agreement"
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, who: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["investor"].queryset = Organisation.objects.order_by("name_zh")  # type: ignore[attr-defined]
        self.fields["host_region"].queryset = officer_regions(who)  # type: ignore[attr-defined]
        for name, model in (("park", Park), ("cluster", Cluster), ("project", Project)):
            self.fields[name].queryset = access.scope(  # type: ignore[attr-defined]
                who, model.objects.select_related("region"), access.Action.CHANGE
            )
        self.fields["event"].queryset = Event.objects.select_related("fair").order_by(  # type: ignore[attr-defined]
            "-fair__starts_on", "starts_at"
        )
        style(self)


class DealEditForm(AmountMixin, forms.Form):
    """The corrections an officer may make to a recorded deal (``services.deal_update``)."""

    amount_fields = ("amount",)

    park = forms.ModelChoiceField(label=_("Park"), required=False, queryset=Park.objects.none())
    cluster = forms.ModelChoiceField(
        label=_("Industry cluster"), required=False, queryset=Cluster.objects.none()
    )
    title_en = forms.CharField(label=_("Title (English)"), required=False, max_length=200)
    amount = amount_field(_("Amount"))
    amount_unit = unit_field()
    officer = UserChoiceField(
        label=_("Responsible officer"), queryset=User.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, who: Any, deal: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "park": deal.park_id,
                "cluster": deal.cluster_id,
                "title_en": deal.title_en,
                "amount": _yuan_in(deal.amount, "wan"),
                "amount_unit": "wan",
                "officer": deal.officer_id,
                "note": deal.note,
            },
        )
        super().__init__(*args, **kwargs)
        for name, model in (("park", Park), ("cluster", Cluster)):
            self.fields[name].queryset = access.scope(  # type: ignore[attr-defined]
                who, model.objects.select_related("region"), access.Action.CHANGE
            )
        officers = officers_of([deal.host_region.code[:4]])
        if deal.officer_id:  # keep the current one choosable, whoever it is
            officers = officers | User.objects.filter(pk=deal.officer_id)
        self.fields["officer"].queryset = officers.distinct()  # type: ignore[attr-defined]
        style(self)

    def changes(self) -> dict[str, Any]:
        """Return the cleaned values as ``services.deal_update`` takes them."""
        names = ("park", "cluster", "title_en", "amount", "officer", "note")
        return {name: self.cleaned_data[name] for name in names}


class DealDocumentForm(forms.Form):
    """A document attached to a deal after it was recorded."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, OFD, JPEG, PNG, Word or Excel; checked by content."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of document"), choices=DealDocumentKind.choices, initial="agreement"
    )
    title = forms.CharField(
        label=_("Title"), required=False, max_length=200, help_text=_("Empty: the file's name.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class MilestoneForm(forms.Form):
    """The next step of a deal's landing, with its evidence."""

    step = forms.ChoiceField(label=_("Step"), choices=Step.choices)
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    evidence = forms.FileField(label=_("Evidence"), required=False)
    evidence_kind = forms.ChoiceField(label=_("Kind of evidence"), choices=EvidenceKind.choices)
    officer = UserChoiceField(
        label=_("Responsible officer"), queryset=User.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, region_code: str, next_step: str | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steps = [(value, label) for value, label in Step.choices]
        if next_step:
            self.fields["step"].initial = next_step
        self.fields["step"].choices = steps  # type: ignore[attr-defined]
        self.fields["officer"].queryset = officers_of([region_code[:4]])  # type: ignore[attr-defined]
        style(self)


class FundsForm(AmountMixin, forms.Form):
    """The funds in place of a deal so far."""

    amount_fields = ("funds",)

    funds = amount_field(_("Funds in place"))
    funds_unit = unit_field()
    as_of = forms.DateField(
        label=_("As reported on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class DealFilterForm(forms.Form):
    """The deal list's filters. A district officer's list starts at their own district
    (``scope`` "mine", also when absent); "all" widens it to every deal they may see."""

    region = RegionChoiceField(
        label=_("Region"),
        required=False,
        queryset=Region.objects.none(),
        empty_label=_("All regions"),
    )
    cluster = forms.ModelChoiceField(
        label=_("Industry cluster"),
        required=False,
        queryset=Cluster.objects.none(),
        empty_label=_("All clusters"),
    )
    year = forms.IntegerField(
        label=_("Year signed"), required=False, min_value=1949, max_value=2100
    )
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("", _("All stages")), ("signed", _("signed")), *Step.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue to start only"), required=False)
    scope = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("mine", _("My district")), ("all", _("All I may see"))],
    )

    def __init__(self, *args: Any, district_officer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.district_officer = district_officer
        if not district_officer:  # leaders and analysts see every deal; nothing to widen
            del self.fields["scope"]
        self.fields["region"].queryset = (
            investment_regions()
            | Region.objects.filter(  # type: ignore[attr-defined]
                investment_deals__isnull=False
            ).distinct()
        )
        self.fields["cluster"].queryset = Cluster.objects.order_by("region__code", "name_zh")  # type: ignore[attr-defined]
        style(self)

    def mine_only(self) -> bool:
        """Return whether to keep the officer's own district (the default for officers)."""
        if not self.district_officer:
            return False
        if self.is_bound and self.is_valid() and self.cleaned_data.get("region"):
            return False  # a region chosen explicitly is shown as chosen
        scope = self.cleaned_data.get("scope") if self.is_bound and self.is_valid() else ""
        return scope != "all"


class IndicatorForm(AmountMixin, forms.Form):
    """A cluster's figures for one year, as an officer enters them."""

    amount_fields = ("output_value", "investment")

    year = forms.IntegerField(label=_("Year"), min_value=1949, max_value=2100)
    output_value = amount_field(_("Output value"), required=False)
    output_value_unit = unit_field()
    enterprises = forms.IntegerField(label=_("Enterprises"), required=False, min_value=0)
    investment = amount_field(_("Investment"), required=False)
    investment_unit = unit_field()
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("output_value_unit", "investment_unit"):
            self.fields[name].initial = "yi"
        style(self)
