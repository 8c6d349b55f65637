from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    name = "xiqia.investment"
    label = "investment"
    verbose_name = _("Investment")

    def ready(self) -> None:
        from xiqia.investment import policies  # noqa: F401  (registers the access policies)
