"""core.freetext: personal numbers in free text, found by the dedicated fields' validators."""

from __future__ import annotations

import datetime
import pickle

from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from xiqia.core import freetext
from xiqia.core.freetext import ProtectedText

ID_NUMBER = "11010519491231002X"  # GB 11643-1999's worked example


def test_find_uses_the_check_digit_and_the_mobile_pattern() -> None:
    text = (
        f"身份证 {ID_NUMBER}，错号 110105194912310021，手机 139-1234-5678，"
        "座机 023-12345678，订单 20210520123，+86 138 0013 8000。"
    )
    found = [(f.kind, f.value) for f in freetext.find(text)]
    assert found == [
        ("id_number", ID_NUMBER),
        ("phone", "13912345678"),
        ("phone", "13800138000"),
    ]
    assert freetext.mask_text(text) == (
        "身份证 110105********002X，错号 110105194912310021，手机 139****5678，"
        "座机 023-12345678，订单 20210520123，138****8000。"
    )


def test_find_ignores_numbers_inside_longer_runs_of_digits() -> None:
    assert freetext.find("单号 213800138000 与 1380013800012") == []
    # Next to letters a number still counts (tel13800138000): better masked than leaked.
    assert [f.value for f in freetext.find("tel13800138000")] == ["13800138000"]


def test_protected_text_shows_the_mask_and_reveals_the_original() -> None:
    value = ProtectedText(f"回电 13800138000，证件 {ID_NUMBER}")
    assert value == "回电 138****8000，证件 110105********002X"
    assert str(value) == value.masked
    assert value.reveal() == f"回电 13800138000，证件 {ID_NUMBER}"
    assert freetext.text_for(value, entitled=True) == value.reveal()
    assert freetext.text_for(value, entitled=False) == value.masked


def test_stored_form_holds_no_plaintext_number_and_reads_back() -> None:
    original = "请回电 13800138000"
    stored = freetext.to_db(original)
    assert "13800138000" not in stored
    assert stored.startswith("请回电 138****8000" + freetext.MARKER)
    assert freetext.from_db(stored).reveal() == original
    assert freetext.to_db("没有号码") == "没有号码"


def test_pickled_protected_text_keeps_the_number_encrypted() -> None:
    value = ProtectedText("请回电 13800138000")
    dumped = pickle.dumps(value)
    assert b"13800138000" not in dumped
    assert pickle.loads(dumped).reveal() == "请回电 13800138000"  # noqa: S301 - our own bytes


@given(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.text(alphabet="请回电话，。中文 abc", max_size=12),
)
def test_every_mobile_number_is_found_and_masked(number: str, around: str) -> None:
    text = f"{around}{number}{around}"
    assert freetext.mask_text(text) == f"{around}{number[:3]}****{number[7:]}{around}"


@given(
    st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2020, 12, 31)),
    st.integers(0, 999),
)
def test_every_valid_id_number_is_found(birth: datetime.date, serial: int) -> None:
    body = f"110105{birth:%Y%m%d}{serial:03d}"  # Chaoyang, Beijing: a code in force throughout
    number = body + ric.calc_check_digit(body + "0")  # stdnum reads the last place as the check
    wrong = body + ("0" if number[-1] != "0" else "1")
    assert [f.value for f in freetext.find(f"证件号{number}")] == [number]
    assert freetext.find(f"证件号{wrong}") == []
