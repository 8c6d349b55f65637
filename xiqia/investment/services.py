"""Writes of the investment module. Pages, API, admin, imports and the demo all come here.

Every function is keyword-only and atomic; ``actor`` is the user acting (``None`` for trusted
system code such as the demo loader); a refusal raises ``DomainError`` (or ``Conflict``,
``ValidationError`` for a field, ``PermissionDenied``) and writes nothing.

The counting rules live in :func:`deal_record`, the landing pipeline in
:func:`milestone_record`; ``docs/architecture.md`` explains both.
"""

from __future__ import annotations

import calendar
import datetime
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xiqia.accounts import access
from xiqia.core.errors import Conflict, DomainError
from xiqia.core.models import Region
from xiqia.core.origin import Origin
from xiqia.core.text import search_text
from xiqia.core.uploads import check_document, original_name
from xiqia.investment.models import (
    PIPELINE,
    STEP_DATE_FIELD,
    STEP_DUE_FIELD,
    Cluster,
    ClusterIndicator,
    Deal,
    DealDocument,
    DealDocumentKind,
    DealKind,
    DealStatus,
    EvidenceKind,
    Milestone,
    Park,
    Project,
    ProjectStatus,
    ProjectWord,
    Step,
    StepDeadline,
)

# The default deadlines, in calendar months after the chain's first formal contract, when
# neither the region nor a region above it has its own (``StepDeadline``). A setting of the
# same name overrides them. Calendar months, not working days: contracts state such terms in
# months (e.g. "开工 within six months of signing"), and a date a fixed number of months
# after another can be compared in the database.
DEFAULT_STEP_DEADLINE_MONTHS: dict[str, int] = {
    Step.REGISTERED: 3,
    Step.CONSTRUCTION_STARTED: 6,
    Step.IN_PRODUCTION: 18,
    Step.AT_CAPACITY: 36,
}

# How strong each kind of signing is: an upgrade never goes down.
KIND_RANK = {DealKind.INTENTION: 0, DealKind.FRAMEWORK: 1, DealKind.CONTRACT: 2}


def _today() -> datetime.date:
    return timezone.localdate()


def _deny_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _check_region_current(region: Region, origin: str) -> None:
    # Facts and generated demo data may sit in a region since retired; new entries may not.
    if origin == Origin.ENTERED and not region.is_current:
        raise ValidationError(
            {
                "region": _(
                    "%(region)s is no longer in force; choose the region that succeeded it."
                )
                % {"region": region}
            }
        )


def same_area(a: Region, b: Region) -> bool:
    """Return whether two regions are the same area: equal, or the same region in force today.

    Yubei District (500112, retired in 2025) and Liangjiang New Area (500157, its successor) are
    the same area: a Yubei cluster is offered by Liangjiang projects.
    """
    return a.pk == b.pk or a.current_successor().pk == b.current_successor().pk


def _check_in_region(region: Region, park: Park | None, cluster: Cluster | None) -> None:
    errors: dict[str, list[Any]] = {}
    if park is not None and not same_area(park.region, region):
        errors["park"] = [_("The park is not in this region.")]
    if cluster is not None and not same_area(cluster.region, region):
        errors["cluster"] = [_("The industry cluster is not in this region.")]
    if (
        park is not None
        and cluster is not None
        and not errors
        and park.clusters.exists()
        and not park.clusters.filter(pk=cluster.pk).exists()
    ):
        errors["cluster"] = [_("The park does not host this industry cluster.")]
    if errors:
        raise ValidationError(errors)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the same day ``months`` later; the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Projects -------------------------------------------------------------------------------------

PROJECT_FIELDS = (
    "region",
    "park",
    "cluster",
    "industry",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "investment_sought",
    "land_area_m2",
    "contact_name",
    "contact_phone",
    "contact_email",
    "status",
)
SEARCHED_FIELDS = ("title_zh", "title_en", "description_zh", "description_en")


def project_search_words(project: Project) -> str:
    """Return the words a project is found by: its titles' and descriptions' words."""
    return search_text(*(getattr(project, name) for name in SEARCHED_FIELDS))


