"""Erase voucher holders' personal data once each campaign's retention period has passed.

Run it daily (cron or a systemd timer). Names, ID numbers and account links go; vouchers, their
status, merchants, spends and dates stay, so every statistic stays.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xiqia.tourism import services


class Command(BaseCommand):
    help = "Purge voucher holders' personal data of campaigns past their retention period."

    def handle(self, *args: Any, **options: Any) -> None:
        done = services.purge_due_campaigns()
        for slug, count in done.items():
            self.stdout.write(f"{slug}: {count} vouchers purged")
        self.stdout.write(f"{len(done)} campaigns past retention.")
