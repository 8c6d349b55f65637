"""Excel imports of the investment module: projects, deals and cluster indicators.

A workbook's first sheet has one header row of column codes (the downloadable template's) and
one record per row after it. Importing is two steps:

1. **Check** (:func:`check_rows`): each row is parsed (codes, numbers, dates, names looked up)
   and then recorded through the real service inside a transaction that is rolled back, so the
   preview shows every error the import would meet, by row number and column, and nothing is
   saved. Large files are checked in chunks of rows, each chunk one request, so the page can
   show how far it got.
2. **Import** (:func:`import_rows`): every row again, through the same services, in one
   transaction: one bad row and nothing is saved; the error names its row and column.

Rows are recorded by the services with the importing user as actor, so an officer imports
only into their own district (a row elsewhere is refused by the access policy, as on the page).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xiqia.core.errors import DomainError
from xiqia.core.models import Region
from xiqia.directory.models import Industry, Organisation
from xiqia.fair.models import Event
from xiqia.investment import selectors, services
from xiqia.investment.models import Cluster, DealKind, Park, Project, ProjectStatus

# At most this many rows per file: beyond it, split the file.
MAX_ROWS = 20_000
# Rows checked per request of the preview.
CHUNK = 200


class CellError(Exception):
    """A cell's value cannot be read; the message says why."""


@dataclass(frozen=True)
class Column:
    code: str
    label: Any
    required: bool = False
    help: Any = ""
    example: Any = ""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


# Cell readers ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decimal(value: Any) -> Decimal | None:
    text = _text(value).replace(",", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(_("Enter a number.")) from exc
    if not number.is_finite():
        raise CellError(_("Enter a number."))
    return number


def _integer(value: Any) -> int | None:
    number = _decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("Enter a whole number."))
    return int(number)


def _date(value: Any) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(_text(value).replace("/", "-"))
    except ValueError as exc:
        raise CellError(_("Enter a date as YYYY-MM-DD.")) from exc


def _yes(value: Any) -> bool:
    return _text(value).lower() in {"1", "yes", "y", "true", "是", "x", "✓"}


def _choice(value: Any, choices: list[tuple[str, Any]]) -> str:
    text = _text(value)
    for code, label in choices:
        if text.lower() == code or text == str(label):
            return code
    raise CellError(
        _("Use one of: %(choices)s.") % {"choices": ", ".join(code for code, _l in choices)}
    )


# Lookups (one query each; a file of a few thousand rows stays well within a request) --------


def _region(code: str, *, on: datetime.date | None = None) -> Region:
    if not code:
        raise CellError(_("Enter the region's six-digit code."))
    regions = Region.objects.filter(code=code)
    region = (regions.valid_in(on.year) if on else regions.current()).first()
    if region is None:
        region = regions.order_by("-valid_from").first()
    if region is None:
        raise CellError(_("No region has the code %(code)s.") % {"code": code})
    return region


def _in_area(model: type[Park] | type[Cluster], name: str, region: Region) -> Any:
    if not name:
        return None
    found = list(
        model.objects.filter(
            Q(name_zh=name) | Q(name_en__iexact=name), region__in=selectors.region_ids(region)
        )[:2]
    )
    if len(found) != 1:
        raise CellError(
            _("No single %(what)s named “%(name)s” in %(region)s.")
            % {"what": model._meta.verbose_name, "name": name, "region": region.name}
        )
    return found[0]


def _industry(code: str) -> Industry | None:
    if not code:
        return None
    found = Industry.objects.filter(code=code).first()
    if found is None:
        raise CellError(_("No industry has the code %(code)s.") % {"code": code})
    return found


def _investor(text: str) -> Organisation:
    if not text:
        raise CellError(_("Enter the investor's name or unified social credit code."))
    found = list(Organisation.objects.filter(Q(credit_code=text) | Q(name_zh=text))[:2])
    if len(found) != 1:
        raise CellError(
            _("No single organisation in the directory is named “%(name)s”; add it first.")
            % {"name": text}
        )
    return found[0]


def _event(fair_slug: str, title: str) -> Event | None:
    if not title and not fair_slug:
        return None
    events = Event.objects.filter(Q(title_zh=title) | Q(title_en__iexact=title))
    if fair_slug:
        events = events.filter(fair__slug=fair_slug)
    found = list(events.select_related("fair")[:2])
    if len(found) != 1:
        raise CellError(
            _("No single event “%(title)s” at fair “%(fair)s”.")
            % {"title": title, "fair": fair_slug}
        )
    return found[0]