def _index_words(project: Project) -> None:
    """Keep SQLite's word index; PostgreSQL derives its search column itself (migration 0004)."""
    if connection.vendor == "postgresql":
        return
    words = set(project.search_text.split())
    ProjectWord.objects.filter(project=project).exclude(word__in=words).delete()
    existing = set(ProjectWord.objects.filter(project=project).values_list("word", flat=True))
    ProjectWord.objects.bulk_create(
        ProjectWord(project=project, word=word[:60]) for word in sorted(words - existing)
    )


def _check_project(project: Project) -> None:
    if not (project.title_zh or "").strip():
        raise ValidationError({"title_zh": _("Give the project a Chinese title.")})
    _check_in_region(project.region, project.park, project.cluster)


@transaction.atomic
def project_create(
    *,
    actor: Any,
    region: Region,
    title_zh: str,
    is_published: bool = False,
    origin: str = Origin.ENTERED,
    **fields: Any,
) -> Project:
    """Add a project to the catalogue, in a region ``actor`` may edit.

    ``fields`` are the other ``PROJECT_FIELDS``. The search words are computed here.
    """
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    project = Project(region=region, title_zh=title_zh, origin=origin, **fields)
    project.is_published = is_published
    if actor is not None:
        _deny_unless(access.can_create(actor, Project, project))
    _check_region_current(region, origin)
    _check_project(project)
    project.search_text = project_search_words(project)
    project.full_clean(exclude=["contact_phone"] if not project.contact_phone else None)
    project._history_user = actor  # type: ignore[attr-defined]
    project.save()
    _index_words(project)
    return project


@transaction.atomic
def project_update(*, actor: Any, project: Project, **changes: Any) -> Project:
    """Change a project's fields (``PROJECT_FIELDS``); its search words follow."""
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    if actor is not None:
        _deny_unless(access.allows(actor, access.Action.CHANGE, project))
    project = Project.objects.select_for_update().get(pk=project.pk)
    for name, value in changes.items():
        setattr(project, name, value)
    if "region" in changes:
        _check_region_current(project.region, Origin.ENTERED)
        if actor is not None:  # moving it out of one's reach is creating it elsewhere
            _deny_unless(access.can_create(actor, Project, project))
    _check_project(project)
    project.search_text = project_search_words(project)
    project.full_clean(exclude=["contact_phone"] if not project.contact_phone else None)
    project._history_user = actor  # type: ignore[attr-defined]
    project.save()
    _index_words(project)
    return project


@transaction.atomic
def project_publish(*, actor: Any, project: Project, published: bool = True) -> Project:
    """Show a project in the public catalogue (or take it back out with ``published=False``)."""
    if actor is not None:
        _deny_unless(access.allows(actor, access.Action.CHANGE, project))
    project = Project.objects.select_for_update().get(pk=project.pk)
    if published and project.status == ProjectStatus.WITHDRAWN:
        raise DomainError(_("A withdrawn project cannot be published."), code="project_withdrawn")
    project.is_published = published
    project._history_user = actor  # type: ignore[attr-defined]
    project.save(update_fields=["is_published", "updated_at"])
    return project


# Deadlines ------------------------------------------------------------------------------------


def deadline_months(region: Region) -> dict[str, int]:
    """Return the months after the first contract each step is due by, for a region (1 query).

    The region's own ``StepDeadline`` rows win, then its city's, then its province's, then
    ``settings.INVESTMENT_STEP_DEADLINE_MONTHS`` (default :data:`DEFAULT_STEP_DEADLINE_MONTHS`).
    """
    months = dict(
        getattr(settings, "INVESTMENT_STEP_DEADLINE_MONTHS", DEFAULT_STEP_DEADLINE_MONTHS)
    )
    code = region.code
    ancestors = [code[:2] + "0000", code[:4] + "00", code]  # province, city, the region itself
    rows = StepDeadline.objects.filter(region__code__in=ancestors).values_list(
        "region__code", "step", "months"
    )
    for _code, step, value in sorted(rows, key=lambda row: ancestors.index(row[0])):
        months[step] = value
    return months


def _set_due_dates(deal: Deal) -> None:
    if deal.contract_signed_on is None:
        return
    months = deadline_months(deal.host_region)
    for step in PIPELINE:
        setattr(deal, STEP_DUE_FIELD[step], add_months(deal.contract_signed_on, months[step]))


# Deals ----------------------------------------------------------------------------------------

