"""Pages of the investment module under /investment/."""

from xiqia.investment.views import catalogue, dashboards, deals, excel, imports

app_name = "investment"

urlpatterns = [
    *catalogue.urlpatterns,
    *deals.urlpatterns,
    *dashboards.urlpatterns,
    *excel.urlpatterns,
    *imports.urlpatterns,
]
