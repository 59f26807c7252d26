"""Active content (issue 9 #22): a PDF with an OpenAction JavaScript and an embedded .exe was
registered and served unchanged without a word. It is still stored unchanged (its hash is what
was received), but the clerk is warned on the proposal and after registration, the flag is
audited and stored on the file version, the document page shows it per version, and the file
is only ever served as a download."""

from __future__ import annotations

import hashlib
import importlib
import io

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from edoc.models import AuditEntry, Document, DocumentFile
from edoc.pdfcheck import pdf_active_content
from tests.crafted_pdfs import active_content_pdf, one_page_pdf
from tests.edoc.test_hostile_pdfs import logged_in, upload
from tests.edoc.ui.conftest import validated

pytestmark = pytest.mark.django_db

LINK = b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A %s >>]"
WARNING = "Tệp PDF này có nội dung thực thi (JavaScript, tệp nhúng đính kèm)"


def register(client: Client, catalogs, content: bytes):
    return client.post(
        reverse("edoc:incoming_register"),
        {
            "file": upload(content),
            "subject": "Về việc kiểm tra tệp có mã độc",
            "urgency": catalogs["normal"].pk,
            "confidentiality": catalogs["public"].pk,
        },
        follow=True,
    )


def test_the_proposal_warns_the_clerk(users):
    html = (
        logged_in(users["clerk"])
        .post(reverse("edoc:incoming_propose"), {"file": upload(active_content_pdf())})
        .content.decode()
    )
    assert 'id="active-content-warning"' in html and WARNING in html
    plain = (
        logged_in(users["clerk"])
        .post(reverse("edoc:incoming_propose"), {"file": upload(one_page_pdf())})
        .content.decode()
    )
    assert 'id="active-content-warning"' not in plain


def test_registration_flags_audits_and_serves_as_download_only(users, catalogs):
    content = active_content_pdf()
    clerk = logged_in(users["clerk"])
    page = register(clerk, catalogs, content)
    html = page.content.decode()
    assert WARNING in html  # the message after the redirect
    document = Document.objects.get()
    [version] = document.files.all()
    assert version.active_content == ["embedded_files", "javascript"] and version.download_only
    assert version.sha256 == hashlib.sha256(content).hexdigest()  # stored unchanged
    entry = AuditEntry.objects.get(action="document.active_content")
    assert entry.details["kinds"] == ["embedded_files", "javascript"]
    assert entry.details["sha256"] == version.sha256
    # The document page: the flag beside the version, no "View" (inline) link for it.
    assert 'id="active-content-v1"' in html and "Có nội dung thực thi" in html
    assert f"/files/{version.pk}/?inline=1" not in html
    # Asked inline anyway: an attachment.
    url = reverse("edoc:document_file_download", args=[document.pk, version.pk])
    response = clerk.get(url, {"inline": "1"})
    assert response.status_code == 200 and response.content == content
    assert response["Content-Disposition"].startswith("attachment")


def test_clean_files_still_open_inline(users, catalogs):
    clerk = logged_in(users["clerk"])
    html = register(clerk, catalogs, one_page_pdf()).content.decode()
    document = Document.objects.get()
    [version] = document.files.all()
    assert version.active_content == [] and not version.download_only
    assert 'id="active-content-v1"' not in html and f"/files/{version.pk}/?inline=1" in html
    response = clerk.get(
        reverse("edoc:document_file_download", args=[document.pk, version.pk]), {"inline": "1"}
    )
    assert response["Content-Disposition"].startswith("inline")
    assert not AuditEntry.objects.filter(action="document.active_content").exists()


def test_api_shows_the_flag_and_the_draft_upload_is_flagged(users, catalogs):
    specialist = APIClient()
    specialist.force_authenticate(users["specialist"])
    draft = specialist.post(
        "/api/documents/outgoing/",
        {
            "file": upload(active_content_pdf(embedded_exe=False)),
            "subject": "Dự thảo có JavaScript",
            "document_type": catalogs["types"]["KH"].pk,
        },
        format="multipart",
    ).json()
    [file] = draft["files"]
    assert file["active_content"] == ["javascript"] and file["download_only"] is True
    version = DocumentFile.objects.get(pk=file["id"])
    assert version.download_only
    assert AuditEntry.objects.filter(action="document.active_content").count() == 1


@pytest.mark.parametrize(
    ("page_extra", "catalog_extra", "kinds"),
    [
        (
            b"/AA << /O << /S /JavaScript /JS (app.alert\\(1\\)) >> >>",
            b"",
            {"additional_actions", "javascript"},
        ),
        (
            LINK % b"<< /S /Launch /F (calc.exe) >>",
            b"",
            {"launch"},
        ),
        (
            b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] >>]",
            b"",
            {"embedded_files"},
        ),
        (
            b"",
            b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next << /S /Launch /F (x.exe) >> >>",
            {"launch"},
        ),
        (b"", b"/AA << /WC << /S /JavaScript /JS (1) >> >>", {"additional_actions", "javascript"}),
        (
            LINK % b"<< /S /URI /URI (https://soyte.dongnai.gov.vn) >>",
            b"",
            set(),
        ),
        (b"", b"/OpenAction [3 0 R /Fit]", set()),
        (b"", b"/Names << /EmbeddedFiles << /Names [] >> >>", set()),
    ],
    ids=[
        "page-aa-js",
        "launch-link",
        "file-attachment",
        "next-launch",
        "doc-aa",
        "uri-fine",
        "goto-fine",
        "empty-tree",
    ],
)
def test_kinds_of_active_content(page_extra, catalog_extra, kinds):
    content = one_page_pdf(page_extra=page_extra, catalog_extra=catalog_extra)
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    assert set(validated(content).active_content) == kinds
    assert set(pdf_active_content(content)) == kinds


def test_migration_flags_files_stored_before(users, catalogs):
    from edoc.services.documents import incoming_register

    document = incoming_register(
        user=users["clerk"],
        subject="Văn bản lưu trước khi có kiểm tra",
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        pdf=validated(active_content_pdf()),
    )
    version = document.files.get()
    DocumentFile.objects.filter(pk=version.pk).update(active_content=[])
    migration = importlib.import_module("edoc.migrations.0007_file_active_content")
    migration.flag_stored_files(apps, None)
    version.refresh_from_db()
    assert version.active_content == ["embedded_files", "javascript"]
