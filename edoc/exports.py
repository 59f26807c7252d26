"""Register books printed as PDF and exported as XLSX (Decree 30/2020/NĐ-CP, Appendix VI)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import Document, RegisterBook


@dataclass(frozen=True)
class Column:
    title: str
    width_mm: float


def _date(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value).date()
    return value.strftime("%d/%m/%Y")


def _type_and_subject(document: Document) -> str:
    doc_type = document.document_type.name if document.document_type else ""
    return f"{doc_type} — {document.subject}" if doc_type else document.subject


def _handlers(document: Document) -> str:
    leads = [a.assignee_label for a in document.assignments.all() if a.parent_id is None]
    return "; ".join(leads)


def _recipients(document: Document) -> str:
    return "; ".join(str(r) for r in document.recipients.all())


def book_columns(book: RegisterBook) -> list[Column]:
    if book.kind == RegisterBook.Kind.INCOMING:
        return [
            Column(_("Date received"), 20),
            Column(_("Incoming no."), 18),
            Column(_("Issuer"), 40),
            Column(_("Number, notation"), 28),
            Column(_("Document date"), 20),
            Column(_("Type and subject"), 80),
            Column(_("Unit or person receiving"), 35),
            Column(_("Signature"), 17),
            Column(_("Notes"), 17),
        ]
    return [
        Column(_("Number, notation"), 28),
        Column(_("Document date"), 20),
        Column(_("Type and subject"), 85),
        Column(_("Signer"), 32),
        Column(_("Recipients"), 50),
        Column(_("Copies kept by"), 25),
        Column(_("Pages"), 12),
        Column(_("Signature"), 15),
        Column(_("Notes"), 18),
    ]


def book_rows(book: RegisterBook, entries: Iterable[Document]) -> list[list[str]]:
    """One row per entry, in the column order of `book_columns`."""
    rows = []
    for doc in entries:
        if book.kind == RegisterBook.Kind.INCOMING:
            rows.append(
                [
                    _date(doc.received_at),
                    str(doc.book_number),
                    doc.issuer,
                    doc.symbol,
                    _date(doc.issue_date),
                    _type_and_subject(doc),
                    _handlers(doc),
                    "",
                    doc.note,
                ]
            )
        else:
            rows.append(
                [
                    doc.symbol,
                    _date(doc.issue_date),
                    _type_and_subject(doc),
                    doc.signer_name,
                    _recipients(doc),
                    doc.owner_unit.name,
                    str(doc.page_count or ""),
                    "",
                    doc.note,
                ]
            )
    return rows


def _title(book: RegisterBook) -> str:
    if book.kind == RegisterBook.Kind.INCOMING:
        title = _("REGISTER OF INCOMING DOCUMENTS")
    else:
        title = _("REGISTER OF OUTGOING DOCUMENTS")
    if book.is_confidential:
        title = _("%(title)s (CONFIDENTIAL)") % {"title": title}
    return title


def register_book_pdf(book: RegisterBook, entries: Iterable[Document]) -> bytes:
    """A printable A4-landscape register in a font that renders Vietnamese."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from edoc.fonts import SERIF_BOLD, register_fonts

    font = register_fonts()
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=11)
    head = ParagraphStyle("head", parent=cell, fontName=SERIF_BOLD, alignment=TA_CENTER)
    title = ParagraphStyle(
        "title", fontName=SERIF_BOLD, fontSize=15, alignment=TA_CENTER, leading=20
    )
    sub = ParagraphStyle("sub", fontName=font, fontSize=11, alignment=TA_CENTER, leading=14)

    columns = book_columns(book)
    data = [[Paragraph(escape(c.title), head) for c in columns]]
    data += [[Paragraph(escape(value), cell) for value in row] for row in book_rows(book, entries)]
    table = Table(data, colWidths=[c.width_mm * mm for c in columns], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ]
        )
    )
    agency = book.agency
    owner = book.unit.name if book.unit else agency.name
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"{_title(book)} {book.year}",
        author=agency.name,
    )

    def footer(canvas, doc) -> None:
        canvas.setFont(font, 8)
        canvas.drawRightString(
            landscape(A4)[0] - 10 * mm, 6 * mm, _("Page %(page)s") % {"page": doc.page}
        )

    story = [
        Paragraph(escape(owner.upper()), sub),
        Spacer(1, 4 * mm),
        Paragraph(escape(_title(book)), title),
        Paragraph(escape(_("Year %(year)s") % {"year": book.year}), sub),
        Spacer(1, 6 * mm),
        table,
    ]
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def register_book_xlsx(book: RegisterBook, entries: Iterable[Document]) -> bytes:
    """The same register as a spreadsheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(book.year)
    columns = book_columns(book)
    sheet.append([_title(book) + f" {book.year}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([book.unit.name if book.unit else book.agency.name])
    sheet.append([])
    sheet.append([c.title for c in columns])
    header_row = sheet.max_row
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=header_row, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width_mm * 0.55
    for row in book_rows(book, entries):
        sheet.append(row)
    for row in sheet.iter_rows(min_row=header_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
