"""The page an applicant or an enterprise uses to find its case or request without an account.

Cases and green-channel requests are followed the same way: the number and verification code
travel only in a POST body, tries are rate-limited, and the row found is remembered in the
session (key cycled), so no URL ever carries them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xiqia.govservice.ratelimits import track_wait


def add_wait_error(form: forms.Form, wait: float) -> None:
    """Tell the visitor on ``form`` how many seconds to wait before trying again."""
    form.add_error(
        None,
        _("Too many attempts. Try again in %(seconds)s seconds.") % {"seconds": int(wait) + 1},
    )


def track_page(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    find: Callable[[str, str], Any],
    session_key: str,
    found_url: str,
    not_found: str,
    template: str,
) -> HttpResponse:
    """Find a row by number and code with ``find``; remember it and redirect to ``found_url``.

    ``not_found`` is the form's error when no row matches (no hint whether number or code).
    """
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        wait = track_wait(request, request.POST.get("number", ""))
        if wait is not None:
            status = 429
            add_wait_error(form, wait)
        elif form.is_valid():
            found = find(form.cleaned_data["number"], form.cleaned_data["code"])
            if found is not None:
                request.session.cycle_key()
                request.session[session_key] = found.pk
                return redirect(found_url)
            status = 400
            form.add_error(None, not_found)
        else:
            status = 400
    return render(request, template, {"form": form}, status=status)
