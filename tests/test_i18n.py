"""Chinese first, English complete: the catalogue translates every string the code marks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "xiqia" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_catalogue_has_no_untranslated_or_fuzzy_entries() -> None:
    catalogue = polib.pofile(str(CATALOGUE))

    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


def test_catalogue_placeholders_match() -> None:
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    for entry in polib.pofile(str(CATALOGUE)):
        translated = entry.msgstr or entry.msgstr_plural.get(0, "")
        assert sorted(placeholder.findall(entry.msgid)) == sorted(
            placeholder.findall(translated)
        ), entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext to extract strings")
def test_catalogue_covers_every_marked_string(tmp_path: Path) -> None:
    """Extract the strings anew: each must be in the catalogue (a forgotten makemessages)."""
    work = tmp_path / "xiqia"
    shutil.copytree(ROOT / "xiqia", work, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (work / "locale").mkdir()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=work,
        # Without settings, makemessages writes to the copy's ./locale, never to the real one.
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        check=True,
        capture_output=True,
    )
    extracted = {e.msgid for e in polib.pofile(str(work / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in polib.pofile(str(CATALOGUE))}

    assert sorted(extracted - known) == []


@pytest.mark.django_db
def test_home_page_is_chinese_by_default_and_english_on_request() -> None:
    chinese = Client().get("/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()

    assert "名录" in chinese and "Directory" not in chinese
    assert "Directory" in english and "名录" not in english


@pytest.mark.django_db
def test_language_switch_sets_the_cookie() -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert "Directory" in client.get("/").content.decode()
    with translation.override("zh-hans"):
        client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "名录" in client.get("/").content.decode()


@pytest.mark.django_db
def test_sign_in_switches_to_the_preferred_language() -> None:
    from tests.conftest import PASSWORD, make_user

    person = make_user("smith")
    person.preferred_language = "en"
    person.save()
    client = Client()

    client.post("/accounts/login/", {"username": "smith", "password": PASSWORD})

    assert "Directory" in client.get("/").content.decode()
