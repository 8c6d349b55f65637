"""Record the reminders of green-channel requests that near or pass their time limit.

Run it from the scheduler (every hour suits limits in hours); it is idempotent: each request
gets at most one reminder of each kind, however often it runs. Officers see the reminders on
the green-channel queue and on the request's page.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xiqia.govservice.green_channel import requests_remind


class Command(BaseCommand):
    help = "Record the green-channel reminders that have come due (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        reminders = requests_remind()
        for reminder in reminders:
            self.stdout.write(
                f"{reminder.request.number}\t{reminder.kind}\t"
                f"{reminder.department or '-'}\t{reminder.due_at:%Y-%m-%d %H:%M}"
            )
        self.stdout.write(f"{len(reminders)} reminder(s) recorded.")
