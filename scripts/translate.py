"""Refresh the Chinese catalogue and fill it from msgid → msgstr mappings (JSON files).

    .venv/bin/python scripts/translate.py [mapping.json ...]

Runs ``makemessages`` (strings added, strings gone dropped), then fills every untranslated or
fuzzy entry whose msgid a mapping gives. A plural entry takes a list ``[singular, plural]`` or a
string (Chinese has one form). Several people can run it at once: a lock serialises the work.
Prints what is still untranslated, so the next mapping knows what to give.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "xiqia" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main(paths: list[str]) -> int:
    mapping: dict[str, str | list[str]] = {}
    for path in paths:
        mapping.update(json.loads(Path(path).read_text(encoding="utf-8")))
    with open(CATALOGUE.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "zh_Hans",
                "--no-obsolete",
                "--ignore=.venv",
                "--ignore=node_modules",
                "--ignore=benchmarks",
                "--ignore=scripts",
                "--ignore=tests",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**os.environ, "XIQIA_ENV": os.environ.get("XIQIA_ENV", "test")},
        )
        catalogue = polib.pofile(str(CATALOGUE))
        filled = 0
        for entry in catalogue:
            if entry.obsolete or (entry.translated() and "fuzzy" not in entry.flags):
                continue
            given = mapping.get(entry.msgid)
            if given is None:
                continue
            if entry.msgid_plural:
                forms = [given] if isinstance(given, str) else given
                entry.msgstr_plural = {0: forms[0]}
            else:
                entry.msgstr = given if isinstance(given, str) else given[0]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = None
                entry.previous_msgid_plural = None
            filled += 1
        catalogue.save()
        msgcat = shutil.which("msgcat")
        if msgcat:  # back to gettext's own line wrapping, so diffs stay small
            subprocess.run([msgcat, "-o", str(CATALOGUE), str(CATALOGUE)], check=True)  # noqa: S603
        missing = [e.msgid for e in catalogue.untranslated_entries()]
        missing += [e.msgid for e in catalogue.fuzzy_entries()]
    print(f"filled {filled}; still untranslated or fuzzy: {len(missing)}")
    for msgid in missing:
        print(f"  {msgid!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
