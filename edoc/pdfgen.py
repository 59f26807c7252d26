"""Generate Vietnamese official documents as PDF in the Decree 30/2020/NĐ-CP layout (Appendix I).

Used for demo data and tests. The layout follows the decree's model: the agency header top left
(governing body, issuing agency in bold with a short rule), the national motto top right, the
number and notation under the agency, place and date in italics on the right, the type name and
subject centred (or the "V/v" subject under the number for a Công văn), the body, then the
recipients bottom left and the signature block bottom right. Page numbers from page 2, top centre.
"""

from __future__ import annotations

import datetime
import io
import unicodedata
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from edoc.fonts import SERIF, SERIF_BOLD, SERIF_BOLD_ITALIC, SERIF_ITALIC, register_fonts

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SLOGAN = "Độc lập - Tự do - Hạnh phúc"
OFFICIAL_LETTER = "Công văn"
NBSP = "\u00a0"

# Decree 30 margins: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
MARGIN_LEFT = 30 * mm
MARGIN_RIGHT = 15 * mm
LEFT_COLUMN = 68 * mm
TEXT_WIDTH = A4[0] - MARGIN_LEFT - MARGIN_RIGHT
RIGHT_COLUMN = TEXT_WIDTH - LEFT_COLUMN


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass
class OfficialDocument:
    """What a Decree 30 document shows; every string is printed as given (NFC-normalised).

    `issuer` is the issuing agency as printed in bold capitals; a "\\n" forces a line break
    ("ỦY BAN NHÂN DÂN\\nTỈNH ĐỒNG NAI"). An empty `number` prints a blank number, as on a draft.
    Body paragraphs starting with "# " are bold and centred (e.g. "QUYẾT ĐỊNH:"), with "## "
    bold and left-aligned (section headings); the others are justified with a first-line indent.
    """

    issuer: str
    notation: str
    subject: str
    signer_name: str
    signer_position: str
    governing_body: str = ""
    number: str = ""
    place: str = "Đồng Nai"
    date: datetime.date | None = None
    type_name: str = OFFICIAL_LETTER
    body: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signing_authority: str = ""
    addressees: list[str] = field(default_factory=list)
    authority_title: str = ""  # Quyết định: "GIÁM ĐỐC SỞ Y TẾ", printed under the subject.

    @property
    def is_official_letter(self) -> bool:
        return self.type_name == OFFICIAL_LETTER

    @property
    def symbol(self) -> str:
        return f"{self.number}/{self.notation}" if self.number else f"{NBSP * 6}/{self.notation}"


def format_date_line(place: str, day: datetime.date | None) -> str:
    """ "Đồng Nai, ngày 05 tháng 3 năm 2023": days below 10 and months 1-2 take a leading zero."""
    if day is None:  # a draft: the clerk writes the date in on issuance
        blank = NBSP * 6
        return f"{place}, ngày{blank}tháng{blank}năm{NBSP * 8}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


class _Rule(Flowable):
    """A centred horizontal rule of a given length (the lines under agency and slogan)."""

    def __init__(self, length: float, thickness: float = 0.6, space_before: float = 3.5):
        super().__init__()
        self.length = length
        self.thickness = thickness
        self.space_before = space_before

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._avail = avail_width
        return avail_width, self.space_before + self.thickness + 2

    def draw(self) -> None:
        x = (self._avail - self.length) / 2
        y = 2
        self.canv.setLineWidth(self.thickness)
        self.canv.line(x, y, x + self.length, y)


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()

    def style(name: str, font: str, size: float, align: int = TA_CENTER, **kw) -> ParagraphStyle:
        kw.setdefault("leading", size * 1.18)
        return ParagraphStyle(name, fontName=font, fontSize=size, alignment=align, **kw)

    return {
        "governing": style("governing", SERIF, 12.5),
        "issuer": style("issuer", SERIF_BOLD, 12.5),
        "motto": style("motto", SERIF_BOLD, 12),
        "slogan": style("slogan", SERIF_BOLD, 13.5),
        "number": style("number", SERIF, 13),
        "vv": style("vv", SERIF, 12.5),
        "date": style("date", SERIF_ITALIC, 13.5),
        "type": style("type", SERIF_BOLD, 14, spaceBefore=14),
        "subject": style("subject", SERIF_BOLD, 14),
        "authority": style("authority", SERIF_BOLD, 14, spaceBefore=10, spaceAfter=6),
        "addressee_label": style("addressee_label", SERIF, 14, TA_LEFT),
        "addressee": style("addressee", SERIF, 14, TA_LEFT),
        "body": style(
            "body", SERIF, 14, TA_JUSTIFY, leading=17, firstLineIndent=10 * mm, spaceAfter=6
        ),
        "heading_centre": style("heading_centre", SERIF_BOLD, 14, spaceBefore=4, spaceAfter=6),
        "heading": style(
            "heading", SERIF_BOLD, 14, TA_JUSTIFY, leading=17, firstLineIndent=10 * mm, spaceAfter=6
        ),
        "recipients_label": style("recipients_label", SERIF_BOLD_ITALIC, 12, TA_LEFT),
        "recipient": style("recipient", SERIF, 11, TA_LEFT, leading=13),
        "sign_authority": style("sign_authority", SERIF_BOLD, 13.5),
        "signer": style("signer", SERIF_BOLD, 13.5),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(_nfc(text)).replace("\n", "<br/>"), style)


