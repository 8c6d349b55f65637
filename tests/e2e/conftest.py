"""Browser tests: Playwright drives Debian's Chromium against a live server with the demo loaded."""

from __future__ import annotations

import os
import sqlite3
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from xiqia.accounts.demo import DEMO_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


class DemoSnapshot:
    """The demo's rows, copied after the first load and put back before each later browser test.

    Loading the demo takes seconds of CPU; restoring a copy takes a fraction of one. On SQLite the
    copy is a whole in-memory database (the ``backup`` API); on PostgreSQL it is a schema of
    plain tables in the test database, put back with ``TRUNCATE`` and ``INSERT ... SELECT`` in one
    transaction (foreign keys are deferred), then the sequences are reset.
    """

    SCHEMA = "xiqia_demo_snapshot"

    def __init__(self) -> None:
        self.taken = False
        self._sqlite: sqlite3.Connection | None = None

    def _tables(self) -> list[str]:
        return sorted(connection.introspection.django_table_names(only_existing=True))

    def take(self) -> None:
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            self._sqlite = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self._sqlite)
        else:
            qn = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {self.SCHEMA} CASCADE")
                cursor.execute(f"CREATE SCHEMA {self.SCHEMA}")
                for table in self._tables():
                    cursor.execute(  # table names from Django's introspection, quoted
                        f"CREATE TABLE {self.SCHEMA}.{qn(table)} AS SELECT * FROM {qn(table)}"  # noqa: S608
                    )
        self.taken = True

    def restore(self) -> None:
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            assert self._sqlite is not None
            self._sqlite.backup(connection.connection)
        else:
            self._restore_postgresql()
        ContentType.objects.clear_cache()

    def _restore_postgresql(self) -> None:
        qn = connection.ops.quote_name
        tables = self._tables()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(f"TRUNCATE {', '.join(map(qn, tables))} RESTART IDENTITY CASCADE")
            for table in tables:
                cursor.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema ="
                    " current_schema() AND table_name = %s AND is_generated = 'NEVER'"
                    " ORDER BY ordinal_position",
                    [table],
                )
                columns = ", ".join(qn(row[0]) for row in cursor.fetchall())
                source = f"{self.SCHEMA}.{qn(table)}"
                sql = f"INSERT INTO {qn(table)} ({columns}) SELECT {columns} FROM {source}"  # noqa: S608
                cursor.execute(sql)  # names from the catalogue, quoted
            models = apps.get_models(include_auto_created=True)
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)


_SNAPSHOT = DemoSnapshot()


@pytest.fixture
def demo(transactional_db: Any, live_server: Any) -> str:
    """Put the demo into the live server's database and return the server's address.

    The first browser test loads it with ``load_demo``; later ones restore the copy taken then
    (``DemoSnapshot``), so every test still starts from the same freshly loaded demo.
    """
    if _SNAPSHOT.taken:
        _SNAPSHOT.restore()
    else:
        call_command("load_demo", stdout=StringIO())
        _SNAPSHOT.take()
    return live_server.url


def sign_in(page: Any, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#main form button[type=submit]")
    page.wait_for_url(f"{base}/")
