"""Pages of the investment module under /investment/."""

from xiqia.investment.views import catalogue, deals

app_name = "investment"

urlpatterns = [*catalogue.urlpatterns, *deals.urlpatterns]
