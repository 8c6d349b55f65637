"""Settlement workbooks: what each merchant redeemed, for the issuing districts to pay.

No personal data: a voucher appears by its code, time, spend and face value, never its holder.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from xiqia.tourism.models import Voucher, VoucherCampaign

MONEY_FORMAT = "#,##0.00"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _cell(sheet: Any, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    if isinstance(value, str):
        # Text, never a formula: a merchant named "=HYPERLINK(...)" must not run in Excel.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    elif isinstance(value, datetime.datetime):
        cell.value = timezone.localtime(value).replace(tzinfo=None)
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, Decimal):
        cell.value = value
        cell.number_format = MONEY_FORMAT
    else:
        cell.value = value
    if bold:
        cell.font = Font(bold=True)
    return cell


def _sheet(
    workbook: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate([24] * len(headers)):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append([_cell(sheet, header, bold=True) for header in headers])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])


def settlement_workbook(campaign: VoucherCampaign, vouchers: Iterable[Voucher]) -> bytes:
    """Return an .xlsx: a summary per merchant, then every redeemed voucher.

    Expects ``merchant__region`` selected (``selectors.settlement_rows``).
    """
    vouchers = list(vouchers)
    summary: dict[int, list[Any]] = {}
    for v in vouchers:
        row = summary.setdefault(
            v.merchant_id, [v.merchant.name, v.merchant.region.name, 0, Decimal(0), Decimal(0)]
        )
        row[2] += 1
        row[3] += campaign.face_value
        row[4] += v.spend or Decimal(0)
    totals = [
        _("Total"),
        "",
        sum(r[2] for r in summary.values()),
        sum((r[3] for r in summary.values()), Decimal(0)),
        sum((r[4] for r in summary.values()), Decimal(0)),
    ]
    workbook = Workbook(write_only=True)
    _sheet(
        workbook,
        _("Settlement"),
        [_("Merchant"), _("District"), _("Vouchers redeemed"), _("Amount due"), _("Spend")],
        [*summary.values(), totals],
    )
    _sheet(
        workbook,
        _("Redeemed vouchers"),
        [_("Merchant"), _("Voucher code"), _("Redeemed at"), _("Face value"), _("Spend")],
        [[v.merchant.name, v.code, v.redeemed_at, campaign.face_value, v.spend] for v in vouchers],
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