def _header(doc: OfficialDocument, st: dict[str, ParagraphStyle]) -> Table:
    left_top: list[Flowable] = []
    if doc.governing_body:
        left_top.append(_p(doc.governing_body.upper(), st["governing"]))
    left_top.append(_p(doc.issuer.upper(), st["issuer"]))
    widest = max(stringWidth(line, SERIF_BOLD, 12.5) for line in doc.issuer.upper().split("\n"))
    left_top.append(_Rule(min(widest, LEFT_COLUMN) * 0.45))

    right_top: list[Flowable] = [
        _p(MOTTO, st["motto"]),
        _p(SLOGAN, st["slogan"]),
        _Rule(stringWidth(SLOGAN, SERIF_BOLD, 13.5)),
    ]
    left_bottom: list[Flowable] = [_p(f"Số: {doc.symbol}", st["number"])]
    if doc.is_official_letter and doc.subject:
        left_bottom.append(Spacer(1, 2))
        left_bottom.append(_p(f"V/v {doc.subject}", st["vv"]))
    right_bottom = [_p(format_date_line(doc.place, doc.date), st["date"])]

    table = Table(
        [[left_top, right_top], [left_bottom, right_bottom]],
        colWidths=[LEFT_COLUMN, RIGHT_COLUMN],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 0),
            ]
        )
    )
    return table


