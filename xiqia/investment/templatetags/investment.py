"""Template filters of the investment pages: a KPI's figure by name, shown by its kind."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from xiqia.core.money import format_yuan

register = template.Library()


@register.filter
def kpi(row: Any, name: str) -> Any:
    """Return the figure ``name`` of a KPI row (``selectors.Kpis``)."""
    return getattr(row, name)


def percent(rate: Decimal | None) -> str:
    """Return a rate (a fraction) as a percentage to one place: 0.625 → 62.5%."""
    if rate is None:
        return "—"
    return f"{(Decimal(rate) * 100).quantize(Decimal('0.1'))}%"


@register.filter
def kpi_display(value: Any, kind: str) -> str:
    """Show a figure as its kind wants: a count, an amount in yuan or a rate."""
    if kind == "rate":
        return percent(value)
    if value is None:
        return "—"
    if kind == "yuan":
        return format_yuan(value) or "0"
    return number_format(value, force_grouping=True)


@register.filter
def kpi_exact(value: Any) -> str:
    """Return a figure's exact value for a data attribute (tests and scripts read it)."""
    return "" if value is None else str(value)


@register.filter
def lookup(mapping: dict, key: Any) -> Any:
    """Return ``mapping[key]`` (empty when missing)."""
    return mapping.get(key, "")


@register.filter
def share(value: Decimal | None, whole: Decimal | None) -> str:
    """Return ``value`` as a percentage of ``whole``: an output value of its target."""
    if value is None or not whole:
        return "—"
    return percent(Decimal(value) / Decimal(whole))