PIPELINE_STATE_FIELDS = (
    "status",
    "contract_signed_on",
    *STEP_DATE_FIELD.values(),
    *STEP_DUE_FIELD.values(),
    "funds_in_place",
    "funds_as_of",
)


def subject_key(*, project: Project | None, title_zh: str) -> str:
    """Return what identifies a deal's subject: its project, or its title without spacing."""
    if project is not None:
        return f"project:{project.pk}"
    return "title:" + re.sub(r"\s+", "", title_zh).lower()[:200]


def _check_event(event: Any, signed_at: datetime.date) -> None:
    fair = event.fair
    if not (fair.starts_on <= signed_at <= fair.ends_on):
        raise ValidationError(
            {
                "signed_at": _(
                    "A deal signed at %(event)s is signed between %(start)s and %(end)s."
                )
                % {"event": event, "start": fair.starts_on, "end": fair.ends_on}
            }
        )


@transaction.atomic
def deal_record(
    *,
    actor: Any,
    investor: Any,
    host_region: Region,
    amount: Decimal | int | str,
    kind: str,
    signed_at: datetime.date,
    title_zh: str = "",
    title_en: str = "",
    park: Park | None = None,
    cluster: Cluster | None = None,
    project: Project | None = None,
    event: Any = None,
    previous: Deal | None = None,
    officer: Any = None,
    note: str = "",
    origin: str = Origin.ENTERED,
) -> Deal:
    """Record a signing and apply the counting rules; return the deal.

    * A subject (the catalogue ``project``, else the Chinese title) signed by the same investor
      in the same region forms one chain. The same region is the same region in force today:
      a chain is found through the host region's current successor (``chain_region``), so a
      subject signed under Yubei (500112) in 2021 and re-signed under Liangjiang (500157),
      which succeeded it in 2025, is one chain. The first signing counts as a deal with its
      whole amount; a later one (an upgrade, added capital, a new signing at another fair, a
      revision) is linked to the chain's latest deal (``previous``; found by itself when not
      given) and counts only the increment ``amount - previous.amount``. ``amount`` is always
      the total investment agreed in this signing; a lower amount is a revision down, which
      the KPIs count apart (``selectors.DEFINITIONS["amount_revised_down"]``).
    * The whole chain is credited to the first fair event where it was signed: when a chain
      first signed outside a fair is signed again at an event, its earlier deals are credited
      to that event too.
    * Recording a signing of the chain again (same kind, amount, date and event) returns the
      recorded deal: nothing is counted twice. The database refuses a second chain
      or a fork of a chain, even under concurrent requests.
    """
    amount = Decimal(amount)
    if project is not None:
        title_zh = title_zh or project.title_zh
        title_en = title_en or project.title_en
        park = park or project.park
        cluster = cluster or project.cluster
    errors: dict[str, list[Any]] = {}
    if not title_zh.strip():
        errors["title_zh"] = [_("Give the deal a Chinese title or choose a project.")]
    if amount <= 0:
        errors["amount"] = [_("The amount must be more than zero.")]
    if kind not in DealKind.values:
        errors["kind"] = [_("Choose the kind of agreement.")]
    if signed_at > _today():
        errors["signed_at"] = [_("The signing date cannot be in the future.")]
    elif not host_region.was_valid_on(signed_at):
        errors["host_region"] = [
            _("%(region)s was not in force on the signing date.") % {"region": host_region}
        ]
    if project is not None and not same_area(project.region, host_region):
        errors["project"] = [_("The project is offered by another region.")]
    if errors:
        raise ValidationError(errors)
    _check_in_region(host_region, park, cluster)
    if event is not None:
        _check_event(event, signed_at)
    key = subject_key(project=project, title_zh=title_zh)
    chain_region = host_region.current_successor()
    deal = Deal(
        investor=investor,
        host_region=host_region,
        chain_region=chain_region,
        park=park,
        cluster=cluster,
        project=project,
        title_zh=title_zh.strip(),
        title_en=title_en.strip(),
        amount=amount,
        kind=kind,
        signed_at=signed_at,
        event=event,
        officer=officer,
        note=note,
        subject_key=key,
        origin=origin,
    )
    if actor is not None:
        _deny_unless(access.can_create(actor, Deal, deal))

    # The chain's deals may carry an earlier region in force (one retired since they were
    # recorded): look through every region whose successor in force is the same.
    lineage = chain_region.lineage_ids()
    current = (
        Deal.objects.select_for_update()
        .filter(investor=investor, chain_region__in=lineage, subject_key=key, is_current=True)
        .first()
    )
    if previous is not None and (current is None or previous.pk != current.pk):
        raise Conflict(
            _("Only the latest signing of this subject can be upgraded."), code="not_latest"
        )
    if current is not None:
        same_signing = Deal.objects.filter(
            # Under the host region or another of the chain's lineage (a 2025 signing may be
            # filed under Yubei or under Liangjiang): the same signing all the same.
            Q(pk=current.chain_root_id) | Q(root=current.chain_root_id),
            kind=kind,
            amount=amount,
            signed_at=signed_at,
            event=event,
        ).first()
        if same_signing is not None:
            return same_signing  # a signing of the chain recorded again: already counted
        _link_upgrade(deal, current)
    else:
        deal.root = None
        deal.counts_as_deal = True
        deal.counted_amount = amount
        deal.credited_event = event
        deal.contract_signed_on = signed_at if kind == DealKind.CONTRACT else None
        _set_due_dates(deal)

    # Field checks only: the chain constraints are checked by the database on save, after the
    # previous latest deal has stepped down.
    deal.clean_fields(exclude=["previous", "root", "credited_event", "event", "officer"])
    deal._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            if current is not None:
                Deal.objects.filter(pk=current.pk).update(is_current=False)
                if current.credited_event_id is None and deal.credited_event_id is not None:
                    # The chain's first signing at a fair event: the whole chain is its.
                    Deal.objects.filter(Q(pk=deal.root_id) | Q(root=deal.root_id)).update(
                        credited_event=deal.credited_event_id
                    )
            deal.save()
    except IntegrityError as exc:  # a concurrent request recorded this subject first
        raise Conflict(
            _("This deal was just recorded by someone else; reload and try again."),
            code="deal_recorded_concurrently",
        ) from exc
    if project is not None and project.status in (ProjectStatus.OPEN, ProjectStatus.NEGOTIATING):
        Project.objects.filter(pk=project.pk).update(status=ProjectStatus.SIGNED)
    return deal


