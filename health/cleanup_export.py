"""The clean-up report as an XLSX workbook, in the shape of the plan's second table."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from health.selectors import CleanupRow


def cleanup_report_xlsx(rows: list[CleanupRow], total: CleanupRow, level: str) -> bytes:
    """One sheet: No., place, records checked, fixed, merged, still doubtful; the total row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Clean-up")
    sheet.append([_("Data clean-up of health records")])
    sheet["A1"].font = Font(bold=True, size=13)
    place = _("District") if level == "district" else _("Commune")
    heading = [
        _("No."),
        place,
        _("Records checked"),
        _("Fixed"),
        _("Merged"),
        _("Still doubtful"),
    ]
    sheet.append(heading)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, 1):
        sheet.append(
            [
                number,
                row.place or _("Commune not recorded"),
                row.checked,
                row.fixed,
                row.merged,
                row.doubtful,
            ]
        )
    sheet.append(["", _("Total"), total.checked, total.fixed, total.merged, total.doubtful])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (6, 40, 16, 12, 12, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
