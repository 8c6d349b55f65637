"""The personal-data field: encrypted at rest, found by keyed hash, masked, never logged."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from xiqia.accounts import services
from xiqia.accounts.models import User
from xiqia.core import personal
from xiqia.core.errors import Conflict
from xiqia.core.personal import PersonalKind

# Checksum-valid, synthetic (born 1900-01-01; see xiqia/accounts/demo.py).
ID_NUMBER = "510100190001011234"[:17]
ID_NUMBER += personal.ric.calc_check_digit(ID_NUMBER + "0")
PHONE = "13800138000"


@pytest.fixture
def person(db):
    return services.user_create(
        username="zhang", password="a-long-enough-password", phone=PHONE, id_number=ID_NUMBER
    )


def test_personal_field_stores_no_plaintext(person: User) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number FROM accounts_user WHERE id = %s", [person.pk])
        raw_phone, raw_id = cursor.fetchone()

    assert PHONE not in raw_phone and ID_NUMBER not in raw_id
    assert raw_phone.startswith("gAAAA")  # a Fernet token
    assert personal.decrypt(raw_id) == ID_NUMBER


def test_personal_field_history_stores_no_plaintext(person: User) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, id_number FROM accounts_historicaluser WHERE id = %s", [person.pk]
        )
        rows = cursor.fetchall()

    assert rows
    assert all(PHONE not in phone and ID_NUMBER not in id_number for phone, id_number in rows)


def test_personal_field_round_trips_and_masks(person: User) -> None:
    loaded = User.objects.get(pk=person.pk)

    assert loaded.phone.reveal() == PHONE
    assert str(loaded.phone) == "138****8000"
    assert str(loaded.id_number) == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]
    assert PHONE not in repr(loaded.phone)


def test_personal_field_is_found_by_digest_of_any_spelling(person: User) -> None:
    digest = personal.digest(PersonalKind.PHONE, "+86 138-0013-8000")

    assert User.objects.get(phone_digest=digest) == person


def test_personal_field_refuses_lookups_on_ciphertext(person: User) -> None:
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(User.objects.filter(phone__startswith="138"))


def test_personal_field_refuses_exact_comparison_with_plaintext(person: User) -> None:
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(User.objects.filter(phone=PHONE))
    assert User.objects.filter(phone="").count() == 0  # emptiness can still be asked


def test_digest_of_a_personal_value_matches_digest_of_its_text(person: User) -> None:
    loaded = User.objects.get(pk=person.pk)

    assert personal.digest(PersonalKind.PHONE, loaded.phone) == loaded.phone_digest


def test_personal_value_is_unique_by_digest(person: User) -> None:
    with pytest.raises(Conflict) as refusal:
        services.user_create(username="li", password="another-long-password", phone="138 0013 8000")

    assert refusal.value.code == "phone_taken"
    assert User.objects.filter(username="li").count() == 0


def test_personal_field_rejects_bad_id_number_with_clear_error(db) -> None:
    bad = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")

    with pytest.raises(ValidationError) as refusal:
        services.user_create(username="wang", password="a-long-enough-password", id_number=bad)

    assert "id_number" in refusal.value.message_dict
    assert User.objects.filter(username="wang").count() == 0


def test_personal_data_never_reaches_logs(person: User, caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("xiqia.test")
    logger.addFilter(personal.PersonalDataLogFilter())
    with caplog.at_level(logging.DEBUG):
        loaded = User.objects.get(pk=person.pk)
        logger.info("loaded %s with phone %s and id %r", loaded, loaded.phone, loaded.id_number)
        logger.info("raw text with %s and %s", PHONE, ID_NUMBER)

    assert PHONE not in caplog.text and ID_NUMBER not in caplog.text
    assert "138****8000" in caplog.text


def test_personal_data_never_reaches_sql_log(db) -> None:
    with CaptureQueriesContext(connection) as queries:
        services.user_create(username="zhao", password="a-long-enough-password", phone=PHONE)
        User.objects.get(phone_digest=personal.digest(PersonalKind.PHONE, PHONE))

    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert PHONE not in sql


def test_personal_keys_rotate_old_ciphertext_still_reads(person: User) -> None:
    from cryptography.fernet import Fernet
    from django.conf import settings

    new_key = Fernet.generate_key().decode()
    with override_settings(PERSONAL_DATA_KEYS=[new_key, *settings.PERSONAL_DATA_KEYS]):
        assert User.objects.get(pk=person.pk).phone.reveal() == PHONE
        token = personal.encrypt("x")
    assert Fernet(new_key.encode()).decrypt(token.encode()) == b"x"


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        (PersonalKind.ID_NUMBER, "500107199001011234", "500107********1234"),
        (PersonalKind.PHONE, "13912345678", "139****5678"),
        (PersonalKind.PHONE, "123", "***"),
    ],
)
def test_mask_shapes(kind: str, value: str, masked: str) -> None:
    assert personal.mask(kind, value) == masked


def test_scrub_masks_numbers_inside_text() -> None:
    text = "申请人 500107199001011234 电话13912345678 订单 20210520"

    assert personal.scrub(text) == "申请人 500107********1234 电话139****5678 订单 20210520"


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "李*"), (" Wang Wu ", "W******"), ("", "")],
)
def test_mask_name_keeps_only_the_first_character(name: str, masked: str) -> None:
    assert personal.mask_name(name) == masked


# Resident ID numbers (GB 11643-1999) ---------------------------------------------------------


def _load_code_periods() -> dict[str, list[tuple[int | None, int | None]]]:
    """Each code of stdnum's table (cn/loc.dat) with its periods in force, read by the regions
    loader (a parser of its own, so the rule below is checked against an independent reading)."""
    from importlib import resources

    from xiqia.core.regions import parse_loc_dat

    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    periods: dict[str, list[tuple[int | None, int | None]]] = {}
    for record in parse_loc_dat(text).records:
        periods.setdefault(record.code, []).append((record.valid_from, record.valid_to))
    return periods


CODE_PERIODS = _load_code_periods()
PERIODS = [(code, start, end) for code, spans in CODE_PERIODS.items() for start, end in spans]
# Fixed clock for the properties: 2026-12-03 20:00 UTC is 2026-12-04 04:00 in Shanghai.
NOW = datetime.datetime(2026, 12, 3, 20, 0, tzinfo=datetime.UTC)
TODAY_IN_CHINA = datetime.date(2026, 12, 4)


def number_for(code: str, birth: datetime.date | str, serial: int = 123) -> str:
    """Return an ID number with a correct check digit, computed by stdnum (a made-up person)."""
    from stdnum.cn import ric

    digits = birth if isinstance(birth, str) else f"{birth:%Y%m%d}"
    body = f"{code}{digits}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def expected_in_force_since(code: str, year: int) -> bool:
    """The rule, from the table: some period of the code ends in the birth year or later."""
    return any(end is None or end >= year for _start, end in CODE_PERIODS.get(code, []))


def error_code(raw: str) -> str | None:
    try:
        personal.validate(PersonalKind.ID_NUMBER, raw)
    except ValidationError as refusal:
        return refusal.code
    return None


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@settings(max_examples=400, deadline=None)
@given(period=st.sampled_from(PERIODS), data=st.data())
def test_address_code_rule_holds_before_during_and_after_each_period(
    period: tuple[str, int | None, int | None], data: st.DataObject
) -> None:
    code, start, end = period
    where = data.draw(
        st.sampled_from(
            ["during"]
            + (["before"] if start is not None and start > 1900 else [])
            + (["after"] if end is not None and end < TODAY_IN_CHINA.year - 1 else [])
        )
    )
    low, high = 1900, TODAY_IN_CHINA.year - 1
    if where == "before":
        high = min(high, (start or 1900) - 1)
    elif where == "during":
        low, high = max(low, start or low), min(high, end or high)
    else:
        low = max(low, (end if end is not None else high) + 1)
    assume(low <= high)
    birth = datetime.date(data.draw(st.integers(low, high)), data.draw(st.integers(1, 12)), 28)
    number = number_for(code, birth, data.draw(st.integers(0, 999)))
    expected = expected_in_force_since(code, birth.year)

    with time_machine.travel(NOW, tick=False):
        outcome = error_code(number)

    assert personal.address_code_in_force_since(code, birth) is expected
    assert outcome == (None if expected else "id_number_address_code")
    if where != "after":  # a code in force at or after birth: always accepted
        assert outcome is None


@settings(max_examples=400, deadline=None)
@given(
    code=st.one_of(st.sampled_from(sorted(CODE_PERIODS)), st.from_regex(r"\A[0-9]{6}\Z")),
    year=st.integers(1880, 2035),
    month=st.integers(0, 13),
    day=st.integers(0, 32),
    serial=st.integers(0, 999),
    check=st.one_of(st.none(), st.sampled_from("0123456789X")),
    spelling=st.sampled_from(["plain", "lower", "spaced", "hyphens", "full-width"]),
)
def test_id_number_check_agrees_with_the_rule_written_out(
    code: str, year: int, month: int, day: int, serial: int, check: str | None, spelling: str
) -> None:
    """The remembered look-up and the checks decide exactly as the rules written out here do:
    GB 11643-1999's check digit (stdnum), a real birth date from 1900 to today in China, and an
    address code in force on or after it (the table read independently)."""
    from stdnum.cn import ric

    body = f"{code}{year}{month:02d}{day:02d}{serial:03d}"
    number = body + (check or ric.calc_check_digit(body + "0"))
    try:
        birth: datetime.date | None = datetime.date(year, month, day)
    except ValueError:
        birth = None
    if number[-1] != ric.calc_check_digit(number):
        expected = "id_number_check_digit"
    elif birth is None or not datetime.date(1900, 1, 1) <= birth <= TODAY_IN_CHINA:
        expected = "id_number_birth_date"
    elif not expected_in_force_since(code, year):
        expected = "id_number_address_code"
    else:
        expected = None
    raw = {
        "plain": number,
        "lower": number.lower(),
        "spaced": f" {number[:6]} {number[6:14]} {number[14:]} ",
        "hyphens": f"{number[:6]}-{number[6:14]}\u2013{number[14:]}",
        "full-width": number.translate(FULL_WIDTH),
    }[spelling]

    with time_machine.travel(NOW, tick=False):
        assert error_code(raw) == expected
        assert error_code(raw) == expected  # again, from the remembered look-up


# Regression: the five classes of the issue (synthetic people, check digits from stdnum).
JIULONGPO_1985 = number_for("500107", "19850101")


@pytest.mark.parametrize(
    ("code", "birth"),
    [
        ("500107", "19850101"),  # Jiulongpo since 1997, holder born before: a later number
        ("500107", "19970101"),
        ("500157", "19850615"),  # Liangjiang New Area (2025-): a number assigned this year
        ("510213", "19850101"),  # Jiulongpo's Sichuan code (-1997): historical, still valid
        ("510213", "19971231"),  # born in its last year
        ("510125", "19950606"),  # Xindu County (-2001)
        ("500112", "19900101"),  # Yubei (1997-2025), merged into Liangjiang New Area
        ("500112", "20250101"),
        ("110101", "19000101"),  # first day allowed
    ],
)
def test_id_number_valid_for_code_in_force_on_or_after_birth(
    clock: Any, code: str, birth: str
) -> None:
    number = number_for(code, birth)

    assert personal.validate(PersonalKind.ID_NUMBER, number) == number


@pytest.mark.parametrize(
    ("code", "birth"),
    [
        ("510213", "19980101"),  # Sichuan's Jiulongpo code retired in 1997
        ("510125", "20020101"),  # Xindu County became Xindu District (510114) in 2001
        ("500112", "20260101"),  # Yubei merged in 2025
        ("500199", "19850101"),  # never a county
        ("999999", "19850101"),
    ],
)
def test_id_number_refused_for_code_retired_before_birth(clock: Any, code: str, birth: str) -> None:
    assert error_code(number_for(code, birth)) == "id_number_address_code"


@pytest.mark.parametrize(
    ("birth", "code"),
    [
        ("20261204", None),  # today in Shanghai, though still 3 December in UTC
        ("20261205", "id_number_birth_date"),  # tomorrow
        ("20300101", "id_number_birth_date"),
        ("19000101", None),
        ("18991231", "id_number_birth_date"),
        ("18500101", "id_number_birth_date"),
        ("19850230", "id_number_birth_date"),  # no such day
        ("19851301", "id_number_birth_date"),
    ],
)
def test_id_number_birth_date_from_1900_to_today_in_shanghai(
    clock: Any, birth: str, code: str | None
) -> None:
    assert error_code(number_for("110101", birth)) == code


def _number_with_check_x() -> str:
    for serial in range(1000):
        number = number_for("500107", "19850101", serial)
        if number.endswith("X"):
            return number
    raise AssertionError("no serial gives X")  # pragma: no cover


NUMBER_X = _number_with_check_x()


@pytest.mark.parametrize(
    "raw",
    [
        NUMBER_X.lower(),
        NUMBER_X.translate(FULL_WIDTH),
        NUMBER_X[:17].translate(FULL_WIDTH) + "\uff58",  # full-width lower-case ｘ
        f"{NUMBER_X[:6]} {NUMBER_X[6:14]} {NUMBER_X[14:]}",
        f"{NUMBER_X[:6]}\u3000{NUMBER_X[6:14]}\u3000{NUMBER_X[14:]}",  # ideographic spaces
        f"{NUMBER_X[:6]}-{NUMBER_X[6:14]}-{NUMBER_X[14:]}",
        f"{NUMBER_X[:6]}\uff0d{NUMBER_X[6:14]}\u2014{NUMBER_X[14:].lower()}",  # －, —
        f"\t{NUMBER_X}\n",
    ],
)
def test_id_number_normalised_before_validating(clock: Any, raw: str) -> None:
    assert personal.validate(PersonalKind.ID_NUMBER, raw) == NUMBER_X
    assert personal.digest(PersonalKind.ID_NUMBER, raw) == personal.digest(
        PersonalKind.ID_NUMBER, NUMBER_X
    )


WRONG_CHECK = JIULONGPO_1985[:17] + ("0" if JIULONGPO_1985[17] != "0" else "1")


@pytest.mark.parametrize(
    ("raw", "code", "english", "chinese"),
    [
        (
            JIULONGPO_1985[:17],
            "id_number_length",
            "A resident ID number has 18 characters; this one has 17 (spaces and hyphens not "
            "counted).",
            "居民身份证号码应为 18 位，这个号码有 17 位（空格和连字符不计）。",
        ),
        (
            JIULONGPO_1985[:17] + "Y",
            "id_number_characters",
            "A resident ID number is 17 digits followed by a digit or the letter X.",
            "居民身份证号码由 17 位数字加最后一位数字或字母 X 组成。",
        ),
        (
            WRONG_CHECK,
            "id_number_check_digit",
            "The last character (the check digit) does not match the first 17: check the number "
            "for a typing error.",
            "最后一位（校验码）与前 17 位不符，请检查号码是否输错。",
        ),
        (
            number_for("500107", "20300101"),
            "id_number_birth_date",
            "Digits 7 to 14 (the date of birth) are not a real date between 1 January 1900 and "
            "today.",
            "第 7 至 14 位（出生日期）不是 1900 年 1 月 1 日至今天之间的真实日期。",
        ),
        (
            number_for("510213", "20000101"),
            "id_number_address_code",
            "The first six digits (the region code) are not a region code in force on or after "
            "the date of birth in the number.",
            "前六位（地址码）不是号码中出生日期当天或之后施行过的行政区划代码。",
        ),
    ],
)
def test_id_number_each_problem_has_its_own_message(
    clock: Any, raw: str, code: str, english: str, chinese: str
) -> None:
    for language, message in (("en", english), ("zh-hans", chinese)):
        with translation.override(language):
            with pytest.raises(ValidationError) as refusal:
                personal.validate(PersonalKind.ID_NUMBER, raw)

            assert (refusal.value.code, refusal.value.messages) == (code, [message])


def test_id_number_error_names_the_field_in_a_service(db: Any, clock: Any) -> None:
    with pytest.raises(ValidationError) as refusal:
        services.user_create(username="wu", password="a-long-enough-password", id_number="123")

    assert [e.code for e in refusal.value.error_dict["id_number"]] == ["id_number_length"]
