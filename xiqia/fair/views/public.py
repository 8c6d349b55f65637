"""Fair pages: public and participant (programme, registration, my badge)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path

from xiqia.fair import selectors


def fair_index(request: HttpRequest) -> HttpResponse:
    """Send visitors to the newest published fair (the list page arrives with the public pages)."""
    fair = selectors.fair_list(who=request).first()
    if fair is None:
        return redirect("dashboard:home")
    return redirect("fair:fair-detail", slug=fair.slug)


urlpatterns: list[URLPattern] = [
    path("", fair_index, name="fair-index"),
]
