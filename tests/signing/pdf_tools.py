"""PDF inputs for the verification tests: a form with a number field, filling it, tampering
after signing and flipping a signed byte — each an incremental update made with raw pyHanko."""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter


def form_pdf(field_name: str = "number") -> bytes:
    """A one-page PDF with an empty text field (like the document number before issuance)."""
    from reportlab.pdfgen import canvas

    from edoc.fonts import register_fonts

    font = register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=True)
    pdf.setFont(font, 12)
    pdf.drawString(60, 800, "SỞ Y TẾ ĐỒNG NAI — Số:")
    pdf.drawString(60, 760, "KẾ HOẠCH thử nghiệm chữ ký số")
    pdf.acroForm.textfield(name=field_name, x=220, y=795, width=120, height=18, value="")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def fill_field(pdf: bytes, field_name: str, value: str) -> bytes:
    """Fill a text field in an incremental update (what the clerk does when numbering)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == field_name:
            field[pdf_name("/V")] = pdf_string(value)
            writer.update_container(field)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_page_content(pdf: bytes, text: bytes = b"FORGED") -> bytes:
    """An incremental update that draws new content on page 1: not allowed after signing."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 500 Td (" + text + b") Tj ET")
    ref = writer.add_object(stream)
    page[pdf_name("/Contents")] = generic.ArrayObject([page.raw_get("/Contents"), ref])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def flip_signed_byte(pdf: bytes, marker: bytes = b"ReportLab") -> bytes:
    """Flip one bit of a byte inside the signed range (the producer name in /Info)."""
    data = bytearray(pdf)
    position = data.index(marker)
    data[position] ^= 0x20
    return bytes(data)


def append_bytes(pdf: bytes, tail: bytes = b"\n% appended after the signature\n") -> bytes:
    """Bytes written after the file's end: no revision, but the file is no longer as signed."""
    return pdf + tail


def visible_text(pdf: bytes, page: int = -1) -> str:
    """The text a reader sees on a page, signature stamps included (their appearance streams
    are flattened into the page first, with pdfium)."""
    from edoc.pdfium import pdfium_document

    with pdfium_document(pdf) as document:
        document.init_forms()
        index = page if page >= 0 else len(document) + page
        document[index].flatten()
        flattened = io.BytesIO()
        document.save(flattened)
    with pdfium_document(flattened.getvalue()) as reread:
        return reread[index].get_textpage().get_text_range()
