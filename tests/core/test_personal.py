"""The personal-data field: encrypted at rest, found by keyed hash, masked, never logged."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from hypothesis import given
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


_PREFIXES = ["510213", "510125", "500107", "110101", "500112", "999999", "000000"]


@given(
    prefix=st.one_of(st.sampled_from(_PREFIXES), st.from_regex(r"\A[0-9]{6}\Z")),
    year=st.integers(1880, 2035),
    month=st.integers(0, 13),
    day=st.integers(0, 32),
    serial=st.integers(0, 999),
    check=st.one_of(st.none(), st.sampled_from("0123456789X")),
)
def test_id_number_check_agrees_with_stdnum(
    prefix: str, year: int, month: int, day: int, serial: int, check: str | None
) -> None:
    """The remembered region look-up decides exactly as ``ric.validate`` does."""
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError as StdnumValidationError

    body = f"{prefix}{year}{month:02d}{day:02d}{serial:03d}"
    number = body + (check or ric.calc_check_digit(body + "0"))
    try:
        ric.validate(number)
        expected = True
    except (StdnumValidationError, KeyError):  # stdnum's KeyError: an entry with no county
        expected = False
    try:
        personal.validate(personal.PersonalKind.ID_NUMBER, number)
        ours = True
    except ValidationError:
        ours = False

    assert ours == expected
