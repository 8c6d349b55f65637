"""JSON bodies read one way everywhere: strict, and never nested deeper than the API needs.

Python's JSON decoder recurses once per level of nesting: a body of 50,000 opening brackets
exhausts the interpreter's stack (``RecursionError``), which DRF's parser does not catch, so it
became a 500. No API input nests more than a few levels, so a body nested deeper than
:data:`MAX_DEPTH` is refused as malformed (400, code ``malformed``) before anything reads it: by
:class:`JSONParser` (every API view, which also holds a body to ``DATA_UPLOAD_MAX_MEMORY_SIZE``
as ``request.body`` does: 413) and by :func:`loads` (the hot paths in
``xiqia/core/hotpaths.py``, which parse before authenticating).
"""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings

MAX_DEPTH = 32


class TooDeep(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON (RFC 8259, section 6)


def loads(data: str | bytes) -> Any:
    """Decode a JSON document; ``ValueError`` if malformed, ``TooDeep`` if nested too deeply."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise TooDeep(MAX_DEPTH) from None
    check_depth(value)
    return value


def check_depth(value: Any) -> None:
    """Raise ``TooDeep`` when containers nest more than :data:`MAX_DEPTH` levels (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            raise TooDeep(MAX_DEPTH)
        stack.extend((child, depth + 1) for child in children)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than :data:`MAX_DEPTH` with a 400."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        request = (parser_context or {}).get("request")
        if request is not None:
            request = request._request
            # Django's request.body refuses a body over the limit; DRF's stream does not.
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            length = request.META.get("CONTENT_LENGTH") or "0"
            if limit is not None and length.isdigit() and int(length) > limit:
                raise RequestDataTooBig
        try:
            text = codecs.getreader(encoding)(stream).read()
            if api_settings.STRICT_JSON:
                return loads(text)
            value = json.loads(text)
            check_depth(value)
            return value
        except (TooDeep, RecursionError):
            raise ParseError(
                _("The JSON body is nested more than %(depth)d levels deep.") % {"depth": MAX_DEPTH}
            ) from None
        except ValueError as exc:
            raise ParseError(_("The JSON body is malformed: %(error)s") % {"error": exc}) from None
