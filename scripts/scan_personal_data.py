#!/usr/bin/env python
"""Fail when a log file or the database holds a plaintext ID or mobile number.

    python scripts/scan_personal_data.py --log test-logs.txt [--log more.txt] [--database]

``--database`` scans the database that ``DATABASE_URL`` (or the default SQLite file) names;
run after ``pytest -p tests.pdscan_plugin --personal-data-log=test-logs.txt``, the plugin has
already scanned each test's database before its rollback, and this scans the log it wrote.
Findings are printed masked. Exit status: 0 clean, 1 found, 2 usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", action="append", default=[], type=Path, help="a log file")
    parser.add_argument("--database", action="store_true", help="scan the database too")
    args = parser.parse_args(argv)
    if not args.log and not args.database:
        parser.print_usage(sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiqia.settings")
    import django

    django.setup()
    from xiqia.core import pdscan

    found: list[pdscan.Finding] = []
    for path in args.log:
        with path.open(encoding="utf-8", errors="replace") as lines:
            found.extend(pdscan.scan_lines(lines, str(path)))
    if args.database:
        found.extend(pdscan.scan_database())
    for finding in found:
        print(f"plaintext personal number: {finding}")
    print(f"{len(found)} plaintext personal number(s) found.", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
