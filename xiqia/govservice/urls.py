"""Pages of the govservice module."""

from django.urls import path  # noqa: F401 (the module's pages are added here)

app_name = "govservice"

urlpatterns: list = []
