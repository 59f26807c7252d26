"""Text extraction and OCR of file versions: stored beside the file, shown on the document page,
searchable after commit; the PDF stays byte-identical."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.storage import default_storage

from edoc.fonts import FONT_DIR
from edoc.models import DocumentFile, FileText
from edoc.services.documents import incoming_register
from edoc.services.files import pdf_validate
from edoc.services.text import file_text_extract
from search.backends import SearchQuery
from search.models import SearchEntry
from search.services import search_documents
from tests.conftest import make_pdf

from .conftest import wait_for


def scanned_pdf(lines: list[str]) -> bytes:
    """A PDF made of one picture of Vietnamese text: no text layer at all."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1654, 2339), 255)  # A4 at 200 dpi
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT_DIR / "LiberationSerif-Regular.ttf"), 44)
    y = 200
    for line in lines:
        draw.text((150, y), line, font=font, fill=0)
        y += 80
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=200.0)
    return buffer.getvalue()


def register_pdf(users, catalogs, content: bytes, subject: str):
    return incoming_register(
        user=users["clerk"],
        subject=subject,
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        pdf=pdf_validate(io.BytesIO(content), name="van-ban.pdf"),
    )


@pytest.mark.django_db
def test_text_layer_is_extracted_after_commit_and_searchable(
    users, catalogs, fresh_index, django_capture_on_commit_callbacks
):
    content = make_pdf(["SỞ Y TẾ", "KẾ HOẠCH", "Tiêm chủng mở rộng vắc xin sởi rubella năm 2026"])
    with django_capture_on_commit_callbacks(execute=True):
        document = register_pdf(users, catalogs, content, "Về việc tiêm chủng")
    text = FileText.objects.get(file__document=document)
    assert text.state == FileText.State.DONE
    assert "rubella" in text.pdf_text and text.ocr_pages == 0
    assert text.pages == 1 and text.text_seconds is not None
    entry = SearchEntry.objects.get(document=document)
    assert "rubella" in entry.body_folded

    def found() -> list[int]:
        result = search_documents(users["clerk"], SearchQuery(text="vac xin soi rubella"))
        return [hit.document_id for hit in result.hits]

    assert wait_for(lambda: found() == [document.pk])


@pytest.mark.django_db
def test_document_page_shows_the_extraction_state(
    client, users, catalogs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = register_pdf(users, catalogs, make_pdf(), "Về việc thử nghiệm")
    client.force_login(users["clerk"])
    html = client.get(f"/documents/{document.pk}/").content.decode()
    assert 'id="file-text-states"' in html
    assert 'id="file-text-v1" data-state="done"' in html
    assert "Đã trích xuất văn bản" in html


@pytest.mark.django_db
def test_a_damaged_stored_file_marks_the_extraction_failed(users, catalogs):
    document = register_pdf(users, catalogs, make_pdf(), "Về việc kiểm tra")
    document_file = DocumentFile.objects.get(document=document)
    with default_storage.open(document_file.file.name, "wb") as handle:
        handle.write(b"%PDF-1.4 not the uploaded bytes")
    assert file_text_extract(document_file.pk) == FileText.State.FAILED
    text = FileText.objects.get(file=document_file)
    assert text.state == FileText.State.FAILED and "SHA-256" in text.error


@pytest.mark.tesseract
def test_scanned_pages_are_read_by_ocr_and_the_file_stays_byte_identical(
    transactional_db, users, catalogs, fresh_index
):
    from edoc.background import wait_until_idle

    content = scanned_pdf(
        ["ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI", "KẾ HOẠCH", "Phòng chống dịch sốt xuất huyết", "năm 2026"]
    )
    document = register_pdf(users, catalogs, content, "Văn bản scan")
    assert wait_until_idle(timeout=300)  # OCR runs after the response (tests/search/test_ocr_…)
    document_file = DocumentFile.objects.get(document=document)
    text = FileText.objects.get(file=document_file)
    assert text.state == FileText.State.DONE, text.error
    assert text.ocr_pages == 1 and text.error == ""
    assert "xuất huyết" in text.ocr_text.lower()
    with default_storage.open(document_file.file.name, "rb") as handle:
        stored = handle.read()
    assert stored == content
    assert hashlib.sha256(stored).hexdigest() == document_file.sha256

    def found() -> list[int]:
        query = SearchQuery(text="phong chong dich sot xuat huyet")
        return [hit.document_id for hit in search_documents(users["clerk"], query).hits]

    assert wait_for(lambda: document.pk in found())


@pytest.mark.django_db
def test_search_reindex_extract_catches_up_on_files_never_extracted(users, catalogs, fresh_index):
    from django.core.management import call_command

    document = register_pdf(
        users, catalogs, make_pdf(["Giám sát dịch tả lợn châu Phi"]), "Giám sát"
    )
    # A version whose text was never read (stored before the text pipeline, or its row lost):
    # the registration stores the text with the version now, so take it away again.
    FileText.objects.filter(file__document=document).delete()
    assert not FileText.objects.filter(file__document=document).exists()
    out = io.StringIO()
    call_command("search_reindex", "--extract", "--no-progress", stdout=out)
    assert "Extracted the text of 1 file versions." in out.getvalue()
    assert FileText.objects.get(file__document=document).state == FileText.State.DONE

    def found() -> list[int]:
        result = search_documents(users["clerk"], SearchQuery(text="dich ta lon chau phi"))
        return [hit.document_id for hit in result.hits]

    assert wait_for(lambda: found() == [document.pk])
