"""Checks of uploaded documents: size, and a type read from the content, not the name.

Evidence and contracts come as PDF, OFD (China's fixed-layout format), images or office files.
A file is accepted when its extension is one of those *and* its first bytes carry that format's
signature, so a renamed executable or script is refused. The limit is
``settings.UPLOAD_MAX_BYTES`` (default 20 MB).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

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
    name = getattr(file, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    accepted = ", ".join(sorted(SIGNATURES))
    if extension not in SIGNATURES:
        raise ValidationError(
            _("This kind of file is not accepted; send one of: %(kinds)s.") % {"kinds": accepted},
            code="file_type",
        )
    position = file.tell() if hasattr(file, "tell") else None
    file.seek(0)
    head = file.read(16)
    if position is not None:
        file.seek(position)
    if not any(head.startswith(signature) for signature in SIGNATURES[extension]):
        raise ValidationError(
            _("The file's content is not a %(kind)s file.") % {"kind": extension.upper()},
            code="file_content",
        )
