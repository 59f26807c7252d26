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


def _cell(value: Any) -> str:
    """A table cell as text: numbers with Vietnamese separators, nothing for None."""
    from django.utils.formats import number_format

    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def dashboard_pdf(user, filters: Filters) -> bytes:
    """The whole dashboard as an A4-landscape PDF: for each panel the user sees, its tables
    (the same as its XLSX), then the service index; fonts that render Vietnamese."""
    from xml.sax.saxutils import escape

    from django.utils import timezone
    from django.utils.translation import gettext as _
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from dashboard import registry
    from edoc.fonts import SERIF_BOLD, register_fonts

    font = register_fonts()
    cell = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=10.5)
    head = ParagraphStyle("head", parent=cell, fontName=SERIF_BOLD)
    title = ParagraphStyle("title", fontName=SERIF_BOLD, fontSize=16, leading=20)
    section = ParagraphStyle("section", fontName=SERIF_BOLD, fontSize=13, leading=17)
    caption = ParagraphStyle("caption", fontName=SERIF_BOLD, fontSize=10, leading=13)
    sub = ParagraphStyle("sub", fontName=font, fontSize=10, leading=13)
    width = landscape(A4)[0] - 20 * mm

    def table(header: list[str], rows: list[list[Any]]) -> Table:
        data = [[Paragraph(escape(str(h)), head) for h in header]]
        data += [[Paragraph(escape(_cell(v)), cell) for v in row] for row in rows]
        if not rows:
            data.append([Paragraph("—", cell)] + [""] * (len(header) - 1))
        first = min(90 * mm, width / 2)
        others = (width - first) / max(len(header) - 1, 1)
        widths = [first] + [others] * (len(header) - 1) if len(header) > 1 else [width]
        result = Table(data, colWidths=widths, repeatRows=1)
        result.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ]
            )
        )
        return result

    period = _("From %(start)s to %(end)s") % {
        "start": f"{filters.range.date_from:%d/%m/%Y}",
        "end": f"{filters.range.date_to:%d/%m/%Y}",
    }
    if filters.unit is not None:
        period += f" · {filters.unit.name}"
    story: list[Any] = [
        Paragraph(escape(_("Operations dashboard")), title),
        Paragraph(escape(period), sub),
        Paragraph(
            escape(
                _("Made on %(when)s for %(user)s")
                % {
                    "when": f"{timezone.localtime():%d/%m/%Y %H:%M}",
                    "user": user.get_full_name() or user.username,
                }
            ),
            sub,
        ),
        Spacer(1, 5 * mm),
    ]
    for panel in registry.panels():
        data = panel.context(user, filters)
        if data is None:
            continue
        story.append(Paragraph(escape(str(panel.title)), section))
        for caption_text, header, rows in panel.xlsx(data):
            story.append(
                KeepTogether([Paragraph(escape(caption_text), caption), table(header, rows)])
            )
            story.append(Spacer(1, 3 * mm))
        index = data.get("index")
        if index is not None:
            rows = [
                [
                    group.title,
                    group.maximum,
                    group.points,
                    "; ".join(
                        f"{rate.label}: {_cell(rate.value)}% ({rate.part}/{rate.whole})"
                        if rate.value is not None
                        else f"{rate.label}: —"
                        for rate in group.rates
                    )
                    or group.note,
                ]
                for group in index.groups
            ]
            rows.append([_("Points of the groups measured"), index.maximum, index.points, ""])
            story.append(
                KeepTogether(
                    [
                        Paragraph(escape(_("Service index (Decision 766/QĐ-TTg)")), caption),
                        table(
                            [
                                _("Group of indicators"),
                                _("Maximum"),
                                _("Points"),
                                _("Criteria measured"),
                            ],
                            rows,
                        ),
                    ]
                )
            )
        story.append(Spacer(1, 6 * mm))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=12 * mm,
        title=_("Operations dashboard"),
    )

    def footer(canvas, doc) -> None:
        canvas.setFont(font, 8)
        canvas.drawRightString(
            landscape(A4)[0] - 10 * mm, 6 * mm, _("Page %(page)s") % {"page": doc.page}
        )

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
