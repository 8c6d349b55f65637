"""Pages of the investment module under /investment/."""

from xiqia.investment.views import catalogue, dashboards, deals, excel

app_name = "investment"

urlpatterns = [
    *catalogue.urlpatterns,
    *deals.urlpatterns,
    *dashboards.urlpatterns,
    *excel.urlpatterns,
]
