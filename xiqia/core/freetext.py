"""Personal numbers typed into free text: found, masked on display, encrypted at rest.

People type their ID or mobile number into a request, a note or a comment. Such a number is
personal data as much as in a dedicated field (PIPL art. 28 and 51; GB/T 35273-2020 §3.1 and
Annex A), so it gets the same protection:

* :func:`find` detects the numbers with the dedicated fields' validators
  (``core.personal.validate``: python-stdnum's ``cn.ric`` — check digit, birth date, region
  code — for resident ID numbers, GB 11643-1999; the 1[3-9]x pattern for mainland mobile
  numbers). Digits may be grouped with spaces or hyphens, a mobile number may carry +86.
  A run of digits that fails the validator (an order number, a date) is left alone.
* :class:`ProtectedTextField` stores the text with each number masked and, only when there is
  one, the original text encrypted after a marker, in the same column. The column never holds
  a plaintext number. Reading gives a :class:`ProtectedText`: a ``str`` holding the masked text,
  so templates, serializers, exports and logs show the mask; the entitled viewer's code calls
  ``.reveal()``, as for a ``PersonalValue``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from xiqia.core import personal
from xiqia.core.personal import PersonalKind

# Candidates; the validators decide. Not inside a longer run of digits.
_ID_CANDIDATE = re.compile(r"(?<![0-9])\d(?:[ \-]?\d){16}[ \-]?[\dXx](?![0-9])")
_MOBILE_CANDIDATE = re.compile(r"(?<![0-9+])(?:(?:\+|00)86[ \-]?)?1[3-9]\d(?:[ \-]?\d){8}(?![0-9])")

# Between the masked text and the encrypted original, in the stored column.
MARKER = "\x1e\x1epd1:"


@dataclass(frozen=True)
class Found:
    """A personal number in a text: its kind, where it is, and its normalised value."""

    kind: str
    start: int
    end: int
    value: str


def _valid(kind: str, candidate: str) -> str | None:
    try:
        return personal.validate(kind, candidate)
    except ValidationError:
        return None


def find(text: str) -> list[Found]:
    """Return the ID and mobile numbers in ``text`` that pass the dedicated fields' validators."""
    found: list[Found] = []
    for match in _ID_CANDIDATE.finditer(text):
        value = _valid(PersonalKind.ID_NUMBER, match.group())
        if value is not None:
            found.append(Found(PersonalKind.ID_NUMBER, match.start(), match.end(), value))
    taken = [(f.start, f.end) for f in found]
    for match in _MOBILE_CANDIDATE.finditer(text):
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        value = _valid(PersonalKind.PHONE, match.group())
        if value is not None:
            found.append(Found(PersonalKind.PHONE, match.start(), match.end(), value))
    return sorted(found, key=lambda f: f.start)


def mask_text(text: str) -> str:
    """Return ``text`` with each personal number replaced by its mask (138****8000)."""
    out: list[str] = []
    position = 0
    for item in find(text):
        out.append(text[position : item.start])
        out.append(personal.mask(item.kind, item.value))
        position = item.end
    out.append(text[position:])
    return "".join(out)


def has_personal_numbers(text: str) -> bool:
    return bool(find(text or ""))


class ProtectedText(str):
    """Free text that shows itself with its personal numbers masked.

    The ``str`` value *is* the masked text; :meth:`reveal` returns what was typed. String
    operations (slicing, ``strip``, filters) work on, and return, the masked text.
    """

    _original: str

    def __new__(cls, original: str) -> ProtectedText:
        instance = super().__new__(cls, mask_text(original))
        instance._original = original
        return instance

    @classmethod
    def _from_parts(cls, masked: str, original: str) -> ProtectedText:
        instance = super().__new__(cls, masked)
        instance._original = original
        return instance

    def reveal(self) -> str:
        """Return the text as typed. Call only for a viewer entitled to the numbers."""
        return self._original

    @property
    def masked(self) -> str:
        return str.__str__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (a cache, a session) in the stored form: the original only encrypted.
        return (from_db, (to_db(self._original),))

    def __deepcopy__(self, memo: dict[int, Any]) -> ProtectedText:
        return self


def reveal(value: Any) -> str:
    """Return the text as typed for a ``ProtectedText``; any other value as a string."""
    if isinstance(value, ProtectedText):
        return value.reveal()
    return "" if value is None else str(value)


def text_for(value: Any, entitled: bool) -> str:
    """Return free text as a viewer may read it: as typed when ``entitled``, else masked."""
    if value is None:
        return ""
    return reveal(value) if entitled else str(value)


def to_db(original: str) -> str:
    """Return the stored form: the masked text, and the encrypted original when they differ."""
    masked = mask_text(original)
    if masked == original:
        return original
    return f"{masked}{MARKER}{personal.encrypt(original)}"


def from_db(stored: str) -> ProtectedText:
    masked, marker, token = stored.partition(MARKER)
    if not marker:
        # Rows written before the field was protected: masked on reading all the same.
        return ProtectedText(stored)
    return ProtectedText._from_parts(masked, personal.decrypt(token))


class ProtectedTextField(models.TextField):
    """A free-text column whose personal numbers are masked in Python and encrypted at rest."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return from_db(value)

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, ProtectedText):
            return value
        return ProtectedText(str(value))

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, ProtectedText):
            value = super().get_prep_value(value)  # TextField's to_python: a ProtectedText
        return to_db(reveal(value))

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata) writes the masked text, like PersonalDataField.
        value = self.value_from_object(obj)
        return "" if value is None else str(value)