def _project(title: str, region: Region) -> Project | None:
    if not title:
        return None
    found = list(
        Project.objects.filter(title_zh=title, region__in=selectors.region_ids(region))[:2]
    )
    if len(found) != 1:
        raise CellError(
            _("No single catalogue project titled “%(title)s” in %(region)s.")
            % {"title": title, "region": region.name}
        )
    return found[0]


# The kinds of import -----------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any
    columns: tuple[Column, ...]
    # Parse a row's cells (by column code) into a service's keyword arguments; raise
    # ``CellError`` through ``Row.read``.
    parse: Callable[[Row], dict[str, Any]]
    record: Callable[..., Any]
    # A service field → the column to blame for its error.
    field_columns: dict[str, str] = field(default_factory=dict)


@dataclass
class Row:
    number: int
    cells: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)

    def add(self, code: str, message: str) -> None:
        """Remember an error of a cell: its first one only."""
        if not any(error.column == code for error in self.errors):
            self.errors.append(RowError(self.number, code, message))

    def read(self, code: str, reader: Callable[[Any], Any] = _text) -> Any:
        """Return a cell read by ``reader``; remember its error instead of raising."""
        try:
            return reader(self.cells.get(code))
        except CellError as exc:
            self.add(code, str(exc))
            return None

    def look_up(self, code: str, finder: Callable[[], Any]) -> Any:
        try:
            return finder()
        except CellError as exc:
            self.add(code, str(exc))
            return None

    def required(self, *codes: str) -> None:
        for code in codes:
            if not _text(self.cells.get(code)):
                self.add(code, _("This column is required."))


def _parse_project(row: Row) -> dict[str, Any]:
    row.required("region_code", "title_zh")
    region = row.look_up("region_code", lambda: _region(row.read("region_code")))
    values: dict[str, Any] = {
        "region": region,
        "title_zh": row.read("title_zh"),
        "title_en": row.read("title_en"),
        "description_zh": row.read("description_zh"),
        "description_en": row.read("description_en"),
        "investment_sought": row.read("investment_sought_yuan", _decimal),
        "land_area_m2": row.read("land_area_m2", _decimal),
        "contact_name": row.read("contact_name"),
        "contact_phone": row.read("contact_phone"),
        "contact_email": row.read("contact_email"),
        "industry": row.look_up("industry_code", lambda: _industry(row.read("industry_code"))),
        "is_published": _yes(row.cells.get("published")),
    }
    status = row.read("status")
    values["status"] = (
        row.read("status", lambda v: _choice(v, ProjectStatus.choices))
        if status
        else ProjectStatus.OPEN
    )
    if region is not None:
        values["park"] = row.look_up("park", lambda: _in_area(Park, row.read("park"), region))
        values["cluster"] = row.look_up(
            "cluster", lambda: _in_area(Cluster, row.read("cluster"), region)
        )
    return values


def _record_project(*, actor: Any, **values: Any) -> Any:
    if not values.get("contact_phone"):
        values.pop("contact_phone", None)
    return services.project_create(actor=actor, **values)


def _parse_deal(row: Row) -> dict[str, Any]:
    row.required("investor", "host_region_code", "amount_yuan", "kind", "signed_on")
    signed_at = row.read("signed_on", _date)
    region = row.look_up(
        "host_region_code", lambda: _region(row.read("host_region_code"), on=signed_at)
    )
    values: dict[str, Any] = {
        "investor": row.look_up("investor", lambda: _investor(row.read("investor"))),
        "host_region": region,
        "title_zh": row.read("title_zh"),
        "title_en": row.read("title_en"),
        "amount": row.read("amount_yuan", _decimal),
        "kind": row.read("kind", lambda v: _choice(v, DealKind.choices)),
        "signed_at": signed_at,
        "event": row.look_up("event", lambda: _event(row.read("fair"), row.read("event"))),
        "note": row.read("note"),
    }
    if region is not None:
        values["park"] = row.look_up("park", lambda: _in_area(Park, row.read("park"), region))
        values["cluster"] = row.look_up(
            "cluster", lambda: _in_area(Cluster, row.read("cluster"), region)
        )
        values["project"] = row.look_up("project", lambda: _project(row.read("project"), region))
    return values


def _record_deal(*, actor: Any, **values: Any) -> Any:
    return services.deal_record(actor=actor, officer=actor, **values)


def _parse_indicator(row: Row) -> dict[str, Any]:
    row.required("region_code", "cluster", "year")
    region = row.look_up("region_code", lambda: _region(row.read("region_code")))
    cluster = None
    if region is not None:
        cluster = row.look_up("cluster", lambda: _in_area(Cluster, row.read("cluster"), region))
    return {
        "cluster": cluster,
        "year": row.read("year", _integer),
        "output_value": row.read("output_value_yuan", _decimal),
        "enterprises": row.read("enterprises", _integer),
        "investment": row.read("investment_yuan", _decimal),
        "note": row.read("note"),
    }


