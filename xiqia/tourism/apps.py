from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TourismConfig(AppConfig):
    name = "xiqia.tourism"
    label = "tourism"
    verbose_name = _("Culture and tourism")

    def ready(self) -> None:
        from xiqia.tourism import policies  # noqa: F401  (registers the access policies)
