"""core.uploads: a file is accepted only if it parses as what its extension says; names."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from xiqia.core import uploads


def workbook_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["项目", "金额"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("contract.pdf", uploads.minimal_pdf("签约合同")),
        ("indicators.xlsx", workbook_bytes()),
        ("letter.docx", zip_bytes({"word/document.xml": b"<w:document/>"})),
        ("licence.ofd", zip_bytes({"OFD.xml": b"<ofd:OFD/>"})),
        ("photo.jpg", b"\xff\xd8\xff\xe0 jpeg"),
    ],
)
def test_check_document_accepts_a_file_that_parses(name: str, content: bytes) -> None:
    uploads.check_document(ContentFile(content, name=name))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        # The PDF magic, then garbage: no cross-reference table, no page.
        ("contract.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 4),
        ("contract.pdf", b"%PDF-1.4 the signed contract"),
        # A ZIP archive named xlsx that holds no workbook.
        ("indicators.xlsx", zip_bytes({"readme.txt": b"not a workbook"})),
        ("indicators.xlsx", b"PK\x03\x04" + b"\x00" * 64),
        ("letter.docx", zip_bytes({"content.xml": b"<x/>"})),
        ("licence.ofd", workbook_bytes()),
    ],
)
def test_check_document_refuses_a_file_with_the_magic_but_not_the_format(
    name: str, content: bytes
) -> None:
    with pytest.raises(ValidationError) as raised, translation.override("en"):
        uploads.check_document(ContentFile(content, name=name))
    assert raised.value.code == "file_unreadable"
    kind = name.rsplit(".", 1)[-1].upper()
    assert raised.value.messages == [
        f"The file starts like a {kind} file but cannot be read as one: it is damaged, "
        f"password-protected or of another kind. Save it again as {kind} and retry."
    ]


def test_check_document_leaves_the_file_position_where_it_was() -> None:
    file = ContentFile(uploads.minimal_pdf(), name="a.pdf")
    file.seek(7)
    uploads.check_document(file)
    assert file.tell() == 7


def test_stored_name_is_generated_with_the_extension() -> None:
    first = uploads.stored_name("张三的身份证 500107199001011234.PDF")
    second = uploads.stored_name("张三的身份证 500107199001011234.PDF")
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", first)
    assert first != second
    assert re.fullmatch(r"[0-9a-f]{32}", uploads.stored_name("no extension"))
    assert re.fullmatch(r"[0-9a-f]{32}", uploads.stored_name("odd.p df"))


def test_original_name_drops_the_directory_and_control_characters() -> None:
    assert uploads.original_name("C:\\Users\\张三\\合同\x00.pdf") == "合同.pdf"
    assert uploads.original_name("/home/zhang/附件.xlsx") == "附件.xlsx"


@given(st.text(min_size=1, max_size=600), st.sampled_from(["", ".pdf", ".xlsx"]))
def test_original_name_fits_in_255_bytes_and_keeps_a_prefix(stem: str, extension: str) -> None:
    name = stem.replace("/", "").replace("\\", "") + extension
    kept = uploads.original_name(name)
    assert len(kept.encode()) <= uploads.ORIGINAL_NAME_BYTES
    cleaned = uploads.original_name(name, limit=10**6)
    if len(cleaned.encode()) <= uploads.ORIGINAL_NAME_BYTES:
        assert kept == cleaned
    else:
        suffix = f".{uploads.extension_of(cleaned)}" if uploads.extension_of(cleaned) else ""
        assert kept.endswith(suffix)
        assert cleaned.startswith(kept[: len(kept) - len(suffix)])
        # Cut as late as a whole character allows: one more character would not fit.
        room = uploads.ORIGINAL_NAME_BYTES - len(kept.encode())
        next_char = cleaned[len(kept) - len(suffix)]
        assert len(next_char.encode()) > room


def test_truncate_utf8_never_splits_a_character() -> None:
    assert uploads.truncate_utf8("西洽会", 7) == "西洽"
    assert uploads.truncate_utf8("西洽会", 9) == "西洽会"
    assert uploads.truncate_utf8("a西", 3) == "a"
