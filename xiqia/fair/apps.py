from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FairConfig(AppConfig):
    name = "xiqia.fair"
    label = "fair"
    verbose_name = _("The fair")

    def ready(self) -> None:
        from xiqia.fair import policies  # noqa: F401  (registers the access policies)
