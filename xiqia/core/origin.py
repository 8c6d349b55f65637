"""Where a record came from: entered by users, a fact from the source document, or generated.

The demo loader marks its records, so the interface can show a generated record as such and
never let it pass for a fact (see docs/demo-data.md).
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    ENTERED = "entered", _("entered")
    FACT = "fact", _("fact from the source document")
    GENERATED = "generated", _("generated demo data")


def includes_generated(queryset: models.QuerySet[Any]) -> bool:
    """Return whether any row of ``queryset`` is generated: a figure summed over it is too."""
    return queryset.filter(origin=Origin.GENERATED).exists()


class OriginField(models.CharField):
    """The origin of a row; ``entered`` unless the demo loader says otherwise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("verbose_name", _("origin"))
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("choices", Origin.choices)
        kwargs.setdefault("default", Origin.ENTERED)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)
