"""Blank application forms (tờ khai, mẫu đơn) that procedures carry for citizens to download
and fill in by hand: A4 PDFs in the bundled Vietnamese serif font (Liberation Serif), laid out
like the forms of the cited decrees (motto, place and date line in italics, title, "Kính gửi",
dotted fields, the undertaking, the applicant's signature).

The shipped procedures (onestop/shipped.py) each give their application paper a `BlankForm`;
`install_procedures` renders it for the agency and stores it through
`onestop.services.paper_template_set`. Administrators may replace any form in the admin.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

from edoc.fonts import SERIF, SERIF_BOLD, SERIF_ITALIC, register_fonts
from edoc.pdfgen import MOTTO, SLOGAN

LEFT, RIGHT = 30 * mm, 15 * mm  # Decree 30's margins
WIDTH = A4[0] - LEFT - RIGHT
LINE_WIDTH = WIDTH - 12 - 2  # the frame's 6 pt padding on each side, and a little room
FONT_SIZE = 13


@dataclass(frozen=True)
class BlankForm:
    """One blank form: its title as the legal document names it, the document that prescribes
    it, the lines the applicant fills in and what they ask for."""

    title: str  # e.g. "Đơn đề nghị cấp chứng chỉ hành nghề khám bệnh, chữa bệnh"
    prescribed_by: str  # e.g. "Nghị định số 109/2016/NĐ-CP ngày 01/7/2016 của Chính phủ"
    fields: tuple[str, ...]
    request: str  # the sentence of the request; "{agency}" is the addressee's name
    signer: str = "NGƯỜI LÀM ĐƠN"
    slug: str = "mau-don"

    @property
    def note(self) -> str:
        """The line over the title naming where the form comes from."""
        return f"Mẫu đơn theo {self.prescribed_by}"


def _styles() -> dict[str, ParagraphStyle]:
    """Built after the fonts are registered (a fresh process has none yet)."""
    register_fonts()
    base = {"fontName": SERIF, "fontSize": FONT_SIZE, "leading": FONT_SIZE * 1.4}
    return {
        "note": ParagraphStyle(
            "note", fontName=SERIF_ITALIC, fontSize=10, leading=12, alignment=TA_RIGHT
        ),
        "motto": ParagraphStyle(
            "motto", fontName=SERIF_BOLD, fontSize=13, leading=16, alignment=TA_CENTER
        ),
        "date": ParagraphStyle(
            "date", fontName=SERIF_ITALIC, fontSize=13, leading=16, alignment=TA_RIGHT
        ),
        "title": ParagraphStyle(
            "title", fontName=SERIF_BOLD, fontSize=14, leading=18, alignment=TA_CENTER
        ),
        "center": ParagraphStyle("center", **base, alignment=TA_CENTER),
        "body": ParagraphStyle("body", **base, alignment=TA_JUSTIFY),
        "line": ParagraphStyle("line", **base),
        "field": ParagraphStyle("field", fontName=SERIF, fontSize=FONT_SIZE, leading=24),
        "sign": ParagraphStyle(
            "sign", fontName=SERIF_BOLD, fontSize=13, leading=16, alignment=TA_CENTER
        ),
        "sign_note": ParagraphStyle(
            "sign_note", fontName=SERIF_ITALIC, fontSize=12, leading=15, alignment=TA_CENTER
        ),
    }


def _dotted(label: str, width: float = LINE_WIDTH) -> str:
    """The label and a dotted line to the end of it (a long label gets a line of its own)."""
    text = f"{label}: "
    dot = stringWidth(".", SERIF, FONT_SIZE)
    room = width - stringWidth(text, SERIF, FONT_SIZE)
    if room < width / 3:
        return escape(text) + "<br/>" + "." * int(width / dot)
    return escape(text) + "." * int(room / dot)


def blank_form_pdf(form: BlankForm, *, agency_name: str, papers: list[str]) -> bytes:
    """The form as a PDF, addressed to `agency_name`, listing `papers` as the attachments."""
    styles = _styles()
    flowables: list = [
        Paragraph(escape(form.note), styles["note"]),
        Spacer(1, 3 * mm),
        Paragraph(MOTTO, styles["motto"]),
        Paragraph(SLOGAN, styles["motto"]),
        Paragraph("—————————", styles["center"]),
        Paragraph("……………, ngày …… tháng …… năm 20……", styles["date"]),
        Spacer(1, 5 * mm),
        Paragraph(escape(form.title.upper()), styles["title"]),
        Spacer(1, 3 * mm),
        Paragraph(f"Kính gửi: {escape(agency_name)}", styles["center"]),
        Spacer(1, 4 * mm),
    ]
    for index, label in enumerate(form.fields, start=1):
        flowables.append(Paragraph(_dotted(f"{index}. {label}"), styles["field"]))
    flowables += [
        Spacer(1, 2 * mm),
        Paragraph(escape(form.request.format(agency=agency_name)), styles["body"]),
    ]
    if papers:
        flowables.append(Paragraph("Hồ sơ kèm theo gồm:", styles["line"]))
        flowables += [Paragraph(f"- {escape(name)};", styles["line"]) for name in papers]
    flowables += [
        Paragraph(
            "Tôi xin cam đoan những thông tin trên là đúng sự thật và chịu trách nhiệm trước "
            "pháp luật về nội dung đã kê khai.",
            styles["body"],
        ),
        Spacer(1, 5 * mm),
    ]
    signature = [
        Paragraph(escape(form.signer), styles["sign"]),
        Paragraph("(Ký và ghi rõ họ tên)", styles["sign_note"]),
    ]
    block = Table([[[], signature]], colWidths=[WIDTH * 0.45, WIDTH * 0.55])
    flowables.append(KeepTogether([block]))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=form.title,
        invariant=True,
    ).build(flowables)
    return buffer.getvalue()
