"""pytest plugin: no plaintext personal number in the database or the logs of a test run.

    pytest -p tests.pdscan_plugin --personal-data-scan --personal-data-log=test-logs.txt
    python scripts/scan_personal_data.py --log test-logs.txt

``--personal-data-scan`` scans every table (``core.pdscan.scan_database``) at the end of each
test that uses the ``db`` fixture, before its transaction is rolled back, and fails the test
on a find. ``--personal-data-log`` appends what the app logs (root and the development
server's logger, through the same personal-data filter as the console) to a file, which the
script then scans. Off by default: a scan per test costs time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("personal data")
    group.addoption("--personal-data-scan", action="store_true", default=False)
    group.addoption("--personal-data-log", default=None, metavar="PATH")


@pytest.fixture(scope="session", autouse=True)
def _personal_data_log(request: pytest.FixtureRequest) -> Iterator[None]:
    path = request.config.getoption("--personal-data-log")
    if not path:
        yield
        return
    from xiqia.core.logs import PersonalDataFilter

    handler = logging.FileHandler(path, encoding="utf-8")
    handler.addFilter(PersonalDataFilter())
    handler.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(), logging.getLogger("django.server")]
    for logger in loggers:
        logger.addHandler(handler)
    yield
    for logger in loggers:
        logger.removeHandler(handler)
    handler.close()


@pytest.fixture(autouse=True)
def _personal_data_scan(request: pytest.FixtureRequest) -> Iterator[None]:
    if not request.config.getoption("--personal-data-scan") or "db" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("db")  # set up inside this fixture: torn down after the scan
    yield
    from xiqia.core.pdscan import scan_database

    found: list[Any] = scan_database()
    if found:
        pytest.fail(
            "plaintext personal numbers in the database:\n" + "\n".join(map(str, found)),
            pytrace=False,
        )
