"""Scan logs and database tables for plaintext ID or mobile numbers (the last line of checks).

Personal numbers may sit only in the encrypted columns (``PersonalDataField``, and the
encrypted tail of a ``ProtectedTextField``); everywhere else, and in every log line, they must
be masked. :func:`scan_database` reads every text column of every table, skipping the
``PersonalDataField`` columns and any Fernet token or long hash inside a value, and looks for
numbers that pass the validators (``core.freetext.find``: check digit for ID numbers, the
1[3-9]x pattern for mobiles). :func:`scan_lines` does the same for a log file. Findings are
reported masked. ``scripts/scan_personal_data.py`` runs both and exits non-zero on a find;
``tests/pdscan_plugin.py`` runs the database scan after each test of a suite run, before its
transaction is rolled back, and writes the app's log lines to a file for the script.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection as default_connection

from xiqia.core import freetext, personal

# Tokens that are not prose: Fernet ciphertexts (gAAAAA…), hex digests, base64 keys. A number a
# person typed is never glued to 24 letters and digits.
_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=:$]{24,}")
_TEXT_TYPES = {"CharField", "TextField", "JSONField", "SlugField", "EmailField", "URLField"}


@dataclass(frozen=True)
class Finding:
    where: str  # "table.column" or "file:line"
    kind: str
    masked: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind} {self.masked}"


def _without_tokens(text: str) -> str:
    return _TOKEN.sub(lambda m: " " if re.search(r"[A-Za-z]", m.group()) else m.group(), text)


def find_in_text(text: str, where: str) -> list[Finding]:
    """Return the plaintext personal numbers in ``text``, reported masked."""
    return [
        Finding(where, str(item.kind), personal.mask(item.kind, item.value))
        for item in freetext.find(_without_tokens(text))
    ]


def scan_lines(lines: Iterable[str], name: str) -> list[Finding]:
    found: list[Finding] = []
    for number, line in enumerate(lines, start=1):
        found.extend(find_in_text(line, f"{name}:{number}"))
    return found


def encrypted_columns() -> set[tuple[str, str]]:
    """Return the (table, column) pairs that hold ciphertext by design."""
    columns: set[tuple[str, str]] = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, personal.PersonalDataField):
                columns.add((model._meta.db_table, field.column))
    return columns


def scan_database(connection: Any = None) -> list[Finding]:
    """Return the plaintext personal numbers in every text column of every table."""
    connection = connection or default_connection
    skip = encrypted_columns()
    found: list[Finding] = []
    introspection = connection.introspection
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in introspection.table_names(cursor):
            columns = []
            for info in introspection.get_table_description(cursor, table):
                try:
                    kind = introspection.get_field_type(info.type_code, info)
                except KeyError:
                    continue
                if kind in _TEXT_TYPES and (table, info.name) not in skip:
                    columns.append(info.name)
            if not columns:
                continue
            selected = ", ".join(quote(c) for c in columns)
            cursor.execute(f"SELECT {selected} FROM {quote(table)}")  # noqa: S608 - introspected
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value:
                        found.extend(find_in_text(str(value), f"{table}.{column}"))
    return found
