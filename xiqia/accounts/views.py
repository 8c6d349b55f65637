"""Sign-in, profile and the people list."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xiqia.accounts import access, selectors, services
from xiqia.accounts.forms import LoginForm, PeopleFilterForm, ProfileForm
from xiqia.accounts.models import User
from xiqia.accounts.policies import may_list_people
from xiqia.core.errors import DomainError, add_to_form


def _remember_language(response: HttpResponse, user: User) -> HttpResponse:
    """Make the person's preferred language the interface's, as the language switch does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.preferred_language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        return _remember_language(super().form_valid(form), form.get_user())


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ProfileForm(
        request.POST or None,
        initial={
            "full_name": user.full_name,
            "email": user.email,
            "preferred_language": user.preferred_language,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.user_update_profile(user=user, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Your profile was saved."))
            return _remember_language(redirect("accounts:profile"), updated)
    memberships = user.memberships.select_related("organisation", "region")
    return render(
        request, "accounts/profile.html", {"form": form, "memberships": memberships, "person": user}
    )


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    principal = access.principal_for(request.user)
    # Roles that may see only themselves have a profile page, not a people list.
    if not may_list_people(principal):
        raise PermissionDenied
    form = PeopleFilterForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    page = Paginator(selectors.people_list(who=principal, q=q), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/people_list.html", {"form": form, "page": page})
