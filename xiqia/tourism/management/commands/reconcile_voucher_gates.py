"""Give back the stock that dead claims took in the Redis gate of first-come campaigns.

Claims put it right by themselves when the gate says "sold out" while claims are pending (see
``xiqia/tourism/gate.py``); run this too every minute while a campaign is open (cron or a systemd
timer), and by hand after an incident. It changes nothing in the database.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiqia.tourism import gate
from xiqia.tourism.models import AllocationMode, VoucherCampaign


class Command(BaseCommand):
    help = "Reconcile the Redis gate of each published first-come campaign with the database."

    def handle(self, *args: Any, **options: Any) -> None:
        if not gate.enabled():
            raise CommandError(
                "The voucher gate is off (VOUCHER_GATE_URL and REDIS_URL are empty)."
            )
        campaigns = VoucherCampaign.objects.filter(
            is_published=True, allocation_mode=AllocationMode.FCFS, per_person_limit=1
        ).order_by("slug")
        for campaign in campaigns:
            result = gate.reconcile(campaign)
            aligned = "yes" if result["aligned"] else "no"
            self.stdout.write(
                f"{campaign.slug}: {result['released']} given back, "
                f"{result['confirmed']} confirmed, count aligned: {aligned}"
            )