def _record_indicator(*, actor: Any, **values: Any) -> Any:
    return services.cluster_indicator_set(actor=actor, **values)


_l = gettext_lazy

KINDS: dict[str, Kind] = {
    "projects": Kind(
        "projects",
        _l("Projects"),
        (
            Column(
                "region_code", _l("Region code"), True, _l("Six digits, e.g. 500157."), "500157"
            ),
            Column("title_zh", _l("Title (Chinese)"), True, "", "航空物流园分拨中心"),
            Column("title_en", _l("Title (English)"), False, "", "Sorting centre"),
            Column("park", _l("Park"), False, _l("The park's Chinese name."), ""),
            Column("cluster", _l("Industry cluster"), False, _l("The cluster's Chinese name."), ""),
            Column("industry_code", _l("Industry code"), False, _l("GB/T 4754, e.g. C39."), ""),
            Column("investment_sought_yuan", _l("Investment sought (yuan)"), False, "", 500000000),
            Column("land_area_m2", _l("Land area (m²)"), False, "", 66667),
            Column("description_zh", _l("Description (Chinese)")),
            Column("description_en", _l("Description (English)")),
            Column("contact_name", _l("Contact")),
            Column("contact_phone", _l("Contact phone")),
            Column("contact_email", _l("Contact email")),
            Column(
                "status", _l("Status"), False, _l("open, negotiating, signed or withdrawn."), "open"
            ),
            Column("published", _l("Published"), False, _l("yes or no."), "yes"),
        ),
        _parse_project,
        _record_project,
        {
            "region": "region_code",
            "industry": "industry_code",
            "investment_sought": "investment_sought_yuan",
        },
    ),
    "deals": Kind(
        "deals",
        _l("Deals"),
        (
            Column(
                "investor",
                _l("Investor"),
                True,
                _l("Name or unified social credit code, as in the directory."),
                "",
            ),
            Column(
                "host_region_code",
                _l("Host region code"),
                True,
                _l("The code in force on the signing date."),
                "500112",
            ),
            Column(
                "title_zh",
                _l("Title (Chinese)"),
                False,
                _l("Required unless a catalogue project is given."),
                "",
            ),
            Column("title_en", _l("Title (English)")),
            Column(
                "project", _l("Catalogue project"), False, _l("The project's Chinese title."), ""
            ),
            Column(
                "amount_yuan",
                _l("Amount (yuan)"),
                True,
                _l("The total agreed in this signing."),
                200000000,
            ),
            Column("kind", _l("Kind"), True, _l("intention, framework or contract."), "contract"),
            Column("signed_on", _l("Signed on"), True, _l("YYYY-MM-DD."), "2021-05-20"),
            Column(
                "fair",
                _l("Fair"),
                False,
                _l("The fair's short code (slug); empty outside a fair."),
                "",
            ),
            Column(
                "event",
                _l("Event"),
                False,
                _l("The event's Chinese title; empty outside a fair."),
                "",
            ),
            Column("park", _l("Park"), False, _l("The park's Chinese name."), ""),
            Column("cluster", _l("Industry cluster"), False, _l("The cluster's Chinese name."), ""),
            Column("note", _l("Note")),
        ),
        _parse_deal,
        _record_deal,
        {
            "host_region": "host_region_code",
            "amount": "amount_yuan",
            "signed_at": "signed_on",
            "investor": "investor",
        },
    ),
    "indicators": Kind(
        "indicators",
        _l("Cluster indicators"),
        (
            Column("region_code", _l("Region code"), True, _l("Six digits."), "500112"),
            Column("cluster", _l("Industry cluster"), True, _l("The cluster's Chinese name."), ""),
            Column("year", _l("Year"), True, "", 2021),
            Column("output_value_yuan", _l("Output value (yuan)"), False, "", ""),
            Column("enterprises", _l("Enterprises"), False, "", ""),
            Column("investment_yuan", _l("Investment (yuan)"), False, "", ""),
            Column("note", _l("Note")),
        ),
        _parse_indicator,
        _record_indicator,
        {"output_value": "output_value_yuan", "investment": "investment_yuan"},
    ),
}


# Templates ---------------------------------------------------------------------------------


