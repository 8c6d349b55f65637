"""Reads of the investment module: the KPIs, overdue deals and the catalogue search.

Every KPI is computed here and only here: pages, the API and the exports call these functions
and show their figures with the definitions below. Each selector aggregates in the database
with a constant number of queries, whatever the number of deals.

Two kinds of rows are aggregated (see ``models`` for the counting fields):

* *counting* rows: every deal. ``counts_as_deal`` counts each chain once and
  ``counted_amount`` adds each signing's increment. Grouped by fair or event through
  ``credited_event`` (the chain's first fair event), by year through ``signed_at`` (the year
  each increment was signed).
* *pipeline* rows: the latest deal of each chain that is a formal contract (``is_current`` and
  ``kind = contract``): the landing is followed on contracts only. Grouped by year through
  ``contract_signed_on`` (the year of the chain's first formal contract).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.fields import BooleanField
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiqia.accounts import access
from xiqia.core.models import Region
from xiqia.core.money import AmountField
from xiqia.core.text import query_words
from xiqia.investment.models import (
    Cluster,
    ClusterIndicator,
    Deal,
    DealKind,
    DealStatus,
    Milestone,
    Project,
    ProjectWord,
)
from xiqia.investment.policies import PUBLISHED_RESULT

# The definitions the pages, the API and the exports show beside each figure.
DEFINITIONS: dict[str, Any] = {
    "deals_signed": _(
        "Deals signed: the number of projects signed. A project signed by one investor in one "
        "region counts once, however often it is upgraded or re-signed."
    ),
    "amount_signed": _(
        "Amount signed: a project's first signing counts in full, each upgrade or added capital "
        "only by its increment, so a project adds up to its latest agreed amount. By fair or "
        "event, a project counts for the first fair event where it was signed; by year, each "
        "signing counts in the year it was signed."
    ),
    "contracts": _(
        "Formal contracts: projects whose latest signing is a formal contract; the landing "
        "rates are computed over them, by the year of their first formal contract."
    ),
    "performance_rate": _(
        "Performance rate (履约率): of the formal contracts whose deadline to start construction "
        "has passed, the share that started construction by that deadline."
    ),
    "start_rate": _(
        "Start rate (开工率): the share of formal contracts whose construction has started."
    ),
    "production_rate": _(
        "Production rate (投产率): the share of formal contracts that are in production."
    ),
    "funds_in_place": _(
        "Funds in place (资金到位): the investment reported as arrived on formal contracts; "
        "the funds rate divides it by the contracts' agreed amount."
    ),
    "overdue_start": _(
        "Overdue to start (超时限未开工): formal contracts, not terminated, whose deadline to "
        "start construction has passed without a start."
    ),
}

RATE_PLACES = Decimal("0.0001")
ZERO = Decimal(0)


def _rate(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)


@dataclass
class Kpis:
    """The figures of one slice of deals (all, a fair, a district, a cluster, a year, ...)."""

    key: Any = None
    label: str = ""
    deals_signed: int = 0
    amount_signed: Decimal = ZERO
    contracts: int = 0
    contract_amount: Decimal = ZERO
    registered: int = 0
    started: int = 0
    in_production: int = 0
    at_capacity: int = 0
    terminated: int = 0
    start_due: int = 0
    started_on_time: int = 0
    overdue_start: int = 0
    funds_in_place: Decimal = ZERO

    @property
    def performance_rate(self) -> Decimal | None:
        return _rate(self.started_on_time, self.start_due)

    @property
    def start_rate(self) -> Decimal | None:
        return _rate(self.started, self.contracts)

    @property
    def production_rate(self) -> Decimal | None:
        return _rate(self.in_production, self.contracts)

    @property
    def funds_rate(self) -> Decimal | None:
        return _rate(self.funds_in_place, self.contract_amount)

    def as_dict(self) -> dict[str, Any]:
        """Return every figure and rate by name (the API's and the exports' row)."""
        return {
            "key": self.key,
            "label": self.label,
            **{name: getattr(self, name) for name in KPI_FIELDS},
        }


KPI_FIELDS = (
    "deals_signed",
    "amount_signed",
    "contracts",
    "contract_amount",
    "registered",
    "started",
    "in_production",
    "at_capacity",
    "terminated",
    "start_due",
    "started_on_time",
    "overdue_start",
    "funds_in_place",
    "performance_rate",
    "start_rate",
    "production_rate",
    "funds_rate",
)


# Filters --------------------------------------------------------------------------------------


def region_ids(region: Region) -> list[int]:
    """Return the ids of a region's area: it, the regions it succeeded, and those below them.

    Liangjiang New Area's area includes Yubei District, which it succeeded in 2025, so a
    district dashboard shows the deals Yubei signed in 2021. Constant queries per succession
    step (in practice one or two).
    """
    seen: dict[int, Region] = {}
    frontier = [region]
    while frontier:
        seen.update({r.pk: r for r in frontier})
        frontier = list(Region.objects.filter(successor__in=frontier).exclude(pk__in=seen))
    q = Q(pk__in=[])
    for r in seen.values():
        q |= Q(code__startswith=r.prefix) if r.prefix != r.code else Q(code=r.code)
    return list(Region.objects.filter(q).values_list("pk", flat=True))


@dataclass(frozen=True)
class Slice:
    """Which deals a KPI covers; every part optional."""

    fair: Any = None
    event: Any = None
    region: Region | None = None
    cluster: Cluster | None = None
    year: int | None = None
    published_only: bool = False
    region_pks: tuple[int, ...] | None = field(default=None, compare=False)

    def common_q(self) -> Q:
        q = Q()
        if self.published_only:
            q &= PUBLISHED_RESULT
        if self.fair is not None:
            q &= Q(credited_event__fair=self.fair)
        if self.event is not None:
            q &= Q(credited_event=self.event)
        if self.region is not None:
            pks = self.region_pks if self.region_pks is not None else region_ids(self.region)
            q &= Q(host_region__in=pks)
        if self.cluster is not None:
            q &= Q(cluster=self.cluster)
        return q

    def counting_q(self) -> Q:
        q = self.common_q()
        if self.year is not None:
            q &= Q(signed_at__gte=datetime.date(self.year, 1, 1))
            q &= Q(signed_at__lt=datetime.date(self.year + 1, 1, 1))
        return q

    def pipeline_q(self) -> Q:
        q = self.common_q() & PIPELINE_ROWS
        if self.year is not None:
            q &= Q(contract_signed_on__gte=datetime.date(self.year, 1, 1))
            q &= Q(contract_signed_on__lt=datetime.date(self.year + 1, 1, 1))
        return q


PIPELINE_ROWS = Q(is_current=True, kind=DealKind.CONTRACT)


def _counting_aggregates() -> dict[str, Any]:
    return {
        "deals_signed": Count("pk", filter=Q(counts_as_deal=True)),
        "amount_signed": Coalesce(Sum("counted_amount"), Value(ZERO, output_field=AmountField())),
    }


def _pipeline_aggregates(as_of: datetime.date) -> dict[str, Any]:
    due = Q(construction_due_on__lt=as_of)
    return {
        "contracts": Count("pk"),
        "contract_amount": Coalesce(Sum("amount"), Value(ZERO, output_field=AmountField())),
        "registered": Count("pk", filter=Q(registered_on__isnull=False)),
        "started": Count("pk", filter=Q(construction_started_on__isnull=False)),
        "in_production": Count("pk", filter=Q(in_production_on__isnull=False)),
        "at_capacity": Count("pk", filter=Q(at_capacity_on__isnull=False)),
        "terminated": Count("pk", filter=Q(status=DealStatus.TERMINATED)),
        "start_due": Count("pk", filter=due),
        "started_on_time": Count(
            "pk", filter=due & Q(construction_started_on__lte=F("construction_due_on"))
        ),
        "overdue_start": Count("pk", filter=overdue_start_q(as_of)),
        "funds_in_place": Coalesce(Sum("funds_in_place"), Value(ZERO, output_field=AmountField())),
    }


def overdue_start_q(as_of: datetime.date) -> Q:
    """Return the filter of 超时限未开工 on a given day (pipeline rows only)."""
    return Q(
        status=DealStatus.ACTIVE,
        construction_started_on__isnull=True,
        construction_due_on__lt=as_of,
    )


def today() -> datetime.date:
    """Return today's date in the platform's time zone (the KPIs' default ``as_of``)."""
    return timezone.localdate()


def _fill(kpis: Kpis, values: dict[str, Any]) -> Kpis:
    for name, value in values.items():
        if hasattr(kpis, name) and name != "key":
            setattr(kpis, name, value)
    return kpis


def _slice(
    fair: Any,
    event: Any,
    region: Region | None,
    cluster: Cluster | None,
    year: int | None,
    published_only: bool,
) -> Slice:
    pks = tuple(region_ids(region)) if region is not None else None
    return Slice(fair, event, region, cluster, year, published_only, pks)


# KPIs -----------------------------------------------------------------------------------------


def kpi_summary(
    *,
    fair: Any = None,
    event: Any = None,
    region: Region | None = None,
    cluster: Cluster | None = None,
    year: int | None = None,
    as_of: datetime.date | None = None,
    published_only: bool = False,
) -> Kpis:
    """Return the KPIs of the deals in a slice (two queries, plus the region's area).

    ``published_only`` keeps the deals credited to published events of published fairs (what
    the public may see).
    """
    return _summary(_slice(fair, event, region, cluster, year, published_only), as_of)


def _summary(slice_: Slice, as_of: datetime.date | None) -> Kpis:
    as_of = as_of or today()
    kpis = Kpis()
    _fill(kpis, Deal.objects.filter(slice_.counting_q()).aggregate(**_counting_aggregates()))
    _fill(kpis, Deal.objects.filter(slice_.pipeline_q()).aggregate(**_pipeline_aggregates(as_of)))
    return kpis


# How each breakdown groups the counting and the pipeline rows, and labels its keys.
DIMENSIONS = ("fair", "event", "region", "cluster", "year")


def _group_expressions(dimension: str) -> tuple[Any, Any]:
    if dimension == "fair":
        return F("credited_event__fair"), F("credited_event__fair")
    if dimension == "event":
        return F("credited_event"), F("credited_event")
    if dimension == "region":
        return F("host_region"), F("host_region")
    if dimension == "cluster":
        return F("cluster"), F("cluster")
    if dimension == "year":
        return ExtractYear("signed_at"), ExtractYear("contract_signed_on")
    raise ValueError(f"unknown dimension {dimension!r}; use one of {DIMENSIONS}")


def _labels(dimension: str, keys: Iterable[Any]) -> dict[Any, str]:
    from xiqia.fair.models import Event, Fair

    keys = [k for k in keys if k is not None]
    if dimension == "year":
        return {k: str(k) for k in keys}
    model = {"fair": Fair, "event": Event, "region": Region, "cluster": Cluster}[dimension]
    if not keys:
        return {}
    return {obj.pk: str(obj) for obj in model.objects.filter(pk__in=keys)}


def kpis_by(
    dimension: str,
    *,
    fair: Any = None,
    event: Any = None,
    region: Region | None = None,
    cluster: Cluster | None = None,
    year: int | None = None,
    as_of: datetime.date | None = None,
    published_only: bool = False,
) -> list[Kpis]:
    """Return the KPIs per fair, event, region, cluster or year within a slice.

    Three queries (counting rows, pipeline rows, labels), plus the region's area. Rows come
    ordered by year for ``year``, otherwise by amount signed (largest first). A ``None`` key
    collects the deals outside any fair (``fair``, ``event``) or without a cluster.
    """
    return _by(dimension, _slice(fair, event, region, cluster, year, published_only), as_of)


def _by(dimension: str, slice_: Slice, as_of: datetime.date | None) -> list[Kpis]:
    counting_key, pipeline_key = _group_expressions(dimension)
    as_of = as_of or today()
    rows: dict[Any, Kpis] = {}
    counting = (
        Deal.objects.filter(slice_.counting_q())
        .annotate(group=counting_key)
        .values("group")
        .order_by("group")
        .annotate(**_counting_aggregates())
    )
    for values in counting:
        rows[values["group"]] = _fill(Kpis(key=values["group"]), values)
    pipeline = (
        Deal.objects.filter(slice_.pipeline_q())
        .annotate(group=pipeline_key)
        .values("group")
        .order_by("group")
        .annotate(**_pipeline_aggregates(as_of))
    )
    for values in pipeline:
        kpis = rows.setdefault(values["group"], Kpis(key=values["group"]))
        _fill(kpis, values)
    labels = _labels(dimension, rows)
    outside = _("outside a fair") if dimension in ("fair", "event") else _("none")
    for key, kpis in rows.items():
        kpis.label = labels.get(key, str(outside)) if key is not None else str(outside)
    if dimension == "year":
        return [rows[k] for k in sorted(rows, key=lambda k: (k is None, k or 0))]
    return sorted(rows.values(), key=lambda k: (-k.amount_signed, k.label))


@dataclass
class Dashboard:
    """Everything a dashboard page shows: the summary and the breakdowns of one slice."""

    summary: Kpis
    by_cluster: list[Kpis]
    by_year: list[Kpis]
    by_event: list[Kpis]
    by_region: list[Kpis]
    as_of: datetime.date


def dashboard(
    *,
    region: Region | None = None,
    cluster: Cluster | None = None,
    fair: Any = None,
    as_of: datetime.date | None = None,
    published_only: bool = False,
) -> Dashboard:
    """Return a dashboard's figures: a district's (``region``), a cluster's, a fair's or all.

    The region's area is looked up once; then two queries for the summary and three for each
    breakdown (by cluster, year, event and, without a region, by region): constant in the
    number of deals. The overdue list comes from :func:`deal_list` with ``overdue_only``.
    """
    as_of = as_of or today()
    slice_ = _slice(fair, None, region, cluster, None, published_only)
    return Dashboard(
        summary=_summary(slice_, as_of),
        by_cluster=_by("cluster", slice_, as_of) if cluster is None else [],
        by_year=_by("year", slice_, as_of),
        by_event=_by("event", slice_, as_of),
        by_region=_by("region", slice_, as_of) if region is None else [],
        as_of=as_of,
    )


# Deals ----------------------------------------------------------------------------------------


def annotate_overdue(
    queryset: QuerySet[Deal], *, as_of: datetime.date | None = None
) -> QuerySet[Deal]:
    """Add ``is_overdue_start`` (超时限未开工) to each deal of a queryset, computed in SQL."""
    as_of = as_of or today()
    return queryset.annotate(
        is_overdue_start=Case(
            When(PIPELINE_ROWS & overdue_start_q(as_of), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def deal_list(
    *,
    who: Any,
    region: Region | None = None,
    fair: Any = None,
    cluster: Cluster | None = None,
    year: int | None = None,
    current_only: bool = True,
    overdue_only: bool = False,
    as_of: datetime.date | None = None,
) -> QuerySet[Deal]:
    """Return the deals ``who`` may see in a slice, annotated with ``is_overdue_start``.

    ``current_only`` keeps the latest signing of each chain (the officer's working list);
    ``overdue_only`` keeps those overdue to start. Related rows for a list are selected.
    """
    as_of = as_of or today()
    queryset = Deal.objects.select_related(
        "investor", "host_region", "park", "cluster", "credited_event", "event", "officer"
    )
    queryset = queryset.filter(Slice(fair=fair, region=region, cluster=cluster).common_q())
    if year is not None:
        queryset = queryset.filter(signed_at__year=year)
    if current_only:
        queryset = queryset.filter(is_current=True)
    if overdue_only:
        queryset = queryset.filter(PIPELINE_ROWS & overdue_start_q(as_of))
    return annotate_overdue(access.scope(who, queryset), as_of=as_of)


def deal_chain(deal: Deal) -> list[Deal]:
    """Return every signing of a deal's chain, first to latest (one query)."""
    root = deal.root_id or deal.pk
    chain = Deal.objects.filter(Q(pk=root) | Q(root=root)).select_related("event", "investor")
    return sorted(chain, key=lambda d: (d.signed_at, d.pk))


def deal_milestones(deal: Deal) -> list[Milestone]:
    """Return the milestones of a deal's whole chain, in date order (one query)."""
    root = deal.root_id or deal.pk
    return list(
        Milestone.objects.filter(Q(deal=root) | Q(deal__root=root))
        .select_related("officer")
        .order_by("date", "id")
    )


# Clusters -------------------------------------------------------------------------------------


@dataclass
class ClusterProgress:
    cluster: Cluster
    target_amount: Decimal | None
    target_year: int | None
    years: list[ClusterIndicator]

    @property
    def latest_output(self) -> Decimal | None:
        values = [i.output_value for i in self.years if i.output_value is not None]
        return values[-1] if values else None

    @property
    def share_of_target(self) -> Decimal | None:
        """Return the latest output value over the target (a fraction), if both are known."""
        if self.latest_output is None or not self.target_amount:
            return None
        return _rate(self.latest_output, self.target_amount)


def cluster_progress(*, cluster: Cluster) -> ClusterProgress:
    """Return a cluster's yearly indicators and its target, for the progress chart (1 query)."""
    years = list(ClusterIndicator.objects.filter(cluster=cluster).order_by("year"))
    return ClusterProgress(cluster, cluster.target_amount, cluster.target_year, years)


def cluster_list(*, who: Any, region: Region | None = None) -> QuerySet[Cluster]:
    """Return the clusters ``who`` may see, with their region, parks and anchors prefetched."""
    queryset = Cluster.objects.select_related("region").prefetch_related(
        "parks", "anchors__organisation"
    )
    if region is not None:
        queryset = queryset.filter(region__in=region_ids(region))
    return access.scope(who, queryset)


# The catalogue --------------------------------------------------------------------------------

# The expression of the GIN index in migration 0002: the filter must use exactly this.
_PG_VECTOR = (
    "to_tsvector('simple'::regconfig, COALESCE(\"investment_project\".\"search_text\", ''))"
)


def _pg_tsquery(words: Sequence[str]) -> str:
    # Quote each word as a tsquery lexeme ('' escapes a quote), AND them together.
    return " & ".join("'" + w.replace("'", "''").replace("\\", "\\\\") + "'" for w in words)


def project_search(queryset: QuerySet[Project], query: str | None) -> QuerySet[Project]:
    """Narrow projects to those holding every word of ``query`` (Chinese or English).

    The query is segmented like the projects (``core.text``), so 物流 finds 航空物流园. On
    PostgreSQL the GIN full-text index answers; elsewhere the ``ProjectWord`` table's
    (word, project) index, one semi-join per word. An empty query changes nothing; a query of
    stop words only finds nothing.
    """
    if query is None or not query.strip():
        return queryset
    words = [w[:60] for w in query_words(query)]
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        return queryset.extra(  # noqa: S610 (fixed SQL; the words go in as a parameter)
            where=[f"{_PG_VECTOR} @@ to_tsquery('simple', %s)"], params=[_pg_tsquery(words)]
        )
    for word in words:
        # An IN over the (word, project) index: SQLite reads the matching ids first.
        queryset = queryset.filter(
            pk__in=ProjectWord.objects.filter(word=word).values("project_id")
        )
    return queryset


def project_catalogue(
    *,
    who: Any,
    q: str | None = None,
    region: Region | None = None,
    park: Any = None,
    cluster: Cluster | None = None,
    industry: Any = None,
    status: str | None = None,
) -> QuerySet[Project]:
    """Return the projects ``who`` may see, filtered and searched, newest first.

    Newest first is by id (ids grow with creation time): on SQLite the word index's id list is
    then read in order, with no sort of every match, so the first page stays fast.
    """
    queryset = Project.objects.select_related("region", "park", "cluster", "industry")
    if region is not None:
        queryset = queryset.filter(region__in=region_ids(region))
    if park is not None:
        queryset = queryset.filter(park=park)
    if cluster is not None:
        queryset = queryset.filter(cluster=cluster)
    if industry is not None:
        queryset = queryset.filter(industry=industry)
    if status:
        queryset = queryset.filter(status=status)
    return project_search(access.scope(who, queryset), q).order_by("-id")


def capped_count(queryset: QuerySet[Any], cap: int = 1000) -> int:
    """Return the number of rows, counting no further than ``cap`` (show "1,000+" at the cap).

    A catalogue search for a common word matches thousands of projects; counting them all is
    most of the search's time, and nobody pages through them.
    """
    return queryset.order_by()[:cap].count()
