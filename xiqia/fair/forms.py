"""Input validation for the fair's public and participant pages."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from xiqia.fair.models import Category, Event, EventKind, Fair

# Categories a person may choose for themself; staff and VIP passes are the organisers' to give.
SELF_SERVICE_CATEGORIES = [
    (value, label)
    for value, label in Category.choices
    if value not in {Category.STAFF, Category.VIP}
]


def fair_days(fair: Fair) -> list[datetime.date]:
    """Return every day of the fair, first to last."""
    span = (fair.ends_on - fair.starts_on).days
    return [fair.starts_on + datetime.timedelta(days=n) for n in range(span + 1)]


def day_label(day: datetime.date) -> str:
    """Return a short label for a day of the fair: its month, day and weekday."""
    return f"{date_format(day, 'MONTH_DAY_FORMAT')} {date_format(day, 'l')}"


class AgendaFilterForm(forms.Form):
    """The agenda's filters: one kind of event, one day of the fair."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *EventKind.choices]
    )
    day = forms.TypedChoiceField(
        label=_("Day"),
        required=False,
        coerce=datetime.date.fromisoformat,
        empty_value=None,
    )

    def __init__(self, *args: Any, fair: Fair, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [  # type: ignore[attr-defined]
            ("", _("All days")),
            *((day.isoformat(), day_label(day)) for day in fair_days(fair)),
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class EventChoiceField(forms.ModelMultipleChoiceField):
    """The fair's events as checkboxes; the template shows each one's time and seats."""

    widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input mt-1"})

    def label_from_instance(self, obj: Event) -> str:
        return obj.title


class RegistrationForm(forms.Form):
    """What a person tells the organisers when registering for a fair."""

    category = forms.ChoiceField(
        label=_("I attend as"), choices=SELF_SERVICE_CATEGORIES, initial=Category.GUEST
    )
    organisation_name = forms.CharField(
        label=_("Organisation"),
        required=False,
        max_length=200,
        help_text=_("As it should appear on your badge."),
    )
    job_title = forms.CharField(label=_("Job title"), required=False, max_length=100)
    events = EventChoiceField(
        label=_("Events I want to attend"),
        required=False,
        queryset=Event.objects.none(),
        help_text=_(
            "Seats are given in the order people ask for them; when an event is full you join "
            "its waitlist and move up as seats are freed."
        ),
    )
    note = forms.CharField(
        label=_("Note to the organisers"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, events: QuerySet[Event], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["events"].queryset = events  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            if name != "events":
                field.widget.attrs.setdefault(
                    "class",
                    "form-select" if isinstance(field.widget, forms.Select) else "form-control",
                )
