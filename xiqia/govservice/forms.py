"""Input validation for the government-service pages (the services apply the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xiqia.core.models import Region
from xiqia.govservice.models import (
    Case,
    Decision,
    Grade,
    LimitClass,
    Matter,
    PauseKind,
    RequestKind,
    Window,
)
from xiqia.govservice.transitions import Action


def text(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, widget=forms.TextInput(attrs={"class": "form-control"}), **kwargs
    )


def area(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}), **kwargs
    )


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Case number"),
        max_length=24,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    code = forms.CharField(
        label=_("Verification code"),
        max_length=12,
        help_text=_("On the receipt you were given at the window."),
        widget=forms.PasswordInput(
            attrs={"class": "form-control", "autocomplete": "off", "inputmode": "numeric"}
        ),
    )


class RateForm(forms.Form):
    grade = forms.TypedChoiceField(
        label=_("How satisfied are you with the service?"),
        coerce=int,
        choices=sorted(Grade.choices, reverse=True),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = area(_("Comment"), required=False, max_length=1000)


class ReceiveForm(forms.Form):
    window = forms.ModelChoiceField(
        label=_("Window"),
        queryset=Window.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    matter = forms.ModelChoiceField(
        label=_("Matter"),
        queryset=Matter.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    applicant_name = text(_("Applicant"), max_length=100)
    applicant_phone = text(_("Applicant's mobile number"), max_length=20)
    applicant_id_number = text(_("Applicant's resident ID number"), max_length=32, required=False)

    def __init__(self, *args: Any, windows: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = windows
        if windows.count() == 1:  # a clerk at one window: nothing to choose
            self.fields["window"].empty_label = None
        self.fields["matter"].queryset = (
            Matter.objects.filter(versions__is_current=True)
            .select_related("region")
            .prefetch_related("versions")
            .order_by("region__code", "code")
        )
        self.fields["matter"].label_from_instance = lambda m: f"{m.region.name} · {m}"


class ReasonForm(forms.Form):
    reason = area(_("Reason"), max_length=2000)


class SupplementForm(forms.Form):
    missing = area(
        _("Missing materials"),
        max_length=4000,
        help_text=_("Everything that is missing, one per line: the applicant is told at once."),
    )


class DispatchForm(forms.Form):
    courier = text(_("Courier company"), max_length=60)
    waybill = text(_("Waybill number"), max_length=40)


class DeliverForm(forms.Form):
    received = forms.ModelMultipleChoiceField(
        label=_("Materials received"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received"].queryset = case.matter_version.materials.all()


class PauseForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=PauseKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = area(_("Reason"), max_length=2000)


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        label=_("Working days"),
        min_value=1,
        max_value=10,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    reason = area(_("Reason"), max_length=2000)


class ScheduleReviewForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Time of the joint video review"),
        widget=forms.DateTimeInput(attrs={"class": "form-control", "type": "datetime-local"}),
    )
    participants = area(_("Participants from both districts"), max_length=2000)


class RecordReviewForm(forms.Form):
    minutes = area(_("Minutes"), max_length=8000)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    document = text(_("Decision document number"), max_length=100)
    reason = area(_("Reasons (required for a refusal)"), required=False, max_length=4000)


class EmptyForm(forms.Form):
    pass


ACTION_FORMS: dict[Action, type[forms.Form]] = {
    Action.PRECHECK: EmptyForm,
    Action.REJECT: ReasonForm,
    Action.REQUEST_SUPPLEMENT: SupplementForm,
    Action.RESUBMIT: EmptyForm,
    Action.ACCEPT: EmptyForm,
    Action.DISPATCH: DispatchForm,
    Action.DELIVER: DeliverForm,
    Action.PAUSE: PauseForm,
    Action.RESUME: EmptyForm,
    Action.EXTEND: ExtendForm,
    Action.SCHEDULE_REVIEW: ScheduleReviewForm,
    Action.RECORD_REVIEW: RecordReviewForm,
    Action.DECIDE: DecideForm,
    Action.ISSUE_RESULT: EmptyForm,
    Action.RECOGNISE: EmptyForm,
    Action.CLOSE: EmptyForm,
    Action.WITHDRAW: ReasonForm,
}


def action_form(action: Action, case: Case, data: Any = None) -> forms.Form:
    form_class = ACTION_FORMS[action]
    kwargs: dict[str, Any] = {"prefix": action.value}
    if form_class is DeliverForm:
        kwargs["case"] = case
    return form_class(data, **kwargs)


class FollowUpCloseForm(forms.Form):
    response = area(_("Response to the applicant"), max_length=4000)


# The enterprise green channel ------------------------------------------------------------------


class RequestSubmitForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("District"),
        queryset=Region.objects.none(),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of request"),
        choices=RequestKind.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    enterprise_name = text(_("Enterprise"), max_length=200)
    contact_name = text(_("Contact"), max_length=100)
    contact_phone = text(_("Contact's mobile number"), max_length=20)
    subject = text(_("Subject"), max_length=200)
    body = area(
        _("Your request"),
        max_length=8000,
        help_text=_(
            "Please do not type ID or mobile numbers here: give your mobile number in its own "
            "field. A number typed here is stored encrypted and shown masked (138****8000) to "
            "everyone but the district's officers who handle the request."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The districts with a cross-province window run the green channel.
        self.fields["region"].queryset = Region.objects.filter(
            pk__in=Window.objects.values("region")
        ).order_by("code")


class RequestTrackForm(forms.Form):
    number = forms.CharField(
        label=_("Request number"),
        max_length=24,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    code = forms.CharField(
        label=_("Verification code"),
        max_length=12,
        help_text=_("Shown once when the request was submitted."),
        widget=forms.PasswordInput(
            attrs={"class": "form-control", "autocomplete": "off", "inputmode": "numeric"}
        ),
    )


class RequestDispatchForm(forms.Form):
    text = text(_("Department"), max_length=100)
    limit_class = forms.ChoiceField(
        label=_("Time-limit class"),
        choices=LimitClass.choices,
        help_text=_("Changing the class counts its time limit again from the receipt."),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class RequestHandleForm(forms.Form):
    text = area(_("Handling note"), max_length=8000)


class RequestAnswerForm(forms.Form):
    text = area(_("Answer to the enterprise"), max_length=8000)


REQUEST_ACTION_FORMS: dict[str, type[forms.Form]] = {
    "dispatch": RequestDispatchForm,
    "handle": RequestHandleForm,
    "answer": RequestAnswerForm,
    "close": EmptyForm,
}


def request_action_form(action: str, request: Any, data: Any = None) -> forms.Form:
    initial = {"limit_class": request.limit_class} if action == "dispatch" else None
    return REQUEST_ACTION_FORMS[action](data, prefix=action, initial=initial)
