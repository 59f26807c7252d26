"""Refused uploads: a 400 JSON error with the reason's code, and nothing saved anywhere."""

from __future__ import annotations

import pytest

from edoc.models import AuditEntry, Document, DocumentFile
from tests.crafted_pdfs import huge_array_pdf, many_pages_pdf
from tests.edoc.api.conftest import stored_files, upload


def bad_files(pdf_bytes) -> dict[str, bytes]:
    good = pdf_bytes(["Một văn bản hợp lệ"])
    return {
        "not_pdf": "Đây là tệp văn bản, không phải PDF".encode(),
        "corrupted": good[: len(good) // 2],
        "encrypted": pdf_bytes(["Văn bản có mật khẩu"], encrypt_with="matkhau"),
        "empty": b"",
        "too_large": b"%PDF-1.7\n" + b"0" * (1024 * 1024),
        # pypdf's LimitReachedError (a PyPdfError, not a PdfReadError) answered 500.
        "too_complex": huge_array_pdf(),  # one page holding a 100,001-entry array
        "too_many_pages": many_pages_pdf(200_000),
    }


@pytest.fixture
def one_mb_limit(settings):
    settings.EDOC_MAX_UPLOAD_MB = 1


CASES = [
    "not_pdf",
    "corrupted",
    "encrypted",
    "empty",
    "too_large",
    "too_complex",
    "too_many_pages",
]


def assert_refused(response, code: str) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert list(error["fields"]) == ["file"] and error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_registration_refuses_bad_files(api, users, pdf_bytes, one_mb_limit, case):
    content = bad_files(pdf_bytes)[case]
    files_before, audit_before = stored_files(), AuditEntry.objects.count()
    response = api(users["clerk"]).post(
        "/api/documents/incoming/",
        {"file": upload(content), "subject": "Về việc kiểm tra tệp"},
        format="multipart",
    )
    assert_refused(response, case)
    assert Document.objects.count() == 0 and DocumentFile.objects.count() == 0
    assert stored_files() == files_before
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_extraction_refuses_bad_files(api, users, pdf_bytes, one_mb_limit, case):
    response = api(users["clerk"]).post(
        "/api/documents/extract/", {"file": upload(bad_files(pdf_bytes)[case])}, format="multipart"
    )
    assert_refused(response, case)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_drafts_refuse_bad_files(api, users, catalogs, pdf_bytes, one_mb_limit, case):
    content = bad_files(pdf_bytes)[case]
    specialist = api(users["specialist"])
    document = specialist.post(
        "/api/documents/outgoing/",
        {"subject": "Dự thảo", "document_type": catalogs["types"]["KH"].pk},
        format="json",
    ).json()
    files_before, audit_before = stored_files(), AuditEntry.objects.count()

    response = specialist.post(
        f"/api/documents/{document['id']}/files/", {"file": upload(content)}, format="multipart"
    )
    assert_refused(response, case)
    response = specialist.post(
        "/api/documents/outgoing/",
        {
            "file": upload(content),
            "subject": "Dự thảo 2",
            "document_type": catalogs["types"]["KH"].pk,
        },
        format="multipart",
    )
    assert_refused(response, case)
    assert Document.objects.count() == 1 and DocumentFile.objects.count() == 0
    assert stored_files() == files_before
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
def test_missing_file_is_a_field_error(api, users):
    response = api(users["clerk"]).post("/api/documents/extract/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "required"
