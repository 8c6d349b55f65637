"""Deal chains are found through the host region's successor in force (``Deal.chain_region``).

Before, a chain was one investor's subject in one host region, so a project signed under Yubei
(500112) in 2021 and re-signed under Liangjiang (500157), which succeeded it in 2025, began a
second chain and counted in full again. This migration stores each deal's region in force,
joins such split chains (the later chain's first signing becomes a re-signing of the earlier
chain, counting only its increment), and moves the two chain constraints onto the region in
force.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q


def _in_force(region_model: Any) -> dict[int, int]:
    """Return each region's successor in force today (itself when still in force), by id."""
    rows = {
        pk: (valid_to, successor)
        for pk, valid_to, successor in region_model.objects.values_list(
            "pk", "valid_to", "successor"
        )
    }
    result: dict[int, int] = {}
    for start in rows:
        pk, seen = start, {start}
        while rows[pk][0] is not None and rows[pk][1] is not None and rows[pk][1] not in seen:
            pk = rows[pk][1]
            seen.add(pk)
        result[start] = pk
    return result


def join_split_chains(apps: Any, schema_editor: Any) -> None:
    """Join the chains a region's succession split, then store every deal's region in force.

    Within one investor, subject and region in force, the chains are taken in the order of
    their first signing; each later chain's first signing is linked to the earlier chain's
    latest deal and counts its increment, and the later chain keeps its own landing pipeline.
    Chains that overlap in time cannot be joined by a rule: the migration stops and names them.
    """
    if schema_editor.connection.vendor == "postgresql":
        # Check the foreign keys as rows change, so the constraints can be altered afterwards
        # in this transaction (no pending trigger events).
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    deal_model = apps.get_model("investment", "Deal")
    in_force = _in_force(apps.get_model("core", "Region"))
    roots: dict[tuple[int, int, str], list[Any]] = defaultdict(list)
    for root in deal_model.objects.filter(previous__isnull=True).order_by("signed_at", "pk"):
        roots[(root.investor_id, in_force[root.host_region_id], root.subject_key)].append(root)
    for chains in roots.values():
        head = chains[0]
        for later in chains[1:]:
            latest = deal_model.objects.get(Q(pk=head.pk) | Q(root=head.pk), is_current=True)
            if later.signed_at < latest.signed_at:
                raise RuntimeError(
                    f"Deals {latest.pk} and {later.pk} are of one subject in one region in force "
                    "but their chains overlap in time; join them by hand, then migrate again."
                )
            credited = head.credited_event_id or later.credited_event_id
            deal_model.objects.filter(pk=latest.pk).update(is_current=False)
            deal_model.objects.filter(root=later.pk).update(root=head.pk)
            deal_model.objects.filter(pk=later.pk).update(
                previous=latest.pk,
                root=head.pk,
                counts_as_deal=False,
                counted_amount=later.amount - latest.amount,
            )
            deal_model.objects.filter(Q(pk=head.pk) | Q(root=head.pk)).update(
                credited_event=credited
            )
            head.credited_event_id = credited
    hosts = deal_model.objects.values_list("host_region", flat=True).distinct().order_by()
    for host in list(hosts):
        deal_model.objects.filter(host_region=host).update(chain_region=in_force[host])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_calendarday_historicalcalendarday"),
        ("investment", "0005_deal_waiting_to_start_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="deal",
            name="chain_region",
            field=models.ForeignKey(
                null=True,
                editable=False,
                help_text="The host region's successor in force when the deal was recorded.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
                verbose_name="region of the chain",
            ),
        ),
        migrations.AddField(
            model_name="historicaldeal",
            name="chain_region",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                help_text="The host region's successor in force when the deal was recorded.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="core.region",
                verbose_name="region of the chain",
            ),
        ),
        migrations.RunPython(join_split_chains, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="deal",
            name="chain_region",
            field=models.ForeignKey(
                editable=False,
                help_text="The host region's successor in force when the deal was recorded.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
                verbose_name="region of the chain",
            ),
        ),
        migrations.RemoveConstraint(model_name="deal", name="deal_one_chain_per_subject"),
        migrations.RemoveConstraint(model_name="deal", name="deal_one_current_per_subject"),
        migrations.AddConstraint(
            model_name="deal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("previous__isnull", True)),
                fields=("investor", "chain_region", "subject_key"),
                name="deal_one_chain_per_subject",
            ),
        ),
        migrations.AddConstraint(
            model_name="deal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_current", True)),
                fields=("investor", "chain_region", "subject_key"),
                name="deal_one_current_per_subject",
            ),
        ),
    ]
