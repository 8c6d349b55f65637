"""Government-service API: the catalogue (public) and cases (scoped), moved by the same services.

A case moves with ``POST /api/v1/govservice/cases/{id}/actions/{action}/``: the action's input
is validated by the same form as the page's, and the same service applies the transition
table, so the API refuses exactly what the pages refuse.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from xiqia.accounts import access
from xiqia.core.api import ScopedViewSetMixin
from xiqia.govservice import green_channel, selectors
from xiqia.govservice.forms import action_form
from xiqia.govservice.models import Case, EnterpriseRequest, LimitClass, Matter, MatterVersion
from xiqia.govservice.transitions import Action
from xiqia.govservice.views import SERVICES


class MaterialOutput(serializers.Serializer):
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    form = serializers.CharField()
    copies = serializers.IntegerField()


class VersionOutput(serializers.ModelSerializer):
    materials = MaterialOutput(many=True)

    class Meta:
        model = MatterVersion
        fields = [
            "number",
            "name_zh",
            "name_en",
            "matter_type",
            "department_zh",
            "department_en",
            "conditions",
            "handling_mode",
            "statutory_days",
            "committed_days",
            "fee",
            "fee_note",
            "result_type",
            "materials",
        ]


class MatterOutput(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")
    current_version = VersionOutput()

    class Meta:
        model = Matter
        fields = ["id", "code", "region", "is_illustrative", "origin", "current_version"]


class MatterViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The catalogue of matters, each with its version in force and required materials."""

    serializer_class = MatterOutput

    def base_queryset(self) -> Any:
        return (
            Matter.objects.select_related("region")
            .prefetch_related(
                Prefetch(
                    "versions",
                    queryset=MatterVersion.objects.filter(is_current=True).prefetch_related(
                        "materials"
                    ),
                )
            )
            .order_by("code")
        )


class CaseOutput(serializers.ModelSerializer):
    matter = serializers.CharField(source="matter_version.matter.code")
    matter_version = serializers.IntegerField(source="matter_version.number")
    matter_name = serializers.CharField(source="matter_version.name")
    receiving_region = serializers.CharField(source="receiving_region.code")
    handling_region = serializers.CharField(source="handling_region.code")
    receiving_window = serializers.CharField(source="receiving_window.code")
    applicant_name = serializers.SerializerMethodField(
        help_text="In full only for staff posted in one of the case's districts; else masked."
    )
    applicant_phone = serializers.CharField(help_text="Masked.")

    def get_applicant_name(self, case: Case) -> str:
        posts = self.context.get("posts")
        user = self.context["request"].user if "request" in self.context else None
        return selectors.applicant_name_for(user, case, posts)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "matter",
            "matter_version",
            "matter_name",
            "applicant_name",
            "applicant_phone",
            "receiving_window",
            "receiving_region",
            "handling_region",
            "state",
            "received_at",
            "accepted_on",
            "deadline",
            "deadline_provisional",
            "extension_days",
            "courier",
            "waybill",
            "review_at",
            "decision",
            "decision_document",
            "origin",
        ]


def case_action_input(form: Any, data: Any) -> serializers.Serializer:
    """The body of a case action, typed at the API's boundary before the action's form sees it.

    A JSON object whose keys are the action form's fields: several choices as a list of strings,
    every other value as text. What is not of that shape (a list body, an object where text is
    expected) is refused with 400 and the field named; the form then applies the action's rules.
    """
    fields: dict[str, serializers.Field] = {}
    for name, field in form.fields.items():
        if isinstance(
            field, django_forms.MultipleChoiceField | django_forms.ModelMultipleChoiceField
        ):
            fields[name] = serializers.ListField(child=serializers.CharField(), required=False)
        elif isinstance(field, django_forms.BooleanField):
            fields[name] = serializers.BooleanField(required=False)
        elif not isinstance(field, django_forms.FileField):
            fields[name] = serializers.CharField(
                required=False, allow_blank=True, trim_whitespace=False
            )
    serializer_class = type("CaseActionInput", (serializers.Serializer,), fields)
    return serializer_class(data=data)


class CaseViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Cases of the districts in the user's reach."""

    serializer_class = CaseOutput
    permission_classes = [permissions.IsAuthenticated]

    def get_serializer_context(self) -> dict[str, Any]:
        # The user's posts, read once per request, decide whose names are shown in full.
        posts = selectors.posts_of(getattr(self.request, "user", None))
        return {**super().get_serializer_context(), "posts": posts}

    def base_queryset(self) -> Any:
        return Case.objects.select_related(
            "matter_version__matter", "receiving_region", "handling_region", "receiving_window"
        ).order_by("-received_at", "-id")

    @extend_schema(request=None, responses=CaseOutput)
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_]+)")
    def act(self, request: Request, pk: str, name: str) -> Response:
        """Take one action of the transition table (precheck, accept, dispatch, decide, …)."""
        try:
            chosen = Action(name)
        except ValueError:
            raise NotFound from None
        if chosen not in SERVICES:
            raise NotFound
        case = self.get_object()
        if not access.allows(request, access.Action.CHANGE, case):
            raise PermissionDenied
        body = case_action_input(action_form(chosen, case), request.data)
        body.is_valid(raise_exception=True)
        data = {f"{chosen.value}-{key}": value for key, value in body.validated_data.items()}
        form = action_form(chosen, case, data)
        if not form.is_valid():
            raise ValidationError(
                {key: [str(e) for e in errors] for key, errors in form.errors.items()}
            )
        try:
            SERVICES[chosen](case, request.user, form.cleaned_data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc
        case = self.base_queryset().get(pk=case.pk)
        return Response(
            {
                **CaseOutput(case, context=self.get_serializer_context()).data,
                "allowed_actions": selectors.allowed_actions(request.user, case),
            }
        )


# The enterprise green channel ------------------------------------------------------------------


class EnterpriseRequestOutput(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")
    contact_name = serializers.SerializerMethodField(
        help_text="In full only for officers of the request's district; else masked."
    )
    contact_phone = serializers.CharField(help_text="Masked.")
    body = serializers.SerializerMethodField(
        help_text="ID and mobile numbers in it as typed only for officers of the request's "
        "district; else masked."
    )
    answer = serializers.SerializerMethodField(help_text="Numbers in it masked as in body.")

    class Meta:
        model = EnterpriseRequest
        fields = [
            "id",
            "number",
            "kind",
            "region",
            "enterprise_name",
            "contact_name",
            "contact_phone",
            "subject",
            "body",
            "limit_class",
            "state",
            "department",
            "received_at",
            "due_at",
            "remind_at",
            "due_provisional",
            "answer",
            "answered_at",
            "closed_at",
            "grade",
            "origin",
        ]

    def get_contact_name(self, item: EnterpriseRequest) -> str:
        request = self.context.get("request")
        return selectors.contact_name_for(getattr(request, "user", None), item)

    def get_body(self, item: EnterpriseRequest) -> str:
        request = self.context.get("request")
        return selectors.free_text_for(getattr(request, "user", None), item, item.body)

    def get_answer(self, item: EnterpriseRequest) -> str:
        request = self.context.get("request")
        return selectors.free_text_for(getattr(request, "user", None), item, item.answer)


class RequestActionInput(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    limit_class = serializers.ChoiceField(
        choices=LimitClass.choices, required=False, allow_blank=True
    )


class RequestViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Green-channel requests of the districts in the user's reach, soonest limit first."""

    serializer_class = EnterpriseRequestOutput
    permission_classes = [permissions.IsAuthenticated]

    def base_queryset(self) -> Any:
        return EnterpriseRequest.objects.select_related("region").order_by("due_at", "id")

    @extend_schema(request=RequestActionInput, responses=EnterpriseRequestOutput)
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_]+)")
    def act(self, request: Request, pk: str, name: str) -> Response:
        """Take one officer action: dispatch (text = department), handle, answer, close."""
        if name not in green_channel.OFFICER_ACTIONS:
            raise NotFound
        item = self.get_object()
        if not access.allows(request, access.Action.CHANGE, item):
            raise PermissionDenied
        data = RequestActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            moved = green_channel.request_act(
                request=item,
                action=name,
                actor=request.user,
                text=data.validated_data.get("text", ""),
                limit_class=data.validated_data.get("limit_class", ""),
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc
        moved = self.base_queryset().get(pk=moved.pk)
        return Response(
            {
                **EnterpriseRequestOutput(moved, context=self.get_serializer_context()).data,
                "allowed_actions": selectors.request_actions(request.user, moved),
            }
        )
