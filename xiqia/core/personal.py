"""Personal data (ID and phone numbers), as China's Personal Information Protection Law expects.

* At rest the value is encrypted (Fernet; several keys allow rotation: the first encrypts,
  all decrypt). The database never holds the plaintext.
* A keyed hash (HMAC-SHA256 over the normalised value) sits in a companion column, so a
  record can be found and kept unique without decrypting anything.
* In Python the value is a :class:`PersonalValue`: its ``str()`` and ``repr()`` are masked
  (``500107********1234``, ``138****5678``), so templates, logs and tracebacks show the mask.
  Code that truly needs the number calls ``.reveal()``, which is easy to grep for.

Usage on a model::

    id_number = PersonalDataField(kind=PersonalKind.ID_NUMBER, blank=True)
    id_number_digest = PersonalDigestField(source="id_number", unique=True)

and look-ups go through the digest: ``Person.objects.filter(id_number_digest=digest(...))``.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import re
import unicodedata
import zoneinfo
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumValidationError


class PersonalKind(models.TextChoices):
    ID_NUMBER = "id_number", _("resident ID number")
    PHONE = "phone", _("phone number")


_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
# What people type between the groups of a number: white space (NFKC has already made a
# full-width space an ASCII one) and hyphens or dashes of any width.
_SEPARATORS_RE = re.compile(r"[\s\-\u2010-\u2015\u2212]")


def normalise(kind: str, raw: str) -> str:
    """Return the canonical form of a personal value (what is hashed and stored).

    NFKC first, so full-width digits and letters (Ｘ, １２３) become ASCII; then separators go.
    """
    value = _SEPARATORS_RE.sub("", unicodedata.normalize("NFKC", str(raw)))
    if kind == PersonalKind.ID_NUMBER:
        return value.upper()
    if kind == PersonalKind.PHONE:
        if value.startswith("+86"):
            value = value[3:]
        elif value.startswith("0086"):
            value = value[4:]
        return value
    raise ValueError(f"unknown personal data kind {kind!r}")


# Resident ID numbers (GB 11643-1999) ---------------------------------------------------------

ID_NUMBER_LENGTH = 18
# The birth date code (GB 11643-1999 §5.3) of a living resident: from 1900 to today in China.
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
CHINA_TIME_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
# A year later than any in stdnum's table: the code is still in force.
_STILL_IN_FORCE = 9999

# One message per thing that can be wrong, by the ValidationError code that carries it.
ID_NUMBER_ERRORS: dict[str, Any] = {
    "id_number_length": _(
        "A resident ID number has 18 characters; this one has %(count)s (spaces and hyphens "
        "not counted)."
    ),
    "id_number_characters": _(
        "A resident ID number is 17 digits followed by a digit or the letter X."
    ),
    "id_number_check_digit": _(
        "The last character (the check digit) does not match the first 17: check the number "
        "for a typing error."
    ),
    "id_number_birth_date": _(
        "Digits 7 to 14 (the date of birth) are not a real date between 1 January 1900 and today."
    ),
    "id_number_address_code": _(
        "The first six digits (the region code) are not a region code in force on or after "
        "the date of birth in the number."
    ),
}


def _id_number_error(code: str, **params: Any) -> ValidationError:
    return ValidationError(ID_NUMBER_ERRORS[code], code=code, params=params or None)


def china_today() -> datetime.date:
    """Return today's date in China (Asia/Shanghai), whatever the server's own time zone."""
    return datetime.datetime.now(CHINA_TIME_ZONE).date()


@lru_cache(maxsize=8192)
def _last_year_in_force(code: str) -> int | None:
    """Return the last year python-stdnum's code table has ``code`` in force (``_STILL_IN_FORCE``
    while it still is), or None for a code the table does not know as a county.

    The look-up in stdnum's table is the costliest part of a check, and a flash crowd asks the
    same few hundred codes again and again; the key is the region code, never a person's number.
    """
    parts = numdb.get("cn/loc").info(code)
    county = {k: v for _part, props in parts for k, v in props.items()}.get("county")
    if not county:  # unknown, or a table entry without a county
        return None
    last = None
    # "[1997-2010]万盛区,[2011-]綦江区": the periods of the code, years inclusive; a name with
    # no period has always been in force.
    for period in county.split(","):
        if not period.startswith("["):
            return _STILL_IN_FORCE
        end = period[1:].split("]", 1)[0].split("-", 1)[1]
        if not end:
            return _STILL_IN_FORCE
        last = max(last or 0, int(end))
    return last


def address_code_in_force_since(code: str, birth_date: datetime.date) -> bool:
    """Return whether the region code ``code`` was in force at some time on or after
    ``birth_date``: the rule for the address code of a resident ID number.

    GB 11643-1999 §5.2 (地址码) makes the first six digits the GB/T 2260 code of the county
    where the person's permanent household was registered *when the number was assigned*,
    which is usually years after birth: numbers assigned in Chongqing after 1997 carry 500xxx
    codes whoever was born before 1997 (a Jiulongpo resident born in 1985 may hold 500107), and
    numbers assigned earlier keep their codes since retired (510213, 510125, 500112). So the
    code need not have been in force at birth, only at some time from the birth on; a code
    retired before the person was born cannot be theirs. python-stdnum's table
    (``stdnum/cn/loc.dat``) gives whole years, a change year belonging to both sides, so this is
    "the code's last year in force is the birth year or later".
    """
    last = _last_year_in_force(code)
    return last is not None and last >= birth_date.year


def _validate_id_number(value: str) -> None:
    """Check a normalised resident ID number (GB 11643-1999); raise the ValidationError that
    says what is wrong, in this order: length, characters, check digit, birth date, region."""
    if len(value) != ID_NUMBER_LENGTH:
        raise _id_number_error("id_number_length", count=len(value))
    body = value[:17]
    if not (body.isascii() and body.isdigit()) or value[17] not in "0123456789X":
        raise _id_number_error("id_number_characters")
    # §5.5: ISO 7064:1983 MOD 11-2, computed by python-stdnum.
    if value[17] != ric.calc_check_digit(value):
        raise _id_number_error("id_number_check_digit")
    try:
        birth_date = ric.get_birth_date(value)
    except StdnumValidationError:
        raise _id_number_error("id_number_birth_date") from None
    if not EARLIEST_BIRTH_DATE <= birth_date <= china_today():
        raise _id_number_error("id_number_birth_date")
    if not address_code_in_force_since(value[:6], birth_date):
        raise _id_number_error("id_number_address_code")


def validate(kind: str, raw: str) -> str:
    """Return the normalised value, or raise a translated ``ValidationError`` whose code says
    what is wrong (see ``ID_NUMBER_ERRORS``)."""
    value = normalise(kind, raw)
    if kind == PersonalKind.ID_NUMBER:
        _validate_id_number(value)
    elif kind == PersonalKind.PHONE and not _PHONE_RE.match(value):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number, such as 138 0013 8000."),
            code="invalid_phone",
        )
    return value


def mask(kind: str, value: str) -> str:
    """Return the display form: enough to recognise, not enough to use."""
    if kind == PersonalKind.ID_NUMBER and len(value) > 10:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if kind == PersonalKind.PHONE and len(value) > 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * len(value)


def mask_name(name: str) -> str:
    """Return a person's name with all but its first character hidden (张三 → 张*)."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def digest(kind: str, raw: str | PersonalValue) -> str:
    """Return the keyed hash used to find and de-duplicate a personal value."""
    if isinstance(raw, PersonalValue):
        raw = raw.reveal()
    message = f"{kind}:{normalise(kind, raw)}".encode()
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _cipher() -> MultiFernet:
    return _fernet(tuple(settings.PERSONAL_DATA_KEYS))


