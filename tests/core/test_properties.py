"""Properties that must hold for every input, not just the examples (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from xiqia.core import personal
from xiqia.core.money import format_yuan
from xiqia.core.personal import PersonalKind

mobiles = st.from_regex(r"1[3-9]\d{9}", fullmatch=True)


SPELLINGS = [
    lambda n: n,
    lambda n: f"+86{n}",
    lambda n: f"+86 {n}",
    lambda n: f"{n[:3]} {n[3:7]} {n[7:]}",
    lambda n: f"0086-{n[:3]}-{n[3:]}",
]


@given(mobiles, st.sampled_from(SPELLINGS))
def test_phone_spellings_share_one_digest(number: str, spelling) -> None:
    assert personal.digest(PersonalKind.PHONE, spelling(number)) == personal.digest(
        PersonalKind.PHONE, number
    )


@given(mobiles)
def test_masked_phone_hides_the_middle_and_keeps_the_ends(number: str) -> None:
    masked = personal.mask(PersonalKind.PHONE, number)

    assert masked[:3] == number[:3] and masked[-4:] == number[-4:]
    assert masked[3:7] == "****" and number[3:7] not in masked[:7]


@given(st.text(max_size=200), mobiles)
def test_scrub_never_lets_a_mobile_through(text: str, number: str) -> None:
    scrubbed = personal.scrub(f"{text} {number} {text}")

    assert number not in scrubbed


@given(mobiles)
def test_encryption_round_trips_and_never_repeats(number: str) -> None:
    first, second = personal.encrypt(number), personal.encrypt(number)

    assert first != second and number not in first
    assert personal.decrypt(first) == number


@given(st.decimals(min_value=0, max_value=Decimal("1e14"), places=2, allow_nan=False))
def test_format_yuan_always_names_a_unit(amount: Decimal) -> None:
    shown = format_yuan(amount, "zh-hans")

    assert shown.endswith(("亿元", "万元", "元"))
    assert format_yuan(amount, "en").startswith("CNY ")
