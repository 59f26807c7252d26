"""The receipt's header lines each fit on one line (the unit's "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT
QUẢ" used to wrap "KẾT QUẢ" onto a second line), read back from the PDF's word positions."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from onestop import pdf, selectors, services

pytestmark = pytest.mark.django_db


def _lines(content: bytes) -> list[str]:
    """The text of the first page, one string per printed line (words of the same height)."""
    with pdfplumber.open(io.BytesIO(content)) as document:
        words = document.pages[0].extract_words(keep_blank_chars=False, use_text_flow=False)
    rows: dict[int, list[dict]] = {}
    for word in words:
        rows.setdefault(round(word["top"]), []).append(word)
    return [
        " ".join(word["text"] for word in sorted(row, key=lambda w: w["x0"]))
        for _top, row in sorted(rows.items())
    ]


def test_the_receipt_header_does_not_wrap(procedure, applicant, officer, all_files):
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files()
    )
    lines = _lines(pdf.receipt_pdf(dossier, tracking_url=selectors.tracking_url(dossier)))
    header = " | ".join(lines[:4])
    assert any("BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ" in line for line in lines), header
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in line for line in lines), header
    assert any("PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in line for line in lines)
    assert not any(line.strip() in ("KẾT QUẢ", "NAM") for line in lines), header
