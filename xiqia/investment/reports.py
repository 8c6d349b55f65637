"""What the investment dashboards and the KPI workbook show: one report, from the selectors.

The pages and the Excel export both call :func:`report_for`, so a figure in the workbook is
the figure on the page. Every number comes from ``selectors.dashboard`` (the same aggregates
as ``selectors.kpi_summary`` and ``selectors.kpis_by``, with the region's area looked up once);
this module only chooses the slices and labels the rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from xiqia.accounts import access
from xiqia.accounts.models import Role
from xiqia.core.models import Region
from xiqia.investment import selectors
from xiqia.investment.models import Cluster
from xiqia.investment.policies import reads_everything

# The headline figures, in order: (name on Kpis, label, kind of value, definition's key).
HEADLINE: tuple[tuple[str, Any, str, str], ...] = (
    ("deals_signed", _("Deals signed"), "count", "deals_signed"),
    ("amount_signed", _("Amount signed"), "yuan", "amount_signed"),
    ("amount_revised_down", _("Amount revised down"), "yuan", "amount_revised_down"),
    ("contracts", _("Formal contracts"), "count", "contracts"),
    ("performance_rate", _("Performance rate (履约率)"), "rate", "performance_rate"),
    ("start_rate", _("Start rate (开工率)"), "rate", "start_rate"),
    ("production_rate", _("Production rate (投产率)"), "rate", "production_rate"),
    ("funds_in_place", _("Funds in place (资金到位)"), "yuan", "funds_in_place"),
    ("funds_rate", _("Funds rate"), "rate", "funds_in_place"),
    ("overdue_start", _("Overdue to start (超时限未开工)"), "count", "overdue_start"),
)

# The columns of each breakdown's table (and sheet).
COLUMNS: tuple[tuple[str, Any, str], ...] = (
    ("deals_signed", _("Deals signed"), "count"),
    ("amount_signed", _("Amount signed"), "yuan"),
    ("amount_revised_down", _("Amount revised down"), "yuan"),
    ("contracts", _("Formal contracts"), "count"),
    ("started", _("Construction started"), "count"),
    ("in_production", _("In production"), "count"),
    ("start_rate", _("Start rate"), "rate"),
    ("overdue_start", _("Overdue to start"), "count"),
    ("funds_in_place", _("Funds in place"), "yuan"),
)

# The landing funnel of the formal contracts.
FUNNEL: tuple[tuple[str, Any], ...] = (
    ("contracts", _("Formal contracts")),
    ("registered", _("Registered")),
    ("started", _("Construction started")),
    ("in_production", _("In production")),
    ("at_capacity", _("At capacity")),
)

BREAKDOWN_TITLES: dict[str, Any] = {
    "year": _("By year"),
    "region": _("By district"),
    "cluster": _("By industry cluster"),
    "event": _("By fair event"),
    "fair": _("By fair"),
}


@dataclass
class Breakdown:
    dimension: str
    title: str
    rows: list[selectors.Kpis]


@dataclass
class Report:
    """The KPIs of one slice (everything, a district or a cluster) and their breakdowns."""

    title: str
    as_of: datetime.date
    published_only: bool
    summary: selectors.Kpis
    breakdowns: list[Breakdown] = field(default_factory=list)
    region: Region | None = None
    cluster: Cluster | None = None

    def headline(self) -> list[dict[str, Any]]:
        """Return the headline figures with their labels and definitions."""
        return [
            {
                "name": name,
                "label": str(label),
                "kind": kind,
                "value": getattr(self.summary, name),
                "definition": str(selectors.DEFINITIONS[definition]),
            }
            for name, label, kind, definition in HEADLINE
        ]

    def funnel(self) -> list[tuple[str, int]]:
        return [(str(label), getattr(self.summary, name)) for name, label in FUNNEL]


def published_only_for(who: Any, region: Region | None = None) -> bool:
    """Return whether ``who`` sees only the fairs' published results (the API's rule too).

    Analysts, administrators and fair organisers read every deal; a district officer reads
    every deal of a region in their reach; everyone else reads the published results.
    """
    principal = (
        who
        if isinstance(who, access.Principal)
        else access.principal_for(getattr(who, "user", who))
    )
    if reads_everything(principal) or principal.has(Role.FAIR_ORGANISER):
        return False
    if region is not None and principal.has(Role.DISTRICT_OFFICER):
        return not principal.covers_region_code(region.code)
    return True


def report_for(
    *,
    who: Any,
    region: Region | None = None,
    cluster: Cluster | None = None,
    as_of: datetime.date | None = None,
) -> Report:
    """Return the report of the leader's overview, a district's or a cluster's dashboard."""
    as_of = as_of or selectors.today()
    published_only = published_only_for(who, region or (cluster.region if cluster else None))
    if cluster is not None:
        title = str(cluster)
    elif region is not None:
        title = str(region.name)
    else:
        title = str(_("All districts"))
    dimensions = selectors.dashboard_dimensions(region, cluster)
    board = selectors.dashboard(
        region=region,
        cluster=cluster,
        as_of=as_of,
        published_only=published_only,
        dimensions=dimensions,
    )
    breakdowns = [Breakdown(d, str(BREAKDOWN_TITLES[d]), board.breakdown(d)) for d in dimensions]
    return Report(title, as_of, published_only, board.summary, breakdowns, region, cluster)


YI = Decimal(100_000_000)


def in_yi(amount: Decimal | None) -> float | None:
    """Return an amount in 亿元 (100 million yuan) for a chart axis, to two places."""
    if amount is None:
        return None
    return float((Decimal(amount) / YI).quantize(Decimal("0.01")))
