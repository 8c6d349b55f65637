"""Settings refuse to start in production with development secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def boot(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECRET_KEY", "PERSONAL_DATA", "XIQIA_ENV", "DEBUG", "ALLOWED_HOSTS"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "xiqia.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_development_secrets() -> None:
    result = boot(XIQIA_ENV="production", ALLOWED_HOSTS="xiqia.example")

    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert "SECRET_KEY" in result.stderr and "PERSONAL_DATA_KEYS" in result.stderr


def test_production_starts_with_real_secrets(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    secret_file = tmp_path / "secret"
    secret_file.write_text("s" * 30 + "-production-secret-from-a-file")
    result = boot(
        XIQIA_ENV="production",
        ALLOWED_HOSTS="xiqia.example",
        SECRET_KEY_FILE=str(secret_file),
        PERSONAL_DATA_KEYS=Fernet.generate_key().decode(),
        PERSONAL_DATA_HASH_KEY="h" * 40,
    )

    assert result.returncode == 0, result.stderr


def test_bad_boolean_fails_loudly() -> None:
    result = boot(DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
