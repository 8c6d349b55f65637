"""Accounts API: who am I, the people I may see, and tokens."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from xiqia.accounts import access, selectors
from xiqia.accounts.models import Membership, User


class MembershipOutput(serializers.ModelSerializer):
    organisation = serializers.StringRelatedField(allow_null=True)
    region = serializers.CharField(source="region.code", default=None, allow_null=True)

    class Meta:
        model = Membership
        fields = ["role", "organisation", "region", "title"]


class PersonOutput(serializers.ModelSerializer):
    """A person as others see them: phone and ID numbers only ever masked."""

    phone = serializers.CharField(source="phone.masked", default=None, allow_null=True)
    memberships = MembershipOutput(many=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "phone", "memberships"]


class PeopleViewSet(viewsets.ReadOnlyModelViewSet):
    """People the caller may see (by role, region and organisation)."""

    serializer_class = PersonOutput
    permission_classes = [permissions.IsAuthenticated]
    queryset = User.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self) -> Any:
        return selectors.people_list(who=self.request)


class MeOutput(PersonOutput):
    roles = serializers.SerializerMethodField()
    id_number = serializers.CharField(source="id_number.masked", default=None, allow_null=True)

    class Meta(PersonOutput.Meta):
        fields = [*PersonOutput.Meta.fields, "id_number", "preferred_language", "roles"]

    def get_roles(self, user: User) -> list[str]:
        return sorted(access.principal_for(user).roles)


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeOutput)
    def get(self, request: Request) -> Response:
        user = User.objects.prefetch_related(
            "memberships__organisation", "memberships__region"
        ).get(pk=request.user.pk)
        return Response(MeOutput(user).data)


class LoginRateThrottle(AnonRateThrottle):
    scope = "login"


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (locked out like the login page)."""

    throttle_classes = [LoginRateThrottle]
    permission_classes = [permissions.AllowAny]
