"""Bounded work per upload (issue 9 #18): a 49 MB PDF ending in one long line held a CPU for 4
minutes in pdfminer's find_xref during metadata extraction, and any logged-in user could send
it to /api/documents/extract/. Viewers open such a file, so eDoc takes it too, within a few
seconds of CPU: PDFium reads its metadata, the checks read PDFium's repaired copy, and the
signature check (pyHanko) is not asked to look for a trailer the file does not have."""

from __future__ import annotations

import io
import time

import pytest
from rest_framework.test import APIClient

from edoc.extraction import extract_metadata
from edoc.models import Document
from edoc.pdfgen import render_pdf, sample_document
from tests.crafted_pdfs import long_final_line_pdf
from tests.edoc.api.conftest import upload

SIZE = 49 * 1024 * 1024


@pytest.fixture(scope="module")
def long_line_pdf() -> bytes:
    return long_final_line_pdf(render_pdf(sample_document()), SIZE)


@pytest.mark.django_db
def test_the_proposal_and_the_registration_take_seconds_of_cpu(
    users, long_line_pdf, django_capture_on_commit_callbacks
):
    clerk = APIClient()
    clerk.force_authenticate(users["clerk"])
    started = time.process_time()
    response = clerk.post(
        "/api/documents/extract/", {"file": upload(long_line_pdf)}, format="multipart"
    )
    cpu = time.process_time() - started
    assert response.status_code == 200, response.content
    assert response.json()["number"] == "15"
    print(f"proposal after {cpu:.2f} s of CPU")
    assert cpu < 3, f"{cpu:.1f} s of CPU for one proposal"
    started = time.process_time()
    # With what runs after the commit: text extraction, the signature check, indexing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = clerk.post(
            "/api/documents/incoming/",
            {
                "file": upload(long_line_pdf),
                "subject": "Kế hoạch có dòng cuối rất dài",
            },
            format="multipart",
        )
    cpu = time.process_time() - started
    assert callbacks
    assert response.status_code == 201, response.content
    document = Document.objects.get(pk=response.json()["id"])
    version = document.files.get()
    assert version.size == len(long_line_pdf)
    assert "15/KH-SYT" in version.text  # the text layer was read (PDFium)
    print(f"registration after {cpu:.2f} s of CPU")
    assert cpu < 6, f"{cpu:.1f} s of CPU for one registration"


def test_the_metadata_reader_does_not_read_the_whole_file(long_line_pdf):
    started = time.process_time()
    proposal = extract_metadata(io.BytesIO(long_line_pdf))
    cpu = time.process_time() - started
    assert proposal["number"] == "15" and proposal["notation"] == "KH-SYT"
    assert cpu < 1, f"{cpu:.1f} s of CPU"
