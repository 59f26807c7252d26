"""PDF slips of the one-stop counter, in Vietnamese (Liberation Serif, the bundled font):

- the receipt and appointment slip (Phiếu tiếp nhận hồ sơ và hẹn trả kết quả), with a QR code
  of the public tracking link;
- the apology letter (Phiếu xin lỗi và hẹn lại ngày trả kết quả).

The layout follows the forms of Circular 01/2018/TT-VPCP (Mẫu số 01 and 04), simplified.
"""

from __future__ import annotations

import datetime
import io
from xml.sax.saxutils import escape

import segno
from django.utils import timezone
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from edoc.fonts import SERIF, SERIF_BOLD, SERIF_ITALIC, register_fonts
from edoc.pdfgen import MOTTO, SLOGAN
from onestop.models import ApologyLetter, Dossier
from workflows.calendar import VN_TZ

STYLES = {
    "normal": ParagraphStyle("normal", fontName=SERIF, fontSize=12, leading=16),
    "small": ParagraphStyle("small", fontName=SERIF_ITALIC, fontSize=10, leading=13),
    "small_center": ParagraphStyle(
        "small_center", fontName=SERIF_ITALIC, fontSize=10, leading=13, alignment=TA_CENTER
    ),
    "center": ParagraphStyle(
        "center", fontName=SERIF, fontSize=12, leading=15, alignment=TA_CENTER
    ),
    "center_bold": ParagraphStyle(
        "center_bold", fontName=SERIF_BOLD, fontSize=12, leading=15, alignment=TA_CENTER
    ),
    "title": ParagraphStyle(
        "title", fontName=SERIF_BOLD, fontSize=14, leading=18, alignment=TA_CENTER
    ),
    "cell": ParagraphStyle("cell", fontName=SERIF, fontSize=11, leading=14),
    "cell_bold": ParagraphStyle("cell_bold", fontName=SERIF_BOLD, fontSize=11, leading=14),
}


def _p(text: str, style: str = "normal") -> Paragraph:
    register_fonts()  # a Paragraph resolves its font when built, long before _build runs
    return Paragraph(escape(text).replace("\n", "<br/>"), STYLES[style])


def _local(moment: datetime.datetime | None, fmt: str = "%H giờ %M phút, ngày %d/%m/%Y") -> str:
    return timezone.localtime(moment, VN_TZ).strftime(fmt) if moment else "…"


def _header(dossier: Dossier) -> Table:
    agency = dossier.agency
    left = [
        _p(agency.parent_name.upper(), "center"),
        _p(agency.name.upper(), "center_bold"),
        _p("BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", "center_bold"),
    ]
    right = [_p(MOTTO, "center_bold"), _p(SLOGAN, "center_bold")]
    # At 12 pt bold "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ" is 81.3 mm wide and the motto 88.3 mm:
    # with 2 pt cell padding both fit on one line within the 175 mm between the margins.
    table = Table([[left, right]], colWidths=[84 * mm, 91 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _qr(url: str) -> Image:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=4, border=2)
    buffer.seek(0)
    return Image(buffer, width=32 * mm, height=32 * mm)


def _build(flowables: list) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title="Phiếu một cửa",
        invariant=True,
    )
    document.build(flowables)
    return buffer.getvalue()