def _addressees(doc: OfficialDocument, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    if not doc.addressees:
        return []
    single = len(doc.addressees) == 1
    label = "Kính gửi:"
    # Each addressee ends with ";" and the last with "." (Decree 30, Appendix I).
    ended = [
        name
        if name.endswith((";", "."))
        else f"{name}{'.' if i == len(doc.addressees) - 1 else ';'}"
        for i, name in enumerate(doc.addressees)
    ]
    lines = ended if single else [f"- {name}" for name in ended]
    label_width = stringWidth(label, SERIF, 14) + 6
    widest = max(stringWidth(_nfc(line), SERIF, 14) for line in lines) + 4
    inner = min(widest, TEXT_WIDTH - label_width - 40)
    table = Table(
        [[_p(label, st["addressee_label"]), [_p(line, st["addressee"]) for line in lines]]],
        colWidths=[label_width, inner],
        hAlign="CENTER",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [Spacer(1, 10), table, Spacer(1, 6)]


def _title(doc: OfficialDocument, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    if doc.is_official_letter:
        return []
    parts: list[Flowable] = [_p(doc.type_name.upper(), st["type"])]
    if doc.subject:
        parts.append(_p(doc.subject, st["subject"]))
        widest = min(stringWidth(_nfc(doc.subject), SERIF_BOLD, 14), TEXT_WIDTH * 0.9)
        parts.append(_Rule(max(widest * 0.35, 30 * mm), space_before=5))
    if doc.authority_title:
        parts.append(_p(doc.authority_title.upper(), st["authority"]))
    else:
        parts.append(Spacer(1, 8))
    return parts


def _body(doc: OfficialDocument, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    flowables: list[Flowable] = []
    for paragraph in doc.body:
        if paragraph.startswith("# "):
            flowables.append(_p(paragraph[2:], st["heading_centre"]))
        elif paragraph.startswith("## "):
            flowables.append(_p(paragraph[3:], st["heading"]))
        else:
            flowables.append(_p(paragraph, st["body"]))
    return flowables


def _closing(doc: OfficialDocument, st: dict[str, ParagraphStyle]) -> Flowable:
    left: list[Flowable] = []
    if doc.recipients:
        left.append(_p("Nơi nhận:", st["recipients_label"]))
        for index, name in enumerate(doc.recipients):
            ending = "." if index == len(doc.recipients) - 1 else ";"
            text = name if name.endswith((";", ".")) else f"{name}{ending}"
            left.append(_p(f"- {text}", st["recipient"]))
    right: list[Flowable] = []
    if doc.signing_authority:
        right.append(_p(doc.signing_authority.upper(), st["sign_authority"]))
    right.append(_p(doc.signer_position.upper(), st["sign_authority"]))
    right.append(Spacer(1, 24 * mm))
    right.append(_p(doc.signer_name, st["signer"]))
    table = Table([[left, right]], colWidths=[TEXT_WIDTH - 88 * mm, 88 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return KeepTogether([Spacer(1, 10), table])


def _page_number(canvas, document) -> None:
    canvas.saveState()
    canvas.setFont(SERIF, 13)
    canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, str(document.page))
    canvas.restoreState()


def render_pdf(doc: OfficialDocument) -> bytes:
    """The document as PDF bytes (A4, Liberation Serif, deterministic output)."""
    st = _styles()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=_nfc(f"{doc.symbol} {doc.subject}")[:200],
        author=_nfc(doc.issuer.replace("\n", " ")),
        invariant=True,
    )
    story: list[Flowable] = [_header(doc, st)]
    story += _title(doc, st)
    story += _addressees(doc, st)
    if doc.is_official_letter and not doc.addressees:
        story.append(Spacer(1, 12))
    story += _body(doc, st)
    story.append(_closing(doc, st))
    template.build(story, onLaterPages=_page_number)
    return buffer.getvalue()


def sample_document() -> OfficialDocument:
    """A two-page Kế hoạch of the Department of Health, for previews and tests."""
    return OfficialDocument(
        governing_body="UBND TỈNH ĐỒNG NAI",
        issuer="SỞ Y TẾ",
        number="15",
        notation="KH-SYT",
        place="Đồng Nai",
        date=datetime.date(2023, 3, 5),
        type_name="Kế hoạch",
        subject="Chuyển đổi số ngành Y tế tỉnh Đồng Nai năm 2023",
        body=[
            "Căn cứ Quyết định số 5316/QĐ-BYT ngày 22/12/2020 của Bộ trưởng Bộ Y tế ban hành "
            "Chương trình chuyển đổi số y tế đến năm 2025 và định hướng đến năm 2030;",
            "Căn cứ Kế hoạch số 49/KH-UBND ngày 01/3/2023 của UBND tỉnh Đồng Nai về Chuyển đổi "
            "số tỉnh Đồng Nai năm 2023;",
            "Sở Y tế xây dựng Kế hoạch chuyển đổi số ngành Y tế tỉnh Đồng Nai năm 2023 như sau:",
            "## I. MỤC TIÊU",
            "Ứng dụng công nghệ thông tin, phát triển Chính phủ số và bảo đảm an toàn thông tin "
            "mạng, đặt trọng tâm vào chuyển đổi số trong y tế, góp phần xây dựng hệ thống y tế "
            "hiện đại, chất lượng, công bằng, hiệu quả; hỗ trợ người dân dễ dàng tiếp cận và sử "
            "dụng các dịch vụ y tế.",
            "Tiếp tục hoàn chỉnh và triển khai rộng hệ thống thông tin y tế của ngành, phục vụ "
            "tốt công tác điều hành, quản lý ngành, công tác điều trị bệnh và phòng chống dịch "
            "bệnh, hướng tới mô hình Ngành Y tế thông minh trên nền tảng công nghệ 4.0.",
            "## II. NỘI DUNG THỰC HIỆN",
            "Nâng cao hoạt động quản lý, điều hành văn bản điện tử tại Sở Y tế, các đơn vị trực "
            "thuộc và 170 trạm y tế xã, phường, thị trấn với tỷ lệ 100% văn bản chỉ đạo, điều "
            "hành được xử lý trên môi trường mạng (trừ văn bản thuộc phạm vi bí mật nhà nước).",
            "Khảo sát và xây dựng kế hoạch triển khai Bệnh án điện tử cho 04 đơn vị: Bệnh viện "
            "đa khoa Đồng Nai, Bệnh viện đa khoa Thống Nhất, Bệnh viện Nhi đồng Đồng Nai, Trung "
            "tâm Y tế huyện Cẩm Mỹ.",
            "Tham gia triển khai thí điểm thanh toán không dùng tiền mặt tại Bệnh viện Da liễu "
            "và Trung tâm Y tế huyện Long Thành theo Kế hoạch số 04/KH-UBND ngày 09/01/2023 của "
            "UBND tỉnh.",
            "## III. TỔ CHỨC THỰC HIỆN",
            "Văn phòng Sở chủ trì, phối hợp với các phòng chuyên môn, các đơn vị trực thuộc triển "
            "khai, vận hành hiệu quả các ứng dụng công nghệ thông tin; theo dõi, đôn đốc và tổng "
            "hợp báo cáo kết quả thực hiện về Sở Y tế trước ngày 15 tháng 12 năm 2023.",
            "Các đơn vị trực thuộc tiếp tục điều tra thông tin sức khỏe và nhập liệu vào phần "
            "mềm quản lý hồ sơ sức khỏe điện tử; bảo đảm vận hành hệ thống quản lý thông tin bệnh "
            "viện (HIS), thường xuyên rà soát hạ tầng phần cứng và hệ thống mạng nội bộ.",
            "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị báo cáo về Sở Y tế "
            "(qua Văn phòng Sở) để được hướng dẫn, giải quyết./.",
        ],
        recipients=[
            "UBND tỉnh (b/c)",
            "Sở Thông tin và Truyền thông",
            "Giám đốc, các Phó Giám đốc Sở",
            "Các phòng chức năng Sở",
            "Các đơn vị trực thuộc",
            "Lưu: VT, VP",
        ],
        signing_authority="KT. GIÁM ĐỐC",
        signer_position="PHÓ GIÁM ĐỐC",
        signer_name="Nguyễn Văn Hải",
    )


__all__ = ["OfficialDocument", "format_date_line", "render_pdf", "sample_document"]
