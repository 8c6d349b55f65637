from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "xiqia.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from xiqia.directory import policies  # noqa: F401  (registers the access policies)
