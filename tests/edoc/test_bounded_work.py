"""Bounded work per upload (issue 9 #18): a 49 MB PDF ending in one long line held a CPU for 4
minutes in pdfminer's find_xref during metadata extraction, and any logged-in user could send
it to /api/documents/extract/. The upload is now refused after under a second of CPU (mostly
reading the multipart body), and the metadata reader (PDFium) reads such a file in a fraction
of a second anyway."""

from __future__ import annotations

import io
import time

import pytest
from rest_framework.test import APIClient

from edoc.extraction import extract_metadata
from edoc.pdfgen import render_pdf, sample_document
from tests.api.conftest import upload
from tests.api.test_bad_files_api import assert_refused
from tests.crafted_pdfs import long_final_line_pdf

SIZE = 49 * 1024 * 1024


@pytest.fixture(scope="module")
def long_line_pdf() -> bytes:
    return long_final_line_pdf(render_pdf(sample_document()), SIZE)


@pytest.mark.django_db
def test_the_upload_is_refused_within_seconds_of_cpu(users, long_line_pdf):
    clerk = APIClient()
    clerk.force_authenticate(users["clerk"])
    started = time.process_time()
    response = clerk.post(
        "/api/documents/extract/", {"file": upload(long_line_pdf)}, format="multipart"
    )
    cpu = time.process_time() - started
    assert_refused(response, "corrupted")
    assert "không có dấu kết thúc tệp ở cuối tệp" in response.json()["error"]["message"]
    print(f"upload refused after {cpu:.2f} s of CPU")
    assert cpu < 3, f"{cpu:.1f} s of CPU for one upload"


def test_the_metadata_reader_does_not_read_the_whole_file(long_line_pdf):
    started = time.process_time()
    proposal = extract_metadata(io.BytesIO(long_line_pdf))
    cpu = time.process_time() - started
    assert proposal["number"] == "15" and proposal["notation"] == "KH-SYT"
    assert cpu < 1, f"{cpu:.1f} s of CPU"
