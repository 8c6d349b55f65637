"""Load the demo: facts from the source document, then seeded generated data. Idempotent."""

from __future__ import annotations

import importlib
import random
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from xiqia.core.models import Region
from xiqia.core.regions import sync_regions

SEED = 20210520  # the fair's opening day: every run generates the same data


class Command(BaseCommand):
    help = "Load the demo data (facts, then generated records). Running it twice changes nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=SEED)
        parser.add_argument(
            "--quiet-accounts", action="store_true", help="Do not print the demo accounts."
        )

    def handle(self, *args: Any, seed: int, quiet_accounts: bool, **options: Any) -> None:
        self.stdout.write("Regions (GB/T 2260, with history)…")
        written = sync_regions(Region)
        self.stdout.write(f"  {Region.objects.count()} region periods, {written} written")
        modules = []
        for config in apps.get_app_configs():
            if not config.name.startswith("xiqia."):
                continue
            try:
                modules.append((config.label, importlib.import_module(f"{config.name}.demo")))
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
        rng = random.Random(seed)  # noqa: S311 (demo data, not security)
        with transaction.atomic():
            for label, module in modules:
                if hasattr(module, "load_facts"):
                    self.stdout.write(f"{label}: facts… {module.load_facts()}")
            for label, module in modules:
                if hasattr(module, "load_generated"):
                    self.stdout.write(f"{label}: generated… {module.load_generated(rng)}")
        if not quiet_accounts:
            from xiqia.accounts.demo import ACCOUNTS, DEMO_PASSWORD

            self.stdout.write(
                self.style.SUCCESS(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
            )
            for account in ACCOUNTS:
                scope = account.region or account.organisation or ""
                self.stdout.write(f"  {account.username:<12} {account.role.label}  {scope}")
