from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovserviceConfig(AppConfig):
    name = "xiqia.govservice"
    label = "govservice"
    verbose_name = _("Government services")

    def ready(self) -> None:
        from xiqia.govservice import policies  # noqa: F401  (registers the access policies)
