"""XLSX files for the health format tests (openpyxl, as the exports come from Excel)."""

import io
from typing import Any

from openpyxl import Workbook


def xlsx(rows: list[list[Any]], number_formats: dict[int, str] | None = None) -> bytes:
    """A workbook whose first sheet holds `rows`; `number_formats` {column index: format}."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for column, layout in (number_formats or {}).items():
        for cells in sheet.iter_rows(min_col=column + 1, max_col=column + 1):
            cells[0].number_format = layout
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
