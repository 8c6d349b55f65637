"""Remind the departments of green-channel requests that near their time limit (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xiqia.govservice.green_channel import requests_remind


class Command(BaseCommand):
    help = "Mark and list the green-channel requests whose reminder day has come."

    def handle(self, *args: Any, **options: Any) -> None:
        for request in requests_remind():
            self.stdout.write(f"{request.number}\t{request.department or '-'}\t{request.due_on}")
