"""Payments' tables as Excel workbooks (openpyxl): a reconciliation, a report."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_xlsx(
    *, sheet_title: str, title: str, lines: list[str], header: list[str], rows: list[list[Any]]
) -> bytes:
    """A workbook of one sheet: a bold title, a few lines under it, a blank row, the bold
    `header` and the `rows` (amounts as numbers with a thousands separator, times as
    local times without zone: Excel has none)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    for line in lines:
        sheet.append([line])
    sheet.append([])
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                value.replace(tzinfo=None) if isinstance(value, datetime.datetime) else value
                for value in row
            ]
        )
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, int) and not isinstance(cell.value, bool):
                cell.number_format = "#,##0"
            elif isinstance(cell.value, datetime.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm:ss"
    for letter, width in zip("ABCDEFGHIJ", (28, 24, 18, 18, 18, 22, 40, 18, 18, 18), strict=False):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook to download."""
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
