from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _reseed_published_years(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Put back the published years after a flush emptied the table (tests, ``flush``)."""
    from django.db import connections

    from xiqia.core.models import CalendarYear
    from xiqia.core.workdays import seed_published_years

    table = CalendarYear._meta.db_table
    if table not in connections[using].introspection.table_names():
        return  # migrated only part of the way
    if not CalendarYear.objects.using(using).exists():
        seed_published_years(CalendarYear, using)


class CoreConfig(AppConfig):
    name = "xiqia.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        post_migrate.connect(_reseed_published_years, sender=self)