def encrypt(value: str) -> str:
    """Return the ciphertext of a value with the newest key."""
    return _cipher().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Return the plaintext of a ciphertext made with any configured key."""
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("personal data could not be decrypted with the configured keys") from exc


class PersonalValue:
    """A personal value that shows itself only masked."""

    __slots__ = ("_value", "kind")

    def __init__(self, kind: str, value: str) -> None:
        self.kind = kind
        self._value = value

    def reveal(self) -> str:
        """Return the plaintext. Call only where the number itself is needed."""
        return self._value

    @property
    def masked(self) -> str:
        return mask(self.kind, self._value)

    @property
    def digest(self) -> str:
        return digest(self.kind, self._value)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<PersonalValue {self.kind} {self.masked}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PersonalValue):
            return self.kind == other.kind and self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.kind, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)


class PersonalDataField(models.TextField):
    """A text column holding an encrypted personal value; Python sees a PersonalValue."""

    description = _("Encrypted personal data")

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        if kwargs.get("default") == "":
            del kwargs["default"]
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.db_index or self.unique:
            errors.append(
                checks.Error(
                    "A PersonalDataField cannot be indexed or unique: ciphertexts differ "
                    "for equal values. Index its PersonalDigestField instead.",
                    obj=self,
                    id="xiqia.E001",
                )
            )
        return errors

    def to_python(self, value: Any) -> PersonalValue | None:
        if value is None or isinstance(value, PersonalValue):
            return value
        return PersonalValue(self.kind, normalise(self.kind, value)) if value else None

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> PersonalValue | None:
        if not value:
            return None
        return PersonalValue(self.kind, decrypt(value))

    def get_prep_value(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        plain = value.reveal() if isinstance(value, PersonalValue) else normalise(self.kind, value)
        return encrypt(plain) if plain else ""

    def get_lookup(self, lookup_name: str) -> Any:
        # Only emptiness can be asked of ciphertext; every other question goes to the digest.
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata, fixtures) gets the mask, never the plaintext.
        value = self.value_from_object(obj)
        return str(value) if value else ""

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        defaults = {"form_class": forms.CharField, "max_length": 32}
        defaults.update(kwargs)
        defaults.pop("widget", None)
        return super(models.TextField, self).formfield(**defaults)


class EmptyOnlyExact(Exact):
    """``field=""`` works; ``field="138..."`` would compare against a fresh ciphertext and
    silently match nothing, so it is refused: look up by the digest field instead."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(
                "Personal data cannot be compared: filter on its digest field, "
                "e.g. phone_digest=personal.digest('phone', value)."
            )
        return super().get_prep_lookup()


class PersonalDigestField(models.CharField):
    """The keyed hash of another PersonalDataField on the same model, kept in step on save."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs["max_length"] = 64
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        del kwargs["max_length"]
        for key, default in (("editable", False), ("null", True), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = getattr(model_instance, self.source)
        source_field = model_instance._meta.get_field(self.source)
        if value is None or value == "":
            computed = None
        elif isinstance(value, PersonalValue):
            computed = value.digest
        else:
            computed = digest(source_field.kind, value)  # type: ignore[attr-defined]
        setattr(model_instance, self.attname, computed)
        return computed


_ID_RE = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")
_MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def scrub(text: str) -> str:
    """Mask anything in free text that looks like an ID or mobile number."""
    text = _ID_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(3)[-4:], text)
    return _MOBILE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class PersonalDataLogFilter(logging.Filter):
    """Mask ID and mobile numbers in every log record, a last line of defence."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
