"""The plan's first table (health.reports) as a spreadsheet (openpyxl) and as an A4 PDF
(reportlab, in the site's Vietnamese-capable serif, edoc.fonts)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from health.reports import COLUMNS, Table


def title(table: Table) -> str:
    return _("ELECTRONIC HEALTH RECORDS STATISTICS")


def subtitle(table: Table) -> str:
    return _("(records as of %(date)s)") % {"date": table.on.strftime("%d/%m/%Y")}


def header(table: Table) -> list[str]:
    return [pgettext("health records table", "No."), table.grouping_label] + [
        str(t) for _c, t in COLUMNS
    ]


def body(table: Table) -> list[list]:
    """The rows as the exports lay them out: number, label, counts; the total last."""
    rows = [[n, r.label, *r.values()] for n, r in enumerate(table.rows, start=1)]
    return rows + [["", table.total.label, *table.total.values()]]


def report_xlsx(table: Table) -> bytes:
    """The table as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.on.strftime("%d-%m-%Y")
    sheet.append([title(table)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([subtitle(table)])
    sheet.append([])
    sheet.append(header(table))
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in body(table):
        sheet.append(row)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=5, min_col=3):
        for cell in row:
            cell.number_format = "#,##0"
    for letter, width in zip("ABCDE", (7, 48, 18, 22, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A5"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number(value) -> str:
    """Thousands grouped with dots, as the plan writes them (2.840.866)."""
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)


def report_pdf(table: Table, *, agency: str = "") -> bytes:
    """The table on A4 portrait, Vietnamese fonts, header repeated on every page."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    from edoc.fonts import SERIF_BOLD, register_fonts

    font = register_fonts()
    cell = ParagraphStyle("cell", fontName=font, fontSize=10, leading=12)
    number = ParagraphStyle("number", parent=cell, alignment=TA_RIGHT)
    head = ParagraphStyle("head", parent=cell, fontName=SERIF_BOLD, alignment=TA_CENTER)
    bold = ParagraphStyle("bold", parent=cell, fontName=SERIF_BOLD)
    bold_number = ParagraphStyle("bold_number", parent=bold, alignment=TA_RIGHT)
    big = ParagraphStyle("big", fontName=SERIF_BOLD, fontSize=14, alignment=TA_CENTER, leading=18)
    sub = ParagraphStyle("sub", fontName=font, fontSize=11, alignment=TA_CENTER, leading=14)

    data = [[Paragraph(escape(text), head) for text in header(table)]]
    lines = body(table)
    for index, line in enumerate(lines):
        last = index == len(lines) - 1
        text, digits = (bold, bold_number) if last else (cell, number)
        data.append(
            [Paragraph(escape(_number(line[0])), text), Paragraph(escape(line[1]), text)]
            + [Paragraph(_number(value), digits) for value in line[2:]]
        )
    grid = PdfTable(data, colWidths=[12 * mm, 70 * mm, 31 * mm, 36 * mm, 36 * mm], repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ]
        )
    )
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{title(table)} {table.on:%d/%m/%Y}",
        author=agency,
    )

    def footer(canvas, doc) -> None:
        canvas.setFont(font, 8)
        canvas.drawRightString(A4[0] - 12 * mm, 7 * mm, _("Page %(page)s") % {"page": doc.page})

    story = [Paragraph(escape(agency.upper()), sub), Spacer(1, 3 * mm)] if agency else []
    story += [
        Paragraph(escape(title(table)), big),
        Paragraph(escape(subtitle(table)), sub),
        Spacer(1, 6 * mm),
        grid,
    ]
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
