"""Template filters shared by every module."""

from decimal import Decimal

from django import template

from xiqia.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(amount: Decimal | int | str | None) -> str:
    """Render an amount in yuan as 万元 / 亿元 (or CNY million / billion in English)."""
    return format_yuan(amount)


@register.filter
def free_text(value: object, entitled: bool) -> str:
    """Free text as the viewer may read it: ``{{ item.body|free_text:entitled }}``.

    Personal numbers typed into it (core.freetext) are shown as typed only when ``entitled``.
    """
    from xiqia.core.freetext import text_for

    return text_for(value, bool(entitled))
