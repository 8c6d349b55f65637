"""Pages of the tourism module under /tourism/."""

from xiqia.tourism import views

app_name = "tourism"

urlpatterns = views.urlpatterns
