"""Crafted PDFs (issue 9 #17): a one-page PDF holding a 100,001-entry array (pypdf raises
LimitReachedError, a PyPdfError that is not a PdfReadError) and a 200,000-page PDF answered 500
on every upload path. Each is now a clear refusal — a form error, a JSON error envelope
(tests/edoc/api/test_bad_files_api.py), a command-line message — and nothing is saved."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from edoc.models import AuditEntry, Document, DocumentFile
from tests.crafted_pdfs import active_content_pdf, huge_array_pdf, many_pages_pdf, one_page_pdf
from tests.edoc.api.conftest import stored_files
from tests.edoc.api.test_bad_files_api import assert_refused
from tests.edoc.ui.conftest import validated

pytestmark = pytest.mark.django_db

HOSTILE = {
    "array": (huge_array_pdf, "too_complex", "Cấu trúc tệp PDF vượt quá giới hạn"),
    "pages": (many_pages_pdf, "too_many_pages", "Tệp PDF có 200.000 trang"),
}


@pytest.fixture(params=sorted(HOSTILE))
def hostile(request):
    build, code, message = HOSTILE[request.param]
    return build(), code, message


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("cong-van.pdf", content, content_type="application/pdf")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


class NothingSaved:
    def __init__(self) -> None:
        self.documents = Document.objects.count()
        self.files = DocumentFile.objects.count()
        self.blobs = stored_files()
        self.audit = AuditEntry.objects.count()

    def check(self) -> None:
        assert Document.objects.count() == self.documents
        assert DocumentFile.objects.count() == self.files
        assert stored_files() == self.blobs
        assert AuditEntry.objects.count() == self.audit


def test_registration_proposal_refuses(users, hostile):
    content, _code, message = hostile
    clerk = logged_in(users["clerk"])  # signing in is audited: before the snapshot
    unchanged = NothingSaved()
    response = clerk.post(
        reverse("edoc:incoming_propose"), {"file": upload(content)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="field-error"' in html and message in html
    unchanged.check()


def test_registration_form_refuses(users, catalogs, hostile):
    content, _code, message = hostile
    clerk = logged_in(users["clerk"])  # signing in is audited: before the snapshot
    unchanged = NothingSaved()
    response = clerk.post(
        reverse("edoc:incoming_register"),
        {
            "file": upload(content),
            "subject": "Về việc kiểm tra tệp",
            "urgency": catalogs["normal"].pk,
            "confidentiality": catalogs["public"].pk,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    unchanged.check()


def test_draft_uploads_refuse(users, catalogs, hostile):
    """(The API's upload paths: tests/edoc/api/test_bad_files_api.py.)"""
    content, _code, message = hostile
    draft = (
        api_for(users["specialist"])
        .post(
            "/api/documents/outgoing/",
            {"subject": "Dự thảo", "document_type": catalogs["types"]["KH"].pk},
            format="json",
        )
        .json()
    )
    page = logged_in(users["specialist"])  # signing in is audited: before the snapshot
    unchanged = NothingSaved()
    response = page.post(
        reverse("edoc:document_file_add", args=[draft["id"]]),
        {"file": upload(content), "comment": "Bản sửa"},
    )
    assert response.status_code == 200 and message in response.content.decode()
    response = page.post(
        reverse("edoc:outgoing_create"),
        {
            "document_type": catalogs["types"]["KH"].pk,
            "subject": "Dự thảo 3",
            "urgency": catalogs["normal"].pk,
            "confidentiality": catalogs["public"].pk,
            "file": upload(content),
        },
    )
    assert response.status_code == 200 and message in response.content.decode()
    unchanged.check()


def test_extract_metadata_command_refuses(tmp_path, hostile):
    content, _code, _message = hostile
    path = tmp_path / "cong-van.pdf"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="cong-van.pdf: "):
        call_command("extract_metadata", str(path), stdout=io.StringIO())
    result = subprocess.run(
        [sys.executable, "manage.py", "extract_metadata", str(path)],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "cong-van.pdf: " in result.stderr and "Traceback" not in result.stderr


def test_the_page_limit_is_a_setting(users, settings):
    settings.EDOC_MAX_PDF_PAGES = 3
    clerk = api_for(users["clerk"])
    response = clerk.post(
        "/api/documents/extract/",
        {"file": upload(many_pages_pdf(4, distinct=True))},
        format="multipart",
    )
    assert_refused(response, "too_many_pages")
    assert "4" in response.json()["error"]["message"]
    response = clerk.post(
        "/api/documents/extract/",
        {"file": upload(many_pages_pdf(3, distinct=True))},
        format="multipart",
    )
    assert response.status_code == 200, response.content


def _big_pdf() -> bytes:
    """A valid 3 MB PDF (one page and a large unused stream)."""
    return one_page_pdf(
        extra_objects=(
            b"<< /Length %d >>\nstream\n" % (3 << 20) + b"0" * (3 << 20) + b"\nendstream",
        )
    )


def _pointer(content: bytes, delta: int) -> bytes:
    head, _, offset = content.rstrip().removesuffix(b"%%EOF").rstrip().rpartition(b"\n")
    return head + b"\n%d\n%%%%EOF\n" % (int(offset) + delta)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("pointer_to_white_space", None),
        ("pointer_nowhere_small", None),
        ("pointer_nowhere_large", None),
        ("data_after_the_end", None),
        ("declares_too_many_objects", "too_complex"),
    ],
)
def test_structure_checks(case, code):
    """The C-speed checks before any Python parser: where the cross-reference table is, what
    follows the end, how many objects. A damaged trailer or cross-reference table (viewers open
    such files) is read from PDFium's repaired copy instead of being refused."""
    content = {
        "pointer_to_white_space": lambda: _pointer(_big_pdf(), -1),
        "pointer_nowhere_small": lambda: _pointer(one_page_pdf(), -7),
        "pointer_nowhere_large": lambda: _pointer(_big_pdf(), -7),
        "data_after_the_end": lambda: one_page_pdf() + b"%" + b"x" * 2048,
        "declares_too_many_objects": lambda: one_page_pdf().replace(b"/Size 6", b"/Size 100001"),
    }[case]()
    if code is None:
        assert validated(content).page_count == 1
    else:
        with pytest.raises(ValidationError) as refused:
            validated(content)
        assert refused.value.code == code


def test_active_content_is_found_in_a_file_with_a_damaged_end():
    """The repaired copy keeps what the file holds: its JavaScript and embedded file are still
    flagged, and the stored bytes are the ones received."""
    content = active_content_pdf() + b"%" + b"x" * 4096
    pdf = validated(content)
    assert pdf.content == content
    assert set(pdf.active_content) == {"embedded_files", "javascript"}
