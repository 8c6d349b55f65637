"""Xiqia's URL map: pages per module, the API under /api/v1/, the back office under /admin/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("xiqia.dashboard.urls")),
    path("", include("xiqia.core.urls")),
    path("accounts/", include("xiqia.accounts.urls")),
    path("directory/", include("xiqia.directory.urls")),
    path("fairs/", include("xiqia.fair.urls")),
    path("matchmaking/", include("xiqia.matchmaking.urls")),
    path("investment/", include("xiqia.investment.urls")),
    path("govservice/", include("xiqia.govservice.urls")),
    path("tourism/", include("xiqia.tourism.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("xiqia.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
]

# Uploads (deal documents, landing evidence) are never served from MEDIA_URL, not even in
# development: each module serves its files through a view that checks access
# (e.g. ``investment.views.deals.document_download``).

handler404 = "xiqia.core.api.page_not_found"
handler500 = "xiqia.core.api.server_error"
