"""The electronic receipt (biên lai điện tử) of a paid order, in Vietnamese (the bundled
Liberation Serif, registered before any paragraph is built — also first thing in a fresh
process): agency, series and number, payer, purpose, amount in figures and in words, method,
provider reference and a QR code of its public verification page."""

from __future__ import annotations

import io

from django.utils import timezone
from num2words import num2words
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from edoc.fonts import register_fonts
from edoc.pdfgen import MOTTO, SLOGAN
from onestop.pdf import _p, _qr
from payments.models import Receipt
from payments.providers.base import PROVIDERS
from workflows.calendar import VN_TZ

METHOD_NAMES = {
    "cash": "Tiền mặt",
    "pos": "Thẻ qua máy POS",
    "counter": "Nộp tại quầy",
    # Providers' own names, for past payments when the provider is no longer configured.
    "vnpay": "VNPAY",
    "momo": "MoMo",
    "vietqr": "VietQR",
}


def amount_in_words(amount: int) -> str:
    """360000 → "Ba trăm sáu mươi nghìn đồng" (num2words' Vietnamese)."""
    words = num2words(int(amount), lang="vi")
    return f"{words[:1].upper()}{words[1:]} đồng"


def vnd(amount: int) -> str:
    """1.234.567 đồng: figures as Vietnamese writes them."""
    return f"{int(amount):,} đồng".replace(",", ".")


def method_name(method: str) -> str:
    """How the receipt names a payment method: a provider's label, or the counter's ways."""
    registered = PROVIDERS.get(method)
    return registered.label if registered is not None else METHOD_NAMES.get(method, method)


def receipt_pdf(receipt: Receipt, *, verify_url: str) -> bytes:
    """The receipt's PDF (A5 landscape)."""
    register_fonts()
    order = receipt.order
    agency = order.agency
    issued = timezone.localtime(receipt.issued_at, VN_TZ)
    header = Table(
        [
            [
                [_p(agency.parent_name.upper(), "center"), _p(agency.name.upper(), "center_bold")],
                [_p(MOTTO, "center_bold"), _p(SLOGAN, "center_bold")],
            ]
        ],
        colWidths=[80 * mm, 95 * mm],
    )
    rows = [
        ("Người nộp tiền:", receipt.payer_name),
        ("Nội dung thu:", receipt.purpose),
        ("Số tiền:", vnd(receipt.amount)),
        ("Bằng chữ:", amount_in_words(receipt.amount)),
        ("Hình thức thanh toán:", method_name(receipt.method)),
        ("Mã giao dịch:", receipt.provider_reference or "—"),
        ("Mã đơn thanh toán:", order.code),
    ]
    facts = Table(
        [[_p(label, "cell_bold"), _p(value, "cell")] for label, value in rows],
        colWidths=[42 * mm, 93 * mm],
    )
    body = Table(
        [[facts, [_qr(verify_url), _p("Quét mã để kiểm tra biên lai", "small_center")]]],
        colWidths=[137 * mm, 38 * mm],
    )
    for table in (header, facts, body):
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
    flowables = [
        header,
        Spacer(1, 4 * mm),
        _p("BIÊN LAI THU TIỀN ĐIỆN TỬ", "title"),
        _p(
            f"Ký hiệu: {receipt.series} — Số: {receipt.number:07d} — Năm {receipt.year}",
            "center",
        ),
        _p(
            f"Ngày {issued:%d} tháng {issued:%m} năm {issued:%Y}, lúc {issued:%H:%M}",
            "small_center",
        ),
        Spacer(1, 4 * mm),
        body,
        Spacer(1, 3 * mm),
        _p(f"Kiểm tra biên lai tại: {verify_url}", "small"),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A5),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=f"Biên lai {receipt.reference}",
        invariant=True,
    )
    document.build(flowables)
    return buffer.getvalue()
