"""Checks of uploaded documents: size, and a type read from the content, not the name.

Evidence and contracts come as PDF, OFD (China's fixed-layout format), images or office files.
A file is accepted when its extension is one of those, its first bytes carry that format's
signature, *and*, for the formats a well-kept parser can read, the parser reads it: a PDF must
open with pypdf and have a page, an xlsx workbook must open with openpyxl, a docx or an OFD must
be a ZIP archive with the part that format requires (``word/document.xml``; ``OFD.xml``, GB/T
33190-2016 §7.1). A renamed executable, or a file that only starts with ``%PDF-``, is refused.
The limit is ``settings.UPLOAD_MAX_BYTES`` (default 20 MB).

Stored files get a generated name (:func:`stored_name`): the name a user's computer gave the
file can be hundreds of bytes long (a file system allows 255 bytes per name, and 300 Chinese
characters are 900 bytes in UTF-8), can carry a person's name or number, and would be guessable.
The original name is kept as data (:func:`original_name`), cut to :data:`ORIGINAL_NAME_BYTES`
bytes of UTF-8 on a character boundary.
"""

from __future__ import annotations

import io
import os
import unicodedata
import uuid
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
ORIGINAL_NAME_BYTES = 255

# The signatures (first bytes) of each accepted extension. OFD, DOCX and XLSX are ZIP
# containers; DOC and XLS are OLE compound files.
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "ofd": _ZIP,
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "docx": _ZIP,
    "xlsx": _ZIP,
    "doc": _OLE,
    "xls": _OLE,
}


def max_upload_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def extension_of(name: str) -> str:
    """Return the lower-case extension of a file name, without the dot ("" when none)."""
    base = os.path.basename(str(name or ""))
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _read_all(file: Any) -> bytes:
    position = file.tell() if hasattr(file, "tell") else None
    file.seek(0)
    content = file.read()
    file.seek(position if position is not None else 0)
    return content


def _parses_as_pdf(content: bytes) -> bool:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            return False
        return len(reader.pages) > 0
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError):
        # pypdf reports a broken file through its own errors, and, for some garbage, through
        # the built-in ones its parser meets on the way.
        return False


def _parses_as_xlsx(content: bytes) -> bool:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises whatever its ZIP and XML readers meet in garbage
        return False
    try:
        return len(workbook.sheetnames) > 0
    finally:
        workbook.close()


def _zip_with(part: str) -> Any:
    def check(content: bytes) -> bool:
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = {name.lstrip("/") for name in archive.namelist()}
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return part in names

    return check


# What each format's parser says of the content; formats without an entry are checked by their
# signature only (images, and the old binary Office formats).
PARSERS = {
    "pdf": _parses_as_pdf,
    "xlsx": _parses_as_xlsx,
    "docx": _zip_with("word/document.xml"),
    "ofd": _zip_with("OFD.xml"),
}


def check_document(file: Any) -> None:
    """Raise ``ValidationError`` unless ``file`` is an accepted document within the size limit."""
    if not file:
        raise ValidationError(_("Choose a file."), code="required")
    limit = max_upload_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    extension = extension_of(getattr(file, "name", "") or "")
    accepted = ", ".join(sorted(SIGNATURES))
    if extension not in SIGNATURES:
        raise ValidationError(
            _("This kind of file is not accepted; send one of: %(kinds)s.") % {"kinds": accepted},
            code="file_type",
        )
    content = _read_all(file)
    if not any(content.startswith(signature) for signature in SIGNATURES[extension]):
        raise ValidationError(
            _("The file's content is not a %(kind)s file.") % {"kind": extension.upper()},
            code="file_content",
        )
    parser = PARSERS.get(extension)
    if parser is not None and not parser(content):
        raise ValidationError(
            _(
                "The file starts like a %(kind)s file but cannot be read as one: it is damaged, "
                "password-protected or of another kind. Save it again as %(kind)s and retry."
            )
            % {"kind": extension.upper()},
            code="file_unreadable",
        )


def stored_name(name: str) -> str:
    """Return a generated file name for storage: random, with the original's extension."""
    extension = extension_of(name)
    stem = uuid.uuid4().hex
    return f"{stem}.{extension}" if extension.isalnum() and extension.isascii() else stem


def truncate_utf8(text: str, limit: int) -> str:
    """Return ``text`` cut to at most ``limit`` bytes of UTF-8, never inside a character."""
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode(errors="ignore")


def original_name(name: str, limit: int = ORIGINAL_NAME_BYTES) -> str:
    """Return the name a file was uploaded with, fit to keep as data.

    The directory part (some browsers send a path) and control characters are dropped, the
    text is NFC-normalised, and a name over ``limit`` bytes of UTF-8 loses the end of its stem,
    keeping its extension.
    """
    base = os.path.basename(str(name or "").replace("\\", "/"))
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base.encode()) <= limit:
        return base
    extension = extension_of(base)
    suffix = f".{extension}" if extension and len(extension.encode()) < limit // 2 else ""
    stem = base[: -len(suffix)] if suffix else base
    return truncate_utf8(stem, limit - len(suffix.encode())) + suffix


def minimal_pdf(title: str = "") -> bytes:
    """Return a valid one-page blank PDF (with ``title`` in its metadata), for demo data."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4 in points
    if title:
        writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
