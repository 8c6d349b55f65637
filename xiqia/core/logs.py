"""Logs without personal numbers: one filter for Django's handlers, the dev server and gunicorn.

Every log line passes :class:`PersonalDataFilter`, which masks anything that looks like a
resident ID number or a mainland mobile number, *without* asking the validators: in a log a
false alarm costs nothing and a miss leaks a number (PIPL art. 51; GB/T 35273-2020 §6.3,
personal information shown in logs is de-identified). It also catches the forms a URL gives a
number: digits grouped by ``+``, ``%20`` or ``-`` (``?q=138+0013+8000``).

It is installed

* on the console handler and on Django's development server handler (``django.server``, the
  request log of ``runserver``) in ``settings.LOGGING``;
* on gunicorn's access and error logs by :class:`GunicornLogger` (``--logger-class
  xiqia.core.logs.GunicornLogger`` in ``deploy/systemd/xiqia.service``), since gunicorn writes
  its access log itself, not through Django's logging configuration.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_SEP = r"(?:[ \-+.]|%20|%2[bBdD])?"
_LOOSE_ID = re.compile(
    rf"(?<![0-9])(\d{{6}}){_SEP}((?:\d{_SEP}){{8}})((?:\d{_SEP}){{3}}[\dXx])(?![0-9])"
)
_LOOSE_MOBILE = re.compile(
    rf"(?<![0-9])((?:(?:\+|%2[bB]|00)?86{_SEP})?1[3-9]\d){_SEP}((?:\d{_SEP}){{3}}\d){_SEP}"
    rf"((?:\d{_SEP}){{3}}\d)(?![0-9])"
)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text.replace("%2", "%"))


def scrub(text: str) -> str:
    """Mask every run of digits shaped like an ID or mobile number (log lines, not pages)."""

    def id_mask(match: re.Match[str]) -> str:
        last = re.sub(r"[^\dXx]", "", match.group(3).replace("%2", "%"))[-4:]
        return match.group(1) + "*" * 8 + last

    def mobile_mask(match: re.Match[str]) -> str:
        return match.group(1) + "****" + _digits(match.group(3))[-4:]

    return _LOOSE_MOBILE.sub(mobile_mask, _LOOSE_ID.sub(id_mask, text))


class PersonalDataFilter(logging.Filter):
    """Mask ID and mobile numbers in a log record's message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the record as it is
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


_FILTER = PersonalDataFilter()

try:
    from gunicorn.glogging import Logger as _GunicornBase
except ImportError:  # pragma: no cover - gunicorn is a dependency; this keeps imports cheap
    _GunicornBase = object  # type: ignore[assignment,misc]


class GunicornLogger(_GunicornBase):  # type: ignore[misc,valid-type]
    """gunicorn's logger with the personal-data filter on its access and error logs."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)  # type: ignore[misc]
        for log in (self.error_log, self.access_log):
            log.addFilter(_FILTER)  # the same instance: a reload does not add a second
