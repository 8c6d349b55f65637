"""Amounts in yuan: stored as Decimal, shown the way Chinese readers read them (万元, 亿元)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.utils.translation import get_language

WAN = Decimal(10_000)
YI = Decimal(100_000_000)
MILLION = Decimal(1_000_000)
BILLION = Decimal(1_000_000_000)


class AmountField(models.DecimalField):
    """An amount in yuan to the fen: up to 10^16 yuan, never a float."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


def _trim(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_yuan(amount: Decimal | int | str | None, language: str | None = None) -> str:
    """Return an amount for display: ``12.5亿元`` / ``3,500万元`` / ``CNY 1.25 billion``."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount)
    language = language or get_language() or "zh-hans"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if language.startswith("en"):
        if value >= BILLION:
            return f"{sign}CNY {_trim(value / BILLION, 2)} billion"
        if value >= MILLION:
            return f"{sign}CNY {_trim(value / MILLION, 2)} million"
        return f"{sign}CNY {_trim(value, 2)}"
    if value >= YI:
        return f"{sign}{_trim(value / YI, 2)}亿元"
    if value >= WAN:
        return f"{sign}{_trim(value / WAN, 2)}万元"
    return f"{sign}{_trim(value, 2)}元"


AMOUNT_UNITS = {"yuan": Decimal(1), "wan": WAN, "yi": YI}


def to_yuan(value: Decimal | int | str, unit: str) -> Decimal:
    """Return an amount entered in 元, 万元 or 亿元 as yuan."""
    return Decimal(value) * AMOUNT_UNITS[unit]
