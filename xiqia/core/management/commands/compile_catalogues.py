"""Compile the translation catalogues (.po to .mo) in Python, so no gettext tools are needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every .po catalogue under LOCALE_PATHS to .mo (pure Python, via polib)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(po_path))
                untranslated = [e.msgid for e in catalogue.untranslated_entries()]
                if untranslated:
                    example = untranslated[0]
                    raise CommandError(
                        f"{po_path}: {len(untranslated)} untranslated strings, e.g. {example!r}"
                    )
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
        self.stdout.write(f"Compiled {count} catalogue(s).")
