"""The personal-data scanner finds plaintext numbers, and only those (it can fail)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import World
from xiqia.core import pdscan
from xiqia.core.freetext import MARKER

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "scripts" / "scan_personal_data.py"
ID_NUMBER = "11010519491231002X"


def test_find_in_text_reports_masked_numbers_and_skips_tokens() -> None:
    text = (
        f"GET /?q=13800138000 id={ID_NUMBER} "
        "digest=a13800138000b6f0e0c1d2e3f4a5b6c7d8e9f0a1b2c3 gAAAAABn13800138000xyzXYZ_-abcdEFGH= "
        "order 20210520123456 masked 138****8000"
    )
    found = pdscan.find_in_text(text, "x")
    assert [str(f) for f in found] == ["x: phone 138****8000", "x: id_number 110105********002X"]


@pytest.mark.django_db
def test_scan_database_finds_a_plaintext_number_in_a_text_column(world: World) -> None:
    assert pdscan.scan_database() == []
    organisation = world.yubei_org
    type(organisation).objects.filter(pk=organisation.pk).update(
        description_zh="联系人手机 13800138000"
    )

    found = pdscan.scan_database()

    assert [str(f) for f in found] == ["directory_organisation.description_zh: phone 138****8000"]


@pytest.mark.django_db
def test_scan_database_skips_encrypted_columns_and_protected_text(world: World) -> None:
    from xiqia.accounts.models import User

    user = User.objects.first()
    user.phone = "13800138000"
    user.save()
    organisation = world.yubei_org
    organisation.description_zh = "手机 138****8000" + MARKER + "gAAAAABfake13800138000token"
    organisation.save()
    assert pdscan.scan_database() == []


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_script_fails_on_a_log_with_a_number_and_passes_a_clean_one(tmp_path: Path) -> None:
    dirty = tmp_path / "dirty.log"
    dirty.write_text('[20/May/2026 09:00:00] "GET /?q=13800138000 HTTP/1.1" 200 5\n')
    clean = tmp_path / "clean.log"
    clean.write_text('[20/May/2026 09:00:00] "GET /?q=138****8000 HTTP/1.1" 200 5\n')

    failed = run_script("--log", str(dirty))
    passed = run_script("--log", str(clean))

    assert failed.returncode == 1
    assert failed.stdout == f"plaintext personal number: {dirty}:1: phone 138****8000\n"
    assert "13800138000" not in failed.stdout + failed.stderr
    assert passed.returncode == 0
    assert passed.stdout == ""
    assert run_script().returncode == 2
