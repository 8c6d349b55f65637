"""Template filters shared by every module."""

from decimal import Decimal

from django import template

from xiqia.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(amount: Decimal | int | str | None) -> str:
    """Render an amount in yuan as 万元 / 亿元 (or CNY million / billion in English)."""
    return format_yuan(amount)
