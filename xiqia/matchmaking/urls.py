"""Pages of the matchmaking module."""

from django.urls import path  # noqa: F401 (the module's pages are added here)

app_name = "matchmaking"

urlpatterns: list = []
