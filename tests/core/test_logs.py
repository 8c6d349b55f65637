"""Logs carry no personal numbers: the console, Django's request log, runserver's and gunicorn's."""

from __future__ import annotations

import datetime
import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from gunicorn.config import Config
from hypothesis import given
from hypothesis import strategies as st

from xiqia.core.logs import GunicornLogger, PersonalDataFilter, scrub

NUMBER = "13800138000"
ID_NUMBER = "11010519491231002X"


def assert_no_number(text: str) -> None:
    assert NUMBER not in text
    assert "0013" not in text  # the hidden middle digits of 138 0013 8000


@pytest.fixture
def handler_output() -> Iterator[dict[str, io.StringIO]]:
    """Point the configured handlers (root console, django.server) at buffers for a test."""
    outputs: dict[str, io.StringIO] = {}
    swapped = []
    for name in ("", "django.server"):
        for handler in logging.getLogger(name).handlers:
            if type(handler) is logging.StreamHandler:  # not pytest's capture handlers
                buffer = io.StringIO()
                swapped.append((handler, handler.setStream(buffer)))
                outputs[name or "root"] = buffer
    yield outputs
    for handler, stream in swapped:
        handler.setStream(stream)


def test_dev_server_request_log_masks_a_phone_number_in_the_query(
    handler_output: dict[str, io.StringIO],
) -> None:
    # What runserver's WSGIRequestHandler.log_message logs for each request.
    logging.getLogger("django.server").info(
        '"%s" %s %s',
        f"GET /directory/?q={NUMBER} HTTP/1.1",
        "200",
        "5120",
        extra={"status_code": 200, "server_time": "20/May/2026 09:00:00"},
    )
    line = handler_output["django.server"].getvalue()
    assert line == '[20/May/2026 09:00:00] "GET /directory/?q=138****8000 HTTP/1.1" 200 5120\n'


@pytest.mark.django_db
def test_django_request_log_masks_a_number_in_the_path(
    handler_output: dict[str, io.StringIO],
) -> None:
    response = Client().get(f"/no-such-page/{NUMBER}/?q={NUMBER}")
    assert response.status_code == 404
    logged = handler_output["root"].getvalue()
    assert "Not Found: /no-such-page/138****8000/" in logged
    assert_no_number(logged)


def test_gunicorn_access_log_masks_a_phone_number_in_the_query(tmp_path: Path) -> None:
    log_file = tmp_path / "access.log"
    config = Config()
    config.set("accesslog", str(log_file))
    config.set("logger_class", "xiqia.core.logs.GunicornLogger")
    logger = config.logger_class(config)
    assert isinstance(logger, GunicornLogger)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/directory/?q={NUMBER}",
        "PATH_INFO": "/directory/",
        "QUERY_STRING": f"q={NUMBER}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.9",
        "HTTP_REFERER": f"https://xiqia.example/search/?q=138+0013+8000&id={ID_NUMBER}",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()

    line = log_file.read_text()
    assert '"GET /directory/?q=138****8000 HTTP/1.1" 200 512' in line
    assert "q=138****8000&id=110105********002X" in line
    assert_no_number(line)
    assert ID_NUMBER not in line


def test_filter_masks_a_traceback() -> None:
    try:
        raise ValueError(f"no user with phone {NUMBER}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    PersonalDataFilter().filter(record)
    assert "no user with phone 138****8000" in record.exc_text
    assert NUMBER not in record.exc_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("q=138+0013+8000", "q=138****8000"),
        ("q=138%200013%208000", "q=138****8000"),
        ("q=138-0013-8000", "q=138****8000"),
        ("tel=%2B8613800138000", "tel=%2B86138****8000"),
        ("took 1234567 ms at 2026-05-20", "took 1234567 ms at 2026-05-20"),
    ],
)
def test_scrub_masks_the_forms_a_url_gives_a_number(text: str, expected: str) -> None:
    assert scrub(text) == expected


@given(
    st.text(alphabet="abc /?=&中文", max_size=20),
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.sampled_from(["", " ", "+", "-", "%20"]),
)
def test_scrub_never_lets_a_mobile_through_in_any_grouping(
    around: str, number: str, separator: str
) -> None:
    grouped = separator.join([number[:3], number[3:7], number[7:]])
    assert scrub(f"{around}{grouped}{around}") == f"{around}{number[:3]}****{number[7:]}{around}"