def _link_upgrade(deal: Deal, current: Deal) -> None:
    """Make ``deal`` the next signing of ``current``'s chain (the counting rules)."""
    if current.status == DealStatus.TERMINATED:
        raise Conflict(
            _("The deal was terminated; record a new project instead."), code="deal_terminated"
        )
    if deal.signed_at < current.signed_at:
        raise ValidationError(
            {"signed_at": _("An upgrade cannot be signed before the signing it upgrades.")}
        )
    if KIND_RANK[DealKind(deal.kind)] < KIND_RANK[DealKind(current.kind)]:
        raise ValidationError(
            {"kind": _("An upgrade cannot be a weaker kind of agreement than the one before.")}
        )
    deal.previous = current
    deal.root_id = current.root_id or current.pk
    deal.counts_as_deal = False
    deal.counted_amount = deal.amount - current.amount
    deal.credited_event_id = current.credited_event_id or deal.event_id
    for name in PIPELINE_STATE_FIELDS:
        setattr(deal, name, getattr(current, name))
    if deal.contract_signed_on is None and deal.kind == DealKind.CONTRACT:
        deal.contract_signed_on = deal.signed_at
        _set_due_dates(deal)


DEAL_EDITABLE_FIELDS = ("officer", "note", "park", "cluster", "title_en", "amount")


