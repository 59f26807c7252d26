"""OCR after the response (issue 9 #19): in the embedded default (Celery eager) a clerk
registering 300 scanned pages waited 71–91 s for OCR inside the upload request. The request now
only reads the text layer; OCR runs on the background thread (edoc.background), at most
SEARCH_OCR_MAX_PAGES pages per file, and the document page shows the state meanwhile."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from edoc.background import wait_until_idle
from edoc.models import Document, FileText
from tests.search.test_extraction import scanned_pdf

pytestmark = pytest.mark.tesseract


def blank_scans(pages: int) -> bytes:
    """`pages` A4 pages, each one blank picture: what a scanner without OCR produces."""
    from PIL import Image

    blank = Image.new("L", (8, 11), 255)
    buffer = io.BytesIO()
    blank.save(
        buffer,
        format="PDF",
        resolution=8 * 72 / 595,
        save_all=True,
        append_images=[blank] * (pages - 1),
    )
    return buffer.getvalue()


def register(client, catalogs, content: bytes):
    started = time.perf_counter()
    response = client.post(
        reverse("edoc:incoming_register"),
        {
            "file": SimpleUploadedFile("scan.pdf", content, content_type="application/pdf"),
            "subject": "Văn bản scan không có lớp chữ",
            "urgency": catalogs["normal"].pk,
            "confidentiality": catalogs["public"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return time.perf_counter() - started


def test_300_scanned_pages_register_at_once_and_ocr_follows(
    transactional_db, client, users, catalogs, settings
):
    settings.SEARCH_OCR_MAX_PAGES = 4
    client.force_login(users["clerk"])
    seconds = register(client, catalogs, blank_scans(300))
    print(f"registration of 300 scanned pages answered in {seconds:.2f} s")
    assert seconds < 20, f"registration took {seconds:.1f} s"
    document = Document.objects.get()
    text = FileText.objects.get(file__document=document)
    assert text.state == FileText.State.OCR and text.pages == 300
    page = client.get(reverse("edoc:document_detail", args=[document.pk])).content.decode()
    assert 'id="file-text-v1" data-state="ocr"' in page

    assert wait_until_idle(timeout=300)
    text.refresh_from_db()
    assert text.state == FileText.State.DONE
    assert text.error == ("296 trang scan từ trang 5 trở đi (mỗi tệp chỉ đọc OCR tối đa 4 trang).")
    page = client.get(reverse("edoc:document_detail", args=[document.pk])).content.decode()
    assert 'id="file-text-v1" data-state="done"' in page and "296 trang scan" in page


def test_ocr_text_arrives_after_the_response(transactional_db, client, users, catalogs):
    client.force_login(users["clerk"])
    register(
        client,
        catalogs,
        scanned_pdf(
            ["ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI", "KẾ HOẠCH", "Phòng chống dịch sốt xuất huyết"]
        ),
    )
    text = FileText.objects.get()
    assert text.state == FileText.State.OCR and text.ocr_text == ""
    assert wait_until_idle(timeout=300)
    text.refresh_from_db()
    assert text.state == FileText.State.DONE and text.error == ""
    assert text.ocr_pages == 1 and "xuất huyết" in text.ocr_text.lower()


def test_a_failing_ocr_job_is_recorded_on_the_file(
    transactional_db, client, users, catalogs, settings
):
    settings.SEARCH_OCR_LANGUAGES = "xyz-not-installed"
    client.force_login(users["clerk"])
    register(client, catalogs, blank_scans(2))
    assert wait_until_idle(timeout=300)
    text = FileText.objects.get()
    assert text.state == FileText.State.DONE and text.ocr_pages == 0
    assert "Could not initialize tesseract" in text.error
