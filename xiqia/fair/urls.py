"""The fair's pages under /fairs/; each part of ``views`` keeps its own routes."""

from xiqia.fair.views import exports, organiser, public

app_name = "fair"

urlpatterns = [*public.urlpatterns, *organiser.urlpatterns, *exports.urlpatterns]