def receipt_pdf(dossier: Dossier, *, tracking_url: str) -> bytes:
    """The receipt and appointment slip of a received dossier."""
    procedure = dossier.procedure
    officer = dossier.received_by
    flowables: list = [
        _header(dossier),
        Spacer(1, 6 * mm),
        _p("PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "title"),
        _p(f"Mã hồ sơ: {dossier.code}", "center_bold"),
        Spacer(1, 5 * mm),
        _p(
            f"{dossier.agency.name} đã tiếp nhận hồ sơ của: Ông/Bà {dossier.applicant_name}"
            + (
                f", số định danh {dossier.applicant_id_number}"
                if dossier.applicant_id_number
                else ""
            )
        ),
        _p(f"Địa chỉ: {dossier.applicant_address or '…'}"),
        _p(
            f"Số điện thoại: {dossier.applicant_phone}   "
            f"Thư điện tử: {dossier.applicant_email or '…'}"
        ),
        _p(f"Nội dung yêu cầu giải quyết: {procedure.name} (mã thủ tục {procedure.code})"),
        Spacer(1, 3 * mm),
        _p("1. Thành phần hồ sơ nộp gồm:"),
    ]
    rows = [[_p("STT", "cell_bold"), _p("Tên giấy tờ", "cell_bold"), _p("Hình thức", "cell_bold")]]
    files = list(dossier.files.filter(round=0).select_related("paper"))
    seen = set()
    index = 0
    for record in files:
        index += 1
        seen.add(record.paper_id)
        rows.append(
            [
                _p(str(index), "cell"),
                _p(
                    record.paper.name if record.paper else f"Giấy tờ khác: {record.original_name}",
                    "cell",
                ),
                _p("Bản điện tử" + (", đã đối chiếu bản chính" if record.checked else ""), "cell"),
            ]
        )
    for event in dossier.events.filter(kind="paper_checked"):
        index += 1
        name = event.internal_note.split(": ", 1)[-1]
        rows.append(
            [_p(str(index), "cell"), _p(name, "cell"), _p("Bản giấy, đã đối chiếu", "cell")]
        )
    table = Table(rows, colWidths=[12 * mm, 118 * mm, 45 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "#444444"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    fee = f"{dossier.fee_amount:,}".replace(",", ".") + " đồng" if dossier.fee_amount else "Không"
    flowables += [
        table,
        Spacer(1, 3 * mm),
        _p(f"2. Số lượng hồ sơ: 01 bộ. Phí, lệ phí: {fee}."),
        _p(
            "3. Thời gian giải quyết theo quy định: "
            f"{procedure.processing_days.normalize():f} ngày làm việc."
        ),
        _p(f"4. Thời gian nhận hồ sơ: {_local(dossier.received_at)}."),
        _p(f"5. Thời gian trả kết quả: {_local(dossier.due_at)}."),
        _p(
            "6. Nơi trả kết quả: Bộ phận Tiếp nhận và Trả kết quả "
            "hoặc trực tuyến trên Cổng dịch vụ công."
        ),
        Spacer(1, 4 * mm),
    ]
    signature = [
        _p("NGƯỜI NỘP HỒ SƠ", "center_bold"),
        _p("(Ký và ghi rõ họ tên)", "small_center"),
        Spacer(1, 18 * mm),
        _p(dossier.applicant_name, "center"),
    ]
    receiver = [
        _p("NGƯỜI TIẾP NHẬN HỒ SƠ", "center_bold"),
        _p("(Ký và ghi rõ họ tên)", "small_center"),
        Spacer(1, 18 * mm),
        _p(officer.get_full_name() if officer else "", "center"),
    ]
    qr = [_qr(tracking_url), _p("Quét mã để tra cứu hồ sơ", "small_center")]
    block = Table([[qr, signature, receiver]], colWidths=[45 * mm, 65 * mm, 65 * mm])
    block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    flowables.append(block)
    return _build(flowables)


def apology_pdf(letter: ApologyLetter) -> bytes:
    """The apology letter with the new appointment."""
    dossier = letter.dossier
    approver = letter.decided_by
    flowables: list = [
        _header(dossier),
        Spacer(1, 6 * mm),
        _p("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "title"),
        Spacer(1, 5 * mm),
        _p(f"{dossier.agency.name} xin gửi lời xin lỗi đến Ông/Bà {dossier.applicant_name}."),
        _p(
            f"Ngày {_local(dossier.received_at, '%d/%m/%Y')}, "
            f"{dossier.agency.name} tiếp nhận hồ sơ "
            f"đề nghị giải quyết thủ tục “{dossier.procedure.name}”, mã hồ sơ {dossier.code}."
        ),
        _p(f"Thời gian hẹn trả kết quả giải quyết hồ sơ: {_local(letter.old_due_at)}."),
        _p(f"Tuy nhiên đến nay, hồ sơ chưa giải quyết xong. Lý do: {letter.reason.rstrip('.')}."),
        _p(
            "Sự chậm trễ này đã gây phiền hà cho Ông/Bà. Chúng tôi xin lỗi và hẹn lại thời gian "
            f"trả kết quả vào ngày {letter.new_due_date:%d/%m/%Y}."
        ),
        _p("Mong nhận được sự thông cảm của Ông/Bà."),
        Spacer(1, 8 * mm),
    ]
    right = [
        _p(
            f"{dossier.agency.place_name}, "
            f"ngày {_local(letter.decided_at or timezone.now(), '%d/%m/%Y')}",
            "small_center",
        ),
        _p("THỦ TRƯỞNG CƠ QUAN", "center_bold"),
        Spacer(1, 18 * mm),
        _p(approver.get_full_name() if approver else "", "center"),
    ]
    block = Table([["", right]], colWidths=[85 * mm, 90 * mm])
    block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    flowables.append(block)
    return _build(flowables)
