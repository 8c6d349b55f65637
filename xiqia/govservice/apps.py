from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovserviceConfig(AppConfig):
    name = "xiqia.govservice"
    label = "govservice"
    verbose_name = _("Government services")

    def ready(self) -> None:
        from xiqia.core.services import calendar_year_changed
        from xiqia.govservice import policies  # noqa: F401  (registers the access policies)
        from xiqia.govservice.services import on_calendar_year_changed

        calendar_year_changed.connect(on_calendar_year_changed, dispatch_uid="govservice-deadlines")
