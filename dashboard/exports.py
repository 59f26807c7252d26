"""The dashboard's exports: a panel as an XLSX workbook (one sheet per table)."""

from __future__ import annotations

import io
from typing import Any

from dashboard.filters import Filters

Table = tuple[str, list[str], list[list[Any]]]


def panel_xlsx(title: str, filters: Filters, tables: list[Table]) -> bytes:
    """One sheet per table: the panel's title and period, a bold header, the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    period = f"{filters.range.date_from:%d/%m/%Y} – {filters.range.date_to:%d/%m/%Y}"
    for sheet_title, header, rows in tables:
        sheet = workbook.create_sheet(_sheet_name(sheet_title))
        sheet.append([title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([period + (f" · {filters.unit.name}" if filters.unit else "")])
        sheet.append([])
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, int) and not isinstance(cell.value, bool):
                    cell.number_format = "#,##0"
        sheet.column_dimensions["A"].width = 48
        for letter in "BCDEFGHIJ":
            sheet.column_dimensions[letter].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    for character in "[]:*?/\\":
        title = title.replace(character, " ")
    return title[:31]