@transaction.atomic
def deal_update(*, actor: Any, deal: Deal, **changes: Any) -> Deal:
    """Correct a recorded deal: officer, note, park, cluster, English title, amount.

    What identifies the deal's chain (investor, region, subject, kind, date, event) is not
    edited: record an upgrade, or terminate and record anew. A corrected ``amount`` keeps the
    counting rules: the deal counts its new increment over the signing before it, and the
    signing after it (if any) its increment over the new amount (below the amount before it, a
    signing becomes a revision down, counted apart by the KPIs). The officer must be a district
    officer of the deal's region. Every change is kept in the deal's history.
    """
    unknown = set(changes) - set(DEAL_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    if actor is not None:
        _deny_unless(access.allows(actor, access.Action.CHANGE, deal))
    deal = (
        Deal.objects.select_for_update(of=("self",))
        .select_related("host_region", "previous")
        .get(pk=deal.pk)
    )
    errors: dict[str, list[Any]] = {}
    if "amount" in changes:
        changes["amount"] = Decimal(changes["amount"])
        if changes["amount"] <= 0:
            errors["amount"] = [_("The amount must be more than zero.")]
    officer = changes.get("officer")
    if (
        officer is not None
        and officer.pk != deal.officer_id
        and not access.principal_for(officer).covers_region_code(deal.host_region.code)
    ):
        errors["officer"] = [_("Choose a district officer of the deal's region.")]
    if errors:
        raise ValidationError(errors)
    for name, value in changes.items():
        setattr(deal, name, value)
    _check_in_region(deal.host_region, deal.park, deal.cluster)
    successor = None
    if "amount" in changes:
        deal.counted_amount = deal.amount - (deal.previous.amount if deal.previous else 0)
        successor = Deal.objects.select_for_update().filter(previous=deal).first()
    deal.clean_fields(exclude=["previous", "root", "credited_event", "event", "officer"])
    deal._history_user = actor  # type: ignore[attr-defined]
    deal.save()
    if successor is not None:
        successor.counted_amount = successor.amount - deal.amount
        successor._history_user = actor  # type: ignore[attr-defined]
        successor.save(update_fields=["counted_amount", "updated_at"])
    return deal


def _locked_current(deal: Deal) -> Deal:
    deal = Deal.objects.select_for_update().select_related("host_region").get(pk=deal.pk)
    if not deal.is_current:
        raise Conflict(
            _("This signing was upgraded; record the landing on its latest signing."),
            code="not_latest",
        )
    return deal


@transaction.atomic
def milestone_record(
    *,
    actor: Any,
    deal: Deal,
    step: str,
    date: datetime.date,
    evidence: File | None,
    evidence_kind: str,
    officer: Any = None,
    note: str = "",
    origin: str = Origin.ENTERED,
) -> Milestone:
    """Record the next step of a deal's landing, with its evidence.

    Steps come in order (registered → construction started → in production → at capacity),
    none skipped, each dated on or after the one before (the first on or after the chain's
    first signing) and not in the future. ``terminated`` may come at any point and ends the
    pipeline. The deal is the latest of its chain; the row is locked, so concurrent records
    of the same step cannot both pass.
    """
    if actor is not None:
        _deny_unless(access.allows(actor, access.Action.CHANGE, deal))
    deal = _locked_current(deal)
    errors: dict[str, list[Any]] = {}
    if step not in Step.values:
        errors["step"] = [_("Choose a step of the landing pipeline.")]
    if not evidence:
        errors["evidence"] = [_("Attach the evidence: a licence, a photo or a document.")]
    else:
        try:
            check_document(evidence)
        except ValidationError as exc:
            errors["evidence"] = exc.messages
    if evidence_kind not in EvidenceKind.values:
        errors["evidence_kind"] = [_("Say what the evidence is.")]
    if date > _today():
        errors["date"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    if deal.status == DealStatus.TERMINATED:
        raise Conflict(
            _("The deal was terminated: its pipeline has ended."), code="deal_terminated"
        )
    if step != Step.TERMINATED and step != deal.next_step:
        if deal.next_step is None:
            raise Conflict(_("The deal has reached full capacity."), code="pipeline_complete")
        raise DomainError(
            _("The next step of this deal is “%(step)s”.") % {"step": Step(deal.next_step).label},
            code="step_out_of_order",
            fields={"step": [_("Steps are recorded in order.")]},
        )
    earliest = _pipeline_floor(deal)
    if date < earliest:
        raise ValidationError(
            {"date": _("The date cannot be before %(date)s.") % {"date": earliest.isoformat()}}
        )
    milestone = Milestone(
        deal=deal,
        step=step,
        date=date,
        evidence=evidence,
        evidence_name=original_name(getattr(evidence, "name", "") or ""),
        evidence_kind=evidence_kind,
        officer=officer if officer is not None else actor,
        note=note,
        origin=origin,
    )
    milestone._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            milestone.save()
    except IntegrityError as exc:
        raise Conflict(_("This step is already recorded."), code="step_recorded") from exc
    setattr(deal, STEP_DATE_FIELD[Step(step)], date)
    if step == Step.TERMINATED:
        deal.status = DealStatus.TERMINATED
    deal._history_user = actor  # type: ignore[attr-defined]
    deal.save()
    return milestone


def _pipeline_floor(deal: Deal) -> datetime.date:
    """Return the earliest date the next record may carry: the last step's, or the signing's."""
    dates = [getattr(deal, STEP_DATE_FIELD[step]) for step in PIPELINE]
    reached = [d for d in dates if d is not None]
    if reached:
        return max(reached)
    if deal.root_id:
        return Deal.objects.filter(pk=deal.root_id).values_list("signed_at", flat=True).get()
    return deal.signed_at


@transaction.atomic
def deal_funds_record(
    *, actor: Any, deal: Deal, amount: Decimal | int | str, as_of: datetime.date
) -> Deal:
    """Record the funds in place (资金到位) of a deal so far, as reported on ``as_of``."""
    if actor is not None:
        _deny_unless(access.allows(actor, access.Action.CHANGE, deal))
    deal = _locked_current(deal)
    amount = Decimal(amount)
    if amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    if as_of > _today():
        raise ValidationError({"as_of": _("The date cannot be in the future.")})
    if deal.funds_as_of is not None and as_of < deal.funds_as_of:
        raise ValidationError(
            {"as_of": _("A later report was already recorded; enter the latest figure.")}
        )
    deal.funds_in_place = amount
    deal.funds_as_of = as_of
    deal._history_user = actor  # type: ignore[attr-defined]
    deal.save()
    return deal


@transaction.atomic
def deal_document_attach(
    *,
    actor: Any,
    deal: Deal,
    file: File,
    kind: str = DealDocumentKind.AGREEMENT,
    title: str = "",
    origin: str = Origin.ENTERED,
) -> DealDocument:
    """Attach a document (the signed agreement, an annex) to a deal, at signing or later.

    The file must be an accepted document within the size limit (``core.uploads``); it is
    stored outside the public media and served by a view that checks access to the deal.
    """
    if actor is not None:
        _deny_unless(access.allows(actor, access.Action.CHANGE, deal))
    try:
        check_document(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    if kind not in DealDocumentKind.values:
        raise ValidationError({"kind": _("Choose the kind of document.")})
    uploaded_as = original_name(getattr(file, "name", "") or "")
    document = DealDocument(
        deal=deal,
        kind=kind,
        title=(title or uploaded_as).strip()[:200],
        file=file,
        original_name=uploaded_as,
        uploaded_by=actor,
        origin=origin,
    )
    document._history_user = actor  # type: ignore[attr-defined]
    document.save()
    return document


# Clusters -------------------------------------------------------------------------------------


@transaction.atomic
def cluster_indicator_set(
    *,
    actor: Any,
    cluster: Cluster,
    year: int,
    output_value: Decimal | int | str | None = None,
    enterprises: int | None = None,
    investment: Decimal | int | str | None = None,
    note: str = "",
    origin: str = Origin.ENTERED,
) -> ClusterIndicator:
    """Set a cluster's figures for a year (replacing that year's, if any)."""
    if actor is not None:
        _deny_unless(access.allows(actor, access.Action.CHANGE, cluster))
    errors: dict[str, list[Any]] = {}
    if not 1949 <= year <= _today().year:
        errors["year"] = [_("Enter a year up to this one.")]
    values = {
        "output_value": None if output_value is None else Decimal(output_value),
        "enterprises": enterprises,
        "investment": None if investment is None else Decimal(investment),
    }
    for name, value in values.items():
        if value is not None and value < 0:
            errors[name] = [_("The figure cannot be negative.")]
    if all(value is None for value in values.values()):
        errors["output_value"] = [_("Enter at least one figure.")]
    if errors:
        raise ValidationError(errors)
    indicator = (
        ClusterIndicator.objects.select_for_update().filter(cluster=cluster, year=year).first()
    )
    if indicator is None:
        indicator = ClusterIndicator(cluster=cluster, year=year)
    for name, value in values.items():
        setattr(indicator, name, value)
    indicator.note = note
    indicator.origin = origin
    indicator._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError as exc:
        raise Conflict(
            _("These figures were just entered by someone else; reload and try again."),
            code="indicator_recorded_concurrently",
        ) from exc
    return indicator
