"""Input validation for the matchmaking pages."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiqia.core.models import Region
from xiqia.directory.models import Industry
from xiqia.fair.forms import day_label, fair_days
from xiqia.fair.models import Fair
from xiqia.matchmaking.models import (
    InvestmentSize,
    Language,
    Need,
    Outcome,
    ParticipantRole,
    Profile,
    ProposalPolicy,
)

# Half-days a participant can tick as "available" (local times).
HALVES = {
    "am": (datetime.time(8, 0), datetime.time(12, 30)),
    "pm": (datetime.time(12, 30), datetime.time(18, 30)),
}


def _local(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def region_choices() -> Any:
    """Provinces, and the districts of Chongqing and Chengdu: the regions the fair is about."""
    return (
        Region.objects.current()
        .filter(Q(level="province") | Q(code__startswith="50") | Q(code__startswith="5101"))
        .order_by("code")
    )


class ProfileForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=ParticipantRole.choices)
    industries = forms.ModelMultipleChoiceField(
        label=_("industries"),
        queryset=Industry.objects.order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    offers = forms.MultipleChoiceField(
        label=_("offers"), choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    seeks = forms.MultipleChoiceField(
        label=_("seeks"), choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    offers_text = forms.CharField(
        label=_("what we offer, in your words"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Chinese or English."),
    )
    seeks_text = forms.CharField(
        label=_("what we seek, in your words"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Chinese or English."),
    )
    investment_size = forms.ChoiceField(
        label=_("investment size"),
        choices=[("", "—"), *InvestmentSize.choices],
        required=False,
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("regions of interest"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    languages = forms.MultipleChoiceField(
        label=_("languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label=_("When can you meet?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none if you can meet at any time during the fair."),
    )
    is_visible = forms.BooleanField(
        label=_("shown to other participants"), required=False, initial=True
    )

    def __init__(self, *args: Any, fair: Fair, profile: Profile | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fair = fair
        self.fields["regions"].queryset = region_choices()  # type: ignore[attr-defined]
        self.fields["availability"].choices = [  # type: ignore[attr-defined]
            (f"{day.isoformat()}:{half}", f"{day_label(day)} {label}")
            for day in fair_days(fair)
            for half, label in (("am", _("morning")), ("pm", _("afternoon")))
        ]
        for name in ("role", "investment_size", "industries", "regions"):
            self.fields[name].widget.attrs["class"] = "form-select"
        for name in ("offers_text", "seeks_text"):
            self.fields[name].widget.attrs["class"] = "form-control"
        if profile is not None and not self.is_bound:
            self.initial.update(
                role=profile.role,
                industries=list(profile.industries.all()),
                offers=profile.offers,
                seeks=profile.seeks,
                offers_text=profile.offers_text,
                seeks_text=profile.seeks_text,
                investment_size=profile.investment_size,
                regions=list(profile.regions.all()),
                languages=profile.languages,
                is_visible=profile.is_visible,
                availability=self._halves(profile),
            )

    def _halves(self, profile: Profile) -> list[str]:
        windows = list(profile.windows.all())
        ticked = []
        for day in fair_days(self.fair):
            for half, (begins, ends) in HALVES.items():
                start, end = _local(day, begins), _local(day, ends)
                if any(w.starts_at <= start and end <= w.ends_at for w in windows):
                    ticked.append(f"{day.isoformat()}:{half}")
        return ticked

    def windows(self) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """Return the ticked half-days as windows, adjacent ones joined."""
        spans = []
        for value in sorted(self.cleaned_data["availability"]):
            day_text, half = value.split(":")
            day = datetime.date.fromisoformat(day_text)
            begins, ends = HALVES[half]
            spans.append((_local(day, begins), _local(day, ends)))
        joined: list[tuple[datetime.datetime, datetime.datetime]] = []
        for start, end in spans:
            if joined and joined[-1][1] == start:
                joined[-1] = (joined[-1][0], end)
            else:
                joined.append((start, end))
        return joined


class RequestForm(forms.Form):
    message = forms.CharField(
        label=_("message"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[c for c in Outcome.choices if c[0]],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("outcome note"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class SlotSeriesForm(forms.Form):
    """Add a run of equal slots on one day."""

    day = forms.TypedChoiceField(label=_("Day"), coerce=datetime.date.fromisoformat)
    first = forms.TimeField(
        label=_("first slot starts"),
        initial=datetime.time(9, 0),
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}),
    )
    minutes = forms.IntegerField(
        label=_("minutes per slot"), min_value=10, max_value=240, initial=30
    )
    count = forms.IntegerField(label=_("number of slots"), min_value=1, max_value=30, initial=6)

    def __init__(self, *args: Any, fair: Fair, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [  # type: ignore[attr-defined]
            (day.isoformat(), day_label(day)) for day in fair_days(fair)
        ]
        self.fields["day"].widget.attrs["class"] = "form-select"
        for name in ("minutes", "count"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def spans(self) -> list[tuple[datetime.datetime, datetime.datetime]]:
        start = _local(self.cleaned_data["day"], self.cleaned_data["first"])
        step = datetime.timedelta(minutes=self.cleaned_data["minutes"])
        return [
            (start + i * step, start + (i + 1) * step) for i in range(self.cleaned_data["count"])
        ]


class TablesForm(forms.Form):
    """Add numbered tables (T01, T02, ... continuing after the last)."""

    count = forms.IntegerField(label=_("number of tables"), min_value=1, max_value=500, initial=10)
    seats = forms.IntegerField(label=_("seats"), min_value=2, max_value=20, initial=4)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class LateArrivalForm(forms.Form):
    profile = forms.ModelChoiceField(label=_("participant"), queryset=Profile.objects.none())
    arrives_at = forms.DateTimeField(
        label=_("arrives at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}),
    )

    def __init__(self, *args: Any, fair: Fair, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = (  # type: ignore[attr-defined]
            Profile.objects.filter(registration__fair=fair)
            .select_related("registration__person", "registration__organisation")
            .order_by("registration__person__full_name")
        )
        self.fields["profile"].widget.attrs["class"] = "form-select"


def _fair_profiles(fair: Fair) -> Any:
    return (
        Profile.objects.filter(registration__fair=fair)
        .select_related("registration__person", "registration__organisation")
        .order_by("registration__person__full_name", "pk")
    )


class ProposeForm(forms.Form):
    """An organiser proposes that two participants meet."""

    sender = forms.ModelChoiceField(label=_("first participant"), queryset=Profile.objects.none())
    recipient = forms.ModelChoiceField(
        label=_("second participant"), queryset=Profile.objects.none()
    )
    message = forms.CharField(
        label=_("message to both"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args: Any, fair: Fair, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("sender", "recipient"):
            self.fields[name].queryset = _fair_profiles(fair)  # type: ignore[attr-defined]
            self.fields[name].widget.attrs["class"] = "form-select"


class ProposalPolicyForm(forms.Form):
    organiser_proposals = forms.ChoiceField(
        label=_("organiser proposals"), choices=ProposalPolicy.choices
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organiser_proposals"].widget.attrs["class"] = "form-select"