def template_workbook(kind: Kind) -> bytes:
    """Return the kind's template: the header row of codes; the columns explained beside."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(kind.label)[:31]
    sheet.append([column.code for column in kind.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(kind.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(column.code) + 4)
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("Instructions"))
    notes.append([_("Column"), _("Meaning"), _("Required"), _("Notes"), _("Example")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in kind.columns:
        notes.append(
            [
                column.code,
                str(column.label),
                _("yes") if column.required else _("no"),
                str(column.help),
                column.example if isinstance(column.example, int) else str(column.example),
            ]
        )
    notes.append([])
    notes.append(
        [
            _(
                "Fill the first sheet from row 2; keep the header row. Each row is checked "
                "before anything is saved, and the import saves every row or none."
            )
        ]
    )
    for letter, width in zip("ABCDE", (24, 30, 10, 60, 24), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Reading and checking ----------------------------------------------------------------------


class FileError(Exception):
    """The file as a whole cannot be imported (not a workbook, wrong header, too long)."""


def read_header(content: bytes, kind: Kind) -> int:
    """Check a workbook's header row against the kind's columns; return its number of rows."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not .xlsx
        raise FileError(_("This is not an Excel workbook (.xlsx).")) from exc
    sheet = workbook.worksheets[0]
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    codes = [_text(value) for value in header]
    unknown = [code for code in codes if code and code not in {c.code for c in kind.columns}]
    missing = [c.code for c in kind.columns if c.required and c.code not in codes]
    if unknown or missing:
        raise FileError(
            _(
                "The header row does not match the template "
                "(unknown: %(unknown)s; missing: %(missing)s)."
            )
            % {"unknown": ", ".join(unknown) or "—", "missing": ", ".join(missing) or "—"}
        )
    rows = sum(
        1
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if any(v not in (None, "") for v in row)
    )
    workbook.close()
    if rows > MAX_ROWS:
        raise FileError(_("At most %(n)s rows per file; split it.") % {"n": MAX_ROWS})
    if rows == 0:
        raise FileError(_("The file has no rows to import."))
    return rows


def iter_rows(content: bytes, start: int = 0, stop: int | None = None) -> Iterator[Row]:
    """Yield the non-empty rows ``start``..``stop`` (0-based, header excluded) of a workbook."""
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    codes = [_text(value) for value in next(rows, ())]
    index = 0
    for number, values in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        if stop is not None and index >= stop:
            break
        if index >= start:
            yield Row(
                number, {code: value for code, value in zip(codes, values, strict=False) if code}
            )
        index += 1
    workbook.close()


def _refusal(kind: Kind, row: Row, exc: Exception) -> list[RowError]:
    """Turn a service's refusal into errors of the row, naming the column to blame."""
    columns = {c.code for c in kind.columns}

    def column_of(name: str) -> str:
        name = kind.field_columns.get(name, name)
        return name if name in columns else ""

    if isinstance(exc, PermissionDenied):
        code = "host_region_code" if "host_region_code" in columns else "region_code"
        return [RowError(row.number, code, _("You may not enter records for this region."))]
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [
            RowError(row.number, column_of(name), " ".join(ValidationError(errors).messages))
            for name, errors in exc.error_dict.items()
        ]
    if isinstance(exc, DomainError):
        if exc.fields:
            return [RowError(row.number, column_of(name), str(exc.message)) for name in exc.fields]
        return [RowError(row.number, "", str(exc.message))]
    if isinstance(exc, ValidationError):
        return [RowError(row.number, "", " ".join(exc.messages))]
    raise exc


def _record_all(kind: Kind, rows: Iterator[Row], actor: Any) -> tuple[int, list[RowError]]:
    """Record each row through the service, each in a savepoint; return (saved, errors)."""
    saved, errors = 0, []
    for row in rows:
        values = kind.parse(row)
        if row.errors:
            errors.extend(row.errors)
            continue
        try:
            with transaction.atomic():
                kind.record(actor=actor, **values)
        except (ValidationError, DomainError, PermissionDenied) as exc:
            errors.extend(_refusal(kind, row, exc))
        else:
            saved += 1
    return saved, errors


def check_rows(
    kind: Kind, content: bytes, *, actor: Any, start: int, stop: int
) -> tuple[int, list[RowError]]:
    """Check rows ``start``..``stop`` as the import would, then roll everything back."""
    with transaction.atomic():
        result = _record_all(kind, iter_rows(content, start, stop), actor)
        transaction.set_rollback(True)
    return result


def import_rows(kind: Kind, content: bytes, *, actor: Any) -> tuple[int, list[RowError]]:
    """Record every row in one transaction: all are saved, or (on any error) none."""
    with transaction.atomic():
        saved, errors = _record_all(kind, iter_rows(content), actor)
        if errors:
            transaction.set_rollback(True)
            return 0, errors
    return saved, []
