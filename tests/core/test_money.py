from decimal import Decimal

import pytest

from xiqia.core.money import format_yuan, to_yuan


@pytest.mark.parametrize(
    ("amount", "language", "shown"),
    [
        (Decimal("100000000000"), "zh-hans", "1,000亿元"),
        (Decimal("200000000"), "zh-hans", "2亿元"),
        (Decimal("1250000000"), "zh-hans", "12.5亿元"),
        (Decimal("600000"), "zh-hans", "60万元"),
        (Decimal("35000000"), "zh-hans", "3,500万元"),
        (Decimal("8500.50"), "zh-hans", "8,500.5元"),
        (Decimal("-20000"), "zh-hans", "-2万元"),
        (Decimal("1000000000"), "en", "CNY 1 billion"),
        (Decimal("600000"), "en", "CNY 600,000"),
        (Decimal("200000000"), "en", "CNY 200 million"),
        (None, "zh-hans", ""),
    ],
)
def test_format_yuan_reads_as_users_read(amount, language, shown) -> None:
    assert format_yuan(amount, language) == shown


def test_to_yuan_converts_units_exactly() -> None:
    assert to_yuan("1.5", "yi") == Decimal("150000000.0")
    assert to_yuan(3500, "wan") == Decimal(35_000_000)
