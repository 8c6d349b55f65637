"""Excel workbooks of the investment module: the KPIs (as the dashboards show them), the
project catalogue and the deals.

Each function takes data already loaded (a ``reports.Report``; querysets from the selectors)
and returns the file's bytes. Headers follow the active language. Figures are written as
numbers (yuan to the fen, rates as fractions formatted as percentages), never as text, so the
workbook adds up; text is always written as text, never as a formula.

Personal-data minimisation (PIPL): no phone numbers; a project's contact name and e-mail are
the office's published contact, not a private person's.
"""

from __future__ import annotations

import io
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xiqia.investment import reports
from xiqia.investment.models import Deal, Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"yuan": "#,##0.00", "rate": "0.0%", "count": "#,##0", "date": "yyyy-mm-dd"}


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    kind: str = "text"
    width: int = 14


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _sheet(workbook: Workbook, title: str, columns: Sequence[Column], items: Iterable[Any]) -> Any:
    """Add a sheet with a bold, frozen, filterable header and one row per item."""
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([column.header for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    count = 0
    for count, item in enumerate(items, start=1):
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=count + 1, column=index, value=_clean(column.value(item)))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: no formula injection
            elif column.kind in FORMATS:
                cell.number_format = FORMATS[column.kind]
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return sheet


def _bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# KPIs ------------------------------------------------------------------------------------------


def kpis_workbook(report: reports.Report) -> bytes:
    """Return a report's KPIs: the headline with definitions, then one sheet per breakdown."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    summary = _sheet(
        workbook,
        _("KPIs"),
        [
            Column(_("Indicator"), lambda item: item["label"], width=34),
            Column(_("Value"), lambda item: item["value"], width=20),
            Column(_("Definition"), lambda item: item["definition"], width=90),
        ],
        report.headline(),
    )
    for row, item in enumerate(report.headline(), start=2):
        summary.cell(row=row, column=2).number_format = FORMATS[item["kind"]]
    summary.append([])
    summary.append([_("Scope"), report.title])
    summary.append([_("As of"), report.as_of])
    summary.cell(row=summary.max_row, column=2).number_format = FORMATS["date"]
    if report.published_only:
        summary.append([_("Coverage"), _("These figures cover the fairs' published results only.")])
    for breakdown in report.breakdowns:
        columns = [Column(breakdown.title, lambda row: row.label, width=34)] + [
            Column(str(label), operator.attrgetter(name), kind, 16)
            for name, label, kind in reports.COLUMNS
        ]
        _sheet(workbook, breakdown.title, columns, breakdown.rows)
    return _bytes(workbook)


# Projects and deals ----------------------------------------------------------------------------


def _name(obj: Any) -> str:
    return obj.name if obj is not None else ""


def projects_workbook(projects: Iterable[Project]) -> bytes:
    """Return catalogue projects, one row each (``region``, ``park``, ``cluster``,
    ``industry`` selected, as ``selectors.project_catalogue`` does)."""
    columns = [
        Column(_("Title (Chinese)"), lambda p: p.title_zh, width=30),
        Column(_("Title (English)"), lambda p: p.title_en, width=30),
        Column(_("Region code"), lambda p: p.region.code, width=10),
        Column(_("Region"), lambda p: p.region.name),
        Column(_("Park"), lambda p: _name(p.park), width=24),
        Column(_("Industry cluster"), lambda p: _name(p.cluster), width=24),
        Column(_("Industry"), lambda p: p.industry.code if p.industry_id else ""),
        Column(_("Investment sought (yuan)"), lambda p: p.investment_sought, "yuan", 20),
        Column(_("Land area (m²)"), lambda p: p.land_area_m2, "count", 14),
        Column(_("Status"), lambda p: p.get_status_display()),
        Column(_("Published"), lambda p: _("yes") if p.is_published else _("no"), width=8),
        Column(_("Contact"), lambda p: p.contact_name),
        Column(_("Contact email"), lambda p: p.contact_email, width=24),
        Column(_("Description (Chinese)"), lambda p: p.description_zh, width=60),
        Column(_("Description (English)"), lambda p: p.description_en, width=60),
    ]
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, _("Projects"), columns, projects)
    return _bytes(workbook)


def deals_workbook(deals: Iterable[Deal]) -> bytes:
    """Return deals, one row each (related rows selected, ``is_overdue_start`` annotated, as
    ``selectors.deal_list`` does)."""
    columns = [
        Column(_("Title (Chinese)"), lambda d: d.title_zh, width=30),
        Column(_("Investor"), lambda d: d.investor.name_zh, width=28),
        Column(_("Host region code"), lambda d: d.host_region.code, width=10),
        Column(_("Host region"), lambda d: d.host_region.name),
        Column(_("Park"), lambda d: _name(d.park), width=24),
        Column(_("Industry cluster"), lambda d: _name(d.cluster), width=24),
        Column(_("Amount (yuan)"), lambda d: d.amount, "yuan", 20),
        Column(_("Counted amount (yuan)"), lambda d: d.counted_amount, "yuan", 20),
        Column(_("Kind"), lambda d: d.get_kind_display()),
        Column(_("Signed on"), lambda d: d.signed_at, "date", 12),
        Column(_("Signed at event"), lambda d: d.event.title if d.event_id else "", width=30),
        Column(
            _("Credited to event"),
            lambda d: d.credited_event.title if d.credited_event_id else _("outside a fair"),
            width=30,
        ),
        Column(_("Status"), lambda d: d.get_status_display()),
        Column(_("Registered on"), lambda d: d.registered_on, "date", 12),
        Column(_("Construction started on"), lambda d: d.construction_started_on, "date", 12),
        Column(_("In production on"), lambda d: d.in_production_on, "date", 12),
        Column(_("At capacity on"), lambda d: d.at_capacity_on, "date", 12),
        Column(_("Construction start due by"), lambda d: d.construction_due_on, "date", 12),
        Column(
            _("Overdue to start"),
            lambda d: _("yes") if getattr(d, "is_overdue_start", False) else _("no"),
            width=8,
        ),
        Column(_("Funds in place (yuan)"), lambda d: d.funds_in_place, "yuan", 20),
        Column(_("Responsible officer"), lambda d: d.officer.get_full_name() if d.officer else ""),
    ]
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, _("Deals"), columns, deals)
    return _bytes(workbook)
