"""Reads of the investment module: the KPIs, overdue deals and the catalogue search.

Every KPI is computed here and only here: pages, the API and the exports call these functions
and show their figures with the definitions below. Each selector aggregates in the database
with a constant number of queries, whatever the number of deals.

Two kinds of rows are aggregated (see ``models`` for the counting fields):

* *counting* rows: every deal. ``counts_as_deal`` counts each chain once and
  ``counted_amount`` adds each signing's increment: the increases make the amount signed, the
  decreases (revisions down) the amount revised down. Grouped by fair or event through
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

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields import BooleanField
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiqia.accounts import access
from xiqia.core.models import Region
from xiqia.core.money import AmountField
from xiqia.core.origin import includes_generated
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
        "only by its increment; a revision down counts nothing here (see amount revised down). "
        "A project signed in a district that has since merged into another and re-signed there "
        "is the same project. By fair or event, a project counts for the first fair event "
        "where it was signed; by year, each signing counts in the year it was signed."
    ),
    "amount_revised_down": _(
        "Amount revised down: how much signings that lowered a project's agreed amount took "
        "off it, in the year of the revision. Over all years, amount signed less amount revised "
        "down is the amount the projects' latest signings agree."
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
    amount_revised_down: Decimal = ZERO
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
    "amount_revised_down",
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


def _counting_aggregates(rows: Q | None = None) -> dict[str, Any]:
    """Return the counting figures, over the rows matching ``rows`` (all when ``None``)."""
    both = (lambda q: q) if rows is None else (lambda q: rows & q)
    zero = Value(ZERO, output_field=AmountField())
    return {
        "deals_signed": Count("pk", filter=both(Q(counts_as_deal=True))),
        # Increases only: a revision down is never a negative signing (DEFINITIONS).
        "amount_signed": Coalesce(
            Sum("counted_amount", filter=both(Q(counted_amount__gt=0))), zero
        ),
        "amount_revised_down": ExpressionWrapper(
            zero - Coalesce(Sum("counted_amount", filter=both(Q(counted_amount__lt=0))), zero),
            output_field=AmountField(),
        ),
    }


def _pipeline_aggregates(as_of: datetime.date, rows: Q | None = None) -> dict[str, Any]:
    """Return the pipeline figures, over the rows matching ``rows`` (all when ``None``)."""
    both = (lambda q: q) if rows is None else (lambda q: rows & q)
    due = Q(construction_due_on__lt=as_of)
    zero = Value(ZERO, output_field=AmountField())
    return {
        "contracts": Count("pk", filter=rows),
        "contract_amount": Coalesce(Sum("amount", filter=rows), zero),
        "registered": Count("pk", filter=both(Q(registered_on__isnull=False))),
        "started": Count("pk", filter=both(Q(construction_started_on__isnull=False))),
        "in_production": Count("pk", filter=both(Q(in_production_on__isnull=False))),
        "at_capacity": Count("pk", filter=both(Q(at_capacity_on__isnull=False))),
        "terminated": Count("pk", filter=both(Q(status=DealStatus.TERMINATED))),
        "start_due": Count("pk", filter=both(due)),
        "started_on_time": Count(
            "pk", filter=both(due & Q(construction_started_on__lte=F("construction_due_on")))
        ),
        "overdue_start": Count("pk", filter=both(overdue_start_q(as_of))),
        "funds_in_place": Coalesce(Sum("funds_in_place", filter=rows), zero),
    }


def _combined_aggregates(slice_: Slice, as_of: datetime.date) -> tuple[Q, dict[str, Any]]:
    """Return the filter and the aggregates computing counting and pipeline figures at once.

    One scan of the slice's deals instead of two: the pipeline rows are picked out with
    ``FILTER (WHERE ...)`` (conditional aggregation). Without a year, every pipeline row is a
    counting row too, so the filter is the slice's.
    """
    if slice_.year is None:
        return slice_.counting_q(), {
            **_counting_aggregates(),
            **_pipeline_aggregates(as_of, PIPELINE_ROWS),
        }
    counting, pipeline = slice_.counting_q(), slice_.pipeline_q()
    return counting | pipeline, {
        **_counting_aggregates(counting),
        **_pipeline_aggregates(as_of, pipeline),
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
    """Return the KPIs of the deals in a slice (one query, plus the region's area).

    ``published_only`` keeps the deals credited to published events of published fairs (what
    the public may see).
    """
    return _summary(_slice(fair, event, region, cluster, year, published_only), as_of)


def _summary(slice_: Slice, as_of: datetime.date | None) -> Kpis:
    rows, aggregates = _combined_aggregates(slice_, as_of or today())
    return _fill(Kpis(), Deal.objects.filter(rows).aggregate(**aggregates))


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

    Two queries (the figures, by conditional aggregation; the labels), plus the region's area.
    Rows come ordered by year for ``year``, otherwise by amount signed (largest first). A
    ``None`` key collects the deals outside any fair (``fair``, ``event``) or without a cluster.
    """
    return _by(dimension, _slice(fair, event, region, cluster, year, published_only), as_of)


def _by(dimension: str, slice_: Slice, as_of: datetime.date | None) -> list[Kpis]:
    counting_key, pipeline_key = _group_expressions(dimension)
    rows_q, aggregates = _combined_aggregates(slice_, as_of or today())
    rows: dict[Any, Kpis] = {}
    if dimension != "year":
        # Counting and pipeline rows share the key: one grouped query.
        grouped = (
            Deal.objects.filter(rows_q)
            .annotate(group=counting_key)
            .values("group")
            .order_by("group")
            .annotate(**aggregates)
        )
        for values in grouped:
            rows[values["group"]] = _fill(Kpis(key=values["group"]), values)
    else:
        # Counting rows go by the signing's year, pipeline rows by the first contract's: one
        # query grouped by both, folded here (a handful of year pairs, whatever the deals).
        counting_names = set(_counting_aggregates())
        counting_rows = None if slice_.year is None else slice_.counting_q()
        grouped = (
            Deal.objects.filter(rows_q)
            .annotate(counting_year=counting_key, pipeline_year=pipeline_key)
            .values("counting_year", "pipeline_year")
            .order_by("counting_year", "pipeline_year")
            .annotate(counting_rows=Count("pk", filter=counting_rows), **aggregates)
        )
        for values in grouped:
            parts = (
                (values["counting_year"], counting_names, values["counting_rows"]),
                (values["pipeline_year"], set(aggregates) - counting_names, values["contracts"]),
            )
            for key, names, present in parts:
                if not present:  # no row of this kind in the pair: no figure for its year
                    continue
                kpis = rows.setdefault(key, Kpis(key=key))
                for name in names:
                    setattr(kpis, name, getattr(kpis, name) + values[name])
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

    def breakdown(self, dimension: str) -> list[Kpis]:
        return list(getattr(self, f"by_{dimension}"))


def dashboard_dimensions(region: Region | None, cluster: Cluster | None) -> tuple[str, ...]:
    """Return the breakdowns a dashboard shows: a cluster's by year and event, a district's
    also by cluster, the leader's overview by region instead."""
    if cluster is not None:
        return ("year", "event")
    if region is not None:
        return ("year", "cluster", "event")
    return ("year", "region", "event")


def dashboard(
    *,
    region: Region | None = None,
    cluster: Cluster | None = None,
    fair: Any = None,
    as_of: datetime.date | None = None,
    published_only: bool = False,
    dimensions: Sequence[str] | None = None,
) -> Dashboard:
    """Return a dashboard's figures: a district's (``region``), a cluster's, a fair's or all.

    ``dimensions`` are the breakdowns to compute (default :func:`dashboard_dimensions`); the
    others stay empty. The region's area is looked up once; then one query for the summary
    and one or two for each breakdown (the figures by conditional aggregation, counting and
    pipeline rows in one scan; then the labels, except by year): constant in the number of
    deals. The overdue list comes from :func:`deal_list` with ``overdue_only``.
    """
    as_of = as_of or today()
    wanted = dimensions if dimensions is not None else dashboard_dimensions(region, cluster)
    slice_ = _slice(fair, None, region, cluster, None, published_only)

    def by(dimension: str) -> list[Kpis]:
        return _by(dimension, slice_, as_of) if dimension in wanted else []

    return Dashboard(
        summary=_summary(slice_, as_of),
        by_cluster=by("cluster"),
        by_year=by("year"),
        by_event=by("event"),
        by_region=by("region"),
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


# The rows the deal list page shows with each deal; the exports and the API show all of them.
DEAL_LIST_RELATED = ("investor", "host_region", "credited_event")
DEAL_RELATED = (*DEAL_LIST_RELATED, "park", "cluster", "event", "officer")


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
    related: Sequence[str] = DEAL_RELATED,
    mine_only: bool = False,
) -> QuerySet[Deal]:
    """Return the deals ``who`` may see in a slice, annotated with ``is_overdue_start``.

    ``current_only`` keeps the latest signing of each chain (the officer's working list);
    ``overdue_only`` keeps those overdue to start. ``related`` are the rows selected with each
    deal: all by default (exports, API); the list page takes :data:`DEAL_LIST_RELATED`, as
    fewer joins plan faster. ``mine_only`` keeps the deals of the regions ``who`` works for as
    a district officer (the default of an officer's list; others may widen it).
    """
    as_of = as_of or today()
    queryset = Deal.objects.select_related(*related)
    queryset = queryset.filter(Slice(fair=fair, region=region, cluster=cluster).common_q())
    if year is not None:
        queryset = queryset.filter(signed_at__year=year)
    if current_only:
        queryset = queryset.filter(is_current=True)
    if overdue_only:
        queryset = queryset.filter(PIPELINE_ROWS & overdue_start_q(as_of))
    if mine_only:
        principal = who if isinstance(who, access.Principal) else None
        principal = principal or access.principal_for(getattr(who, "user", who))
        queryset = queryset.filter(principal.region_q("host_region__code"))
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


def _pg_tsquery(words: Sequence[str]) -> str:
    # Quote each word as a tsquery lexeme ('' escapes a quote), AND them together.
    return " & ".join("'" + w.replace("'", "''").replace("\\", "\\\\") + "'" for w in words)


# The stored tsvector column migration 0004 adds on PostgreSQL only (the model does not declare
# it), with its GIN index.
_PG_VECTOR = RawSQL('"investment_project"."search_vector"', [], output_field=SearchVectorField())


def project_search(queryset: QuerySet[Project], query: str | None) -> QuerySet[Project]:
    """Narrow projects to those holding every word of ``query`` (Chinese or English).

    The query is segmented like the projects (``core.text``), so 物流 finds 航空物流园. One path
    per backend: on PostgreSQL the stored ``search_vector`` column and its GIN index answer
    (``@@`` a ``to_tsquery`` of the words, 'simple' configuration); elsewhere the
    ``ProjectWord`` table's (word, project) index, one semi-join per word. An empty query
    changes nothing; a query of stop words only finds nothing.
    """
    if query is None or not query.strip():
        return queryset
    words = [w[:60] for w in query_words(query)]
    if not words:
        return queryset.none()
    # Search mode splits a compound into its parts as well (集成电路 → 集成, 电路, 集成电路), in
    # the query as in the projects, so a project holding the compound holds its parts: asking
    # for the parts too finds the same projects, but misleads the planner, which takes the
    # words for independent and expects almost no match.
    words = [w for w in words if not any(w != other and w in other for other in words)]
    if connection.vendor == "postgresql":
        tsquery = SearchQuery(_pg_tsquery(words), search_type="raw", config="simple")
        return queryset.alias(search_vector=_PG_VECTOR).filter(search_vector=tsquery)
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
    then read in order, with no sort of every match, so the first page stays fast. The related
    rows are prefetched (one query each, for the page only), not joined: the planner then sorts
    the matching projects alone and joins nothing for the thousands a common word matches.
    """
    queryset = Project.objects.prefetch_related("region", "park", "cluster", "industry")
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


def deals_include_generated(
    *, region: Region | None = None, cluster: Cluster | None = None, published_only: bool = False
) -> bool:
    """Return whether the deals a dashboard sums over include generated ones (1 query)."""
    slice_ = _slice(None, None, region, cluster, None, published_only)
    return includes_generated(Deal.objects.filter(slice_.common_q()))
