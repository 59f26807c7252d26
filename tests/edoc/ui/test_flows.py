"""The staff UI's write paths, through real POSTs: registration, handling, drafting, issuance."""

from __future__ import annotations

import hashlib
import re
import sys
import types

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from edoc.models import (
    Assignment,
    AuditEntry,
    Document,
    DocumentEvent,
    DocumentFile,
    ExternalOrganization,
)
from edoc.models.documents import blob_name
from tests.conftest import make_pdf

pytestmark = pytest.mark.django_db


def upload(content: bytes, name: str = "van-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def field_value(html: str, name: str) -> str:
    """The value attribute of an <input name=…>, or the text of a <textarea name=…>."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    if match:
        return match.group(1)
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\s*(.*?)</textarea>', html, re.S)
    return match.group(1).strip() if match else ""


def selected_option(html: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    match = re.search(r'<option value="([^"]*)"[^>]*selected>', select)
    return match.group(1) if match else ""


# --- Registration.


def test_propose_prefills_the_fields_and_stores_nothing(client_for, users, catalogs, sample_pdf):
    ExternalOrganization.objects.create(name="Sở Y tế", short_name="SYT")
    files_before = DocumentFile.objects.count()
    blob = blob_name(hashlib.sha256(sample_pdf).hexdigest())
    blob_existed = default_storage.exists(blob)
    response = client_for(users["clerk"]).post(
        reverse("edoc:incoming_propose"), {"file": upload(sample_pdf)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="register-fields"' in html
    assert field_value(html, "number") == "15"
    assert field_value(html, "notation") == "KH-SYT"
    assert field_value(html, "issue_date") == "2023-03-05"
    assert field_value(html, "place") == "Đồng Nai"
    assert field_value(html, "subject") == "Chuyển đổi số ngành Y tế tỉnh Đồng Nai năm 2023"
    assert field_value(html, "signer_name") == "Nguyễn Văn Hải"
    kế_hoạch = catalogs["types"]["KH"]
    assert selected_option(html, "document_type") == str(kế_hoạch.pk)
    org = ExternalOrganization.objects.get(short_name="SYT")
    assert selected_option(html, "issuer_organization") == str(org.pk)
    assert "Tệp PDF hợp lệ, 2 trang." in html
    assert 'hx-swap-oob="true"' in html
    # Nothing was stored: no document, no file row, no blob.
    assert not Document.objects.exists()
    assert DocumentFile.objects.count() == files_before
    assert default_storage.exists(blob) == blob_existed


def test_propose_keeps_what_the_clerk_typed(client_for, users, sample_pdf):
    response = client_for(users["clerk"]).post(
        reverse("edoc:incoming_propose"),
        {"file": upload(sample_pdf), "subject": "Trích yếu do văn thư nhập"},
    )
    html = response.content.decode()
    assert field_value(html, "subject") == "Trích yếu do văn thư nhập"
    assert field_value(html, "number") == "15"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello, this is not a PDF", "Tệp không phải là tài liệu PDF."),
        (b"", "Tệp rỗng."),
        (b"%PDF-1.7\n garbage garbage", "Tệp PDF bị hỏng, không đọc được"),
        (make_pdf(encrypt_with="secret"), "Tệp PDF đã bị mã hóa hoặc đặt mật khẩu"),
    ],
    ids=["not-pdf", "empty", "corrupted", "encrypted"],
)
def test_propose_reports_bad_files_clearly(client_for, users, content, message):
    response = client_for(users["clerk"]).post(
        reverse("edoc:incoming_propose"), {"file": upload(content, "x.pdf")}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="field-error"' in html
    assert field_value(html, "number") == ""


def test_propose_reports_too_large_files(client_for, users, settings):
    settings.EDOC_MAX_UPLOAD_MB = 0
    response = client_for(users["clerk"]).post(
        reverse("edoc:incoming_propose"), {"file": upload(make_pdf())}
    )
    assert "Tệp vượt quá dung lượng cho phép 0 MB." in response.content.decode()


def test_propose_without_text_layer_invites_manual_entry(client_for, users):
    blank = make_pdf(lines=[" "])
    html = (
        client_for(users["clerk"])
        .post(reverse("edoc:incoming_propose"), {"file": upload(blank)})
        .content.decode()
    )
    assert 'id="proposal-empty"' in html


def register_form(catalogs, **fields) -> dict:
    data = {
        "subject": "Kế hoạch chuyển đổi số ngành Y tế",
        "urgency": catalogs["normal"].pk,
        "confidentiality": catalogs["public"].pk,
        "number": "15",
        "notation": "KH-SYT",
        "issuer": "Sở Y tế tỉnh Bình Dương",
        "issue_date": "2023-03-05",
        "document_type": catalogs["types"]["KH"].pk,
    }
    data.update(fields)
    return data


def test_register_with_file_redirects_to_the_document(client_for, users, catalogs, sample_pdf):
    client = client_for(users["clerk"])
    response = client.post(
        reverse("edoc:incoming_register"),
        register_form(catalogs, file=upload(sample_pdf), deadline="", note="Bản gốc"),
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("edoc:document_detail", args=[document.pk])
    assert document.book_number == 1
    assert document.files.count() == 1
    assert document.extraction_proposal["number"] == "15"  # what the PDF proposed is kept
    page = client.get(response["Location"]).content.decode()
    assert "Đã vào sổ văn bản đến. Số đến: 1." in page
    assert 'id="incoming-number" class="incoming-number">1<' in page
    assert 'id="duplicate-warning"' not in page


def test_manual_registration_without_file(client_for, users, catalogs):
    response = client_for(users["clerk"]).post(
        reverse("edoc:incoming_register"), register_form(catalogs), follow=True
    )
    document = Document.objects.get()
    assert not document.files.exists()
    assert "Số đến: 1." in response.content.decode()


def test_register_refuses_bad_files_and_stores_nothing(client_for, users, catalogs):
    response = client_for(users["clerk"]).post(
        reverse("edoc:incoming_register"),
        register_form(catalogs, file=upload(b"plain text", "note.pdf")),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tệp không phải là tài liệu PDF." in html
    assert "Vui lòng chọn lại tệp PDF" in html
    assert field_value(html, "number") == "15"  # what was typed is kept
    assert not Document.objects.exists()


def test_register_requires_a_subject(client_for, users, catalogs):
    response = client_for(users["clerk"]).post(
        reverse("edoc:incoming_register"), register_form(catalogs, subject="")
    )
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not Document.objects.exists()


def test_service_errors_land_on_the_form(client_for, users, catalogs):
    """The confidential book with a public document: the service refuses, the form says why."""
    from edoc.models import RegisterBook
    from edoc.services.documents import books_for_clerk

    books = books_for_clerk(users["clerk"], kind=RegisterBook.Kind.INCOMING)
    secret_book = next(book for book in books if book.is_confidential)
    response = client_for(users["clerk"]).post(
        reverse("edoc:incoming_register"), register_form(catalogs, register_book=secret_book.pk)
    )
    assert response.status_code == 200
    assert "Văn bản mật phải vào sổ văn bản mật" in response.content.decode()
    assert not Document.objects.exists()


def test_duplicate_registration_is_flagged_with_a_link(client_for, users, catalogs, sample_pdf):
    client = client_for(users["clerk"])
    client.post(reverse("edoc:incoming_register"), register_form(catalogs, file=upload(sample_pdf)))
    response = client.post(
        reverse("edoc:incoming_register"),
        register_form(catalogs, file=upload(sample_pdf), confirm_duplicate="on"),  # issue 9 #4
        follow=True,
    )
    first, second = Document.objects.order_by("pk")
    assert second.is_possible_duplicate and second.duplicate_of == first
    html = response.content.decode()
    assert 'id="duplicate-warning"' in html
    assert reverse("edoc:document_detail", args=[first.pk]) in html


# --- Handling.


def test_register_assign_complete_draft_submit_issue(
    client_for, users, units, catalogs, sample_pdf
):
    clerk = client_for(users["clerk"])
    director = client_for(users["director"])
    head = client_for(users["head"])
    specialist = client_for(users["specialist"])

    # 1. The clerk registers.
    clerk.post(reverse("edoc:incoming_register"), register_form(catalogs, file=upload(sample_pdf)))
    incoming = Document.objects.get()

    # 2. The director assigns: lead unit, a coordinator, someone for information.
    deadline = (timezone.localdate() + timezone.timedelta(days=5)).isoformat()
    response = director.post(
        reverse("edoc:document_assign", args=[incoming.pk]),
        {
            "lead_unit": units["medical"].pk,
            "coordinator_units": [units["pharmacy"].pk],
            "information_users": [users["deputy"].pk],
            "deadline": deadline,
            "directive": "Phòng NVY chủ trì tham mưu.",
        },
    )
    assert response.status_code == 302
    incoming.refresh_from_db()
    assert incoming.status == Document.Status.IN_PROGRESS
    lead = incoming.assignments.get(role=Assignment.Role.LEAD)

    # 3. The unit head sees the task and forwards it to the specialist.
    page = head.get(reverse("edoc:document_detail", args=[incoming.pk])).content.decode()
    assert 'id="btn-complete"' in page and 'id="forward-form"' in page
    response = head.post(
        reverse("edoc:assignment_forward", args=[incoming.pk, lead.pk]),
        {f"fw{lead.pk}-to_user": users["specialist"].pk, f"fw{lead.pk}-directive": "Đ/c Nam xử lý"},
    )
    assert response.status_code == 302
    child = incoming.assignments.get(parent=lead)

    # 4. The specialist completes.
    response = specialist.post(
        reverse("edoc:assignment_complete", args=[incoming.pk, child.pk]),
        {f"cp{child.pk}-comment": "Đã tham mưu dự thảo kế hoạch."},
        follow=True,
    )
    assert "Đã đánh dấu hoàn thành." in response.content.decode()
    incoming.refresh_from_db()
    assert incoming.status == Document.Status.COMPLETED
    # Completing twice is refused with a message, not a crash.
    again = specialist.post(
        reverse("edoc:assignment_complete", args=[incoming.pk, child.pk]),
        {f"cp{child.pk}-comment": ""},
    )
    assert again.status_code == 200
    assert "Việc này đã được xử lý" in again.content.decode()

    # 5. The specialist drafts the answer, with a signer and recipients.
    response = specialist.post(
        reverse("edoc:outgoing_create"),
        {
            "document_type": catalogs["types"]["KH"].pk,
            "subject": "Kế hoạch triển khai chuyển đổi số",
            "urgency": catalogs["normal"].pk,
            "confidentiality": catalogs["public"].pk,
            "signer": users["director"].pk,
            "recipient_units": [units["pharmacy"].pk],
            "recipient_organizations": [catalogs["ubnd"].pk],
            "file": upload(make_pdf(["SỞ Y TẾ", "KẾ HOẠCH", "Dự thảo lần 1"])),
        },
    )
    draft = Document.objects.get(direction=Document.Direction.OUTGOING)
    assert response["Location"] == reverse("edoc:document_detail", args=[draft.pk])
    page = specialist.get(response["Location"]).content.decode()
    assert 'id="submit-form"' in page and 'id="file-form"' in page and 'id="btn-edit"' in page

    # 6. A second version, then an edit, then submission.
    response = specialist.post(
        reverse("edoc:document_file_add", args=[draft.pk]),
        {"file": upload(make_pdf(["SỞ Y TẾ", "KẾ HOẠCH", "Dự thảo lần 2"])), "comment": "Sửa"},
        follow=True,
    )
    assert "Đã tải lên phiên bản 2." in response.content.decode()
    response = specialist.post(
        reverse("edoc:outgoing_edit", args=[draft.pk]),
        {
            "document_type": catalogs["types"]["KH"].pk,
            "subject": "Kế hoạch triển khai chuyển đổi số năm 2025",
            "urgency": catalogs["urgent"].pk,
            "signer": users["director"].pk,
            "recipient_units": [units["pharmacy"].pk, units["centre"].pk],
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.subject.endswith("năm 2025") and draft.urgency == catalogs["urgent"]
    assert draft.recipients.count() == 2
    response = specialist.post(reverse("edoc:document_submit", args=[draft.pk]), {"comment": ""})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Document.Status.READY

    # 7. The clerk sees it waiting and issues it.
    inbox = clerk.get(reverse("edoc:pending")).content.decode()
    assert 'id="inbox-to-issue"' in inbox and draft.subject in inbox
    page = clerk.get(reverse("edoc:document_detail", args=[draft.pk])).content.decode()
    assert 'id="issue-form"' in page and 'id="btn-issue"' in page
    response = clerk.post(reverse("edoc:document_issue", args=[draft.pk]), {}, follow=True)
    html = response.content.decode()
    assert "Đã ban hành văn bản. Số: 01/KH-SYT" in html
    assert 'id="document-symbol" class="symbol">01/KH-SYT<' in html
    assert 'id="issue-form"' not in html
    draft.refresh_from_db()
    assert draft.status == Document.Status.ISSUED
    # The internal recipients got their incoming copies.
    assert Document.objects.filter(source_document=draft).count() == 2


def test_return_to_clerk_and_resubmit(client_for, users, units, incoming):
    document = incoming()
    director = client_for(users["director"])
    director.post(
        reverse("edoc:document_assign", args=[document.pk]), {"lead_unit": units["medical"].pk}
    )
    lead = document.assignments.get(role=Assignment.Role.LEAD)
    head = client_for(users["head"])
    # A reason is required.
    response = head.post(
        reverse("edoc:assignment_return", args=[document.pk, lead.pk]), {f"rt{lead.pk}-reason": ""}
    )
    assert response.status_code == 200 and "field-error" in response.content.decode()
    response = head.post(
        reverse("edoc:assignment_return", args=[document.pk, lead.pk]),
        {f"rt{lead.pk}-reason": "Không thuộc lĩnh vực của phòng"},
        follow=True,
    )
    assert "Đã trả lại văn bản cho văn thư." in response.content.decode()

    clerk = client_for(users["clerk"])
    inbox = clerk.get(reverse("edoc:pending")).content.decode()
    assert 'id="inbox-returned"' in inbox
    page = clerk.get(reverse("edoc:document_detail", args=[document.pk])).content.decode()
    assert 'id="resubmit-form"' in page and "Không thuộc lĩnh vực của phòng" in page
    response = clerk.post(
        reverse("edoc:document_resubmit", args=[document.pk]), {"comment": "Trình lại"}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Document.Status.REGISTERED


def test_assign_form_errors_are_shown(client_for, users, incoming):
    document = incoming()
    response = client_for(users["director"]).post(
        reverse("edoc:document_assign", args=[document.pk]), {"directive": "x"}
    )
    assert response.status_code == 200
    assert "Chọn đơn vị hoặc cá nhân xử lý chính." in response.content.decode()
    assert not document.assignments.exists()


def test_others_cannot_act_on_a_task(client_for, users, units, incoming):
    document = incoming()
    client_for(users["director"]).post(
        reverse("edoc:document_assign", args=[document.pk]), {"lead_user": users["specialist"].pk}
    )
    lead = document.assignments.get()
    response = client_for(users["director"]).post(
        reverse("edoc:assignment_complete", args=[document.pk, lead.pk]), {}
    )
    assert response.status_code == 403


def test_submit_without_file_shows_the_reason(client_for, users, catalogs):
    from edoc.services.documents import outgoing_create

    draft = outgoing_create(
        user=users["specialist"],
        subject="Công văn không có tệp",
        document_type=catalogs["types"]["CV"],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )
    response = client_for(users["specialist"]).post(
        reverse("edoc:document_submit", args=[draft.pk]), {}
    )
    assert response.status_code == 200
    assert "Hãy tải tệp văn bản lên trước khi trình." in response.content.decode()


def test_the_timeline_names_the_corrected_fields_in_vietnamese(client_for, users, catalogs):
    """Found walking issue 9: after the drafter corrected a returned draft's subject and
    urgency, the document's timeline (and the task's history) said "đã cập nhật: subject,
    urgency", the model's field names, in a Vietnamese page."""
    from tests.signing.signing_support import new_draft

    draft = new_draft(users, catalogs, make_pdf(), subject="Kế hoạch kiểm tra")
    drafter = client_for(users["specialist"])
    response = drafter.post(
        reverse("edoc:outgoing_edit", args=[draft.pk]),
        {
            "document_type": catalogs["types"]["KH"].pk,
            "subject": "Kế hoạch kiểm tra năm 2027",
            "urgency": catalogs["urgent"].pk,
            "signer": users["director"].pk,
        },
    )
    assert response.status_code == 302
    page = drafter.get(reverse("edoc:document_detail", args=[draft.pk])).content.decode()
    timeline = re.search(r'id="timeline".*?</ol>', page, re.S).group(0)
    updated = re.search(r'class="event event-updated".*?</li>', timeline, re.S).group(0)
    assert "trích yếu" in updated and "độ khẩn" in updated, updated
    assert not re.search(r"\b(subject|urgency)\b", updated), updated


def test_drafts_are_edited_only_by_their_drafters(client_for, users, catalogs):
    from edoc.services.documents import outgoing_create

    draft = outgoing_create(
        user=users["specialist"],
        subject="Dự thảo",
        document_type=catalogs["types"]["CV"],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )
    assert (
        client_for(users["specialist"])
        .get(reverse("edoc:outgoing_edit", args=[draft.pk]))
        .status_code
        == 200
    )
    assert (
        client_for(users["director"])
        .get(reverse("edoc:outgoing_edit", args=[draft.pk]))
        .status_code
        == 403
    )
    assert (
        client_for(users["other_specialist"])
        .get(reverse("edoc:outgoing_edit", args=[draft.pk]))
        .status_code
        == 404
    )


# --- Comments, downloads, exports.


def test_inline_comment_with_htmx_and_plain_post(client_for, users, incoming):
    document = incoming()
    client = client_for(users["director"])
    url = reverse("edoc:document_comment", args=[document.pk])
    response = client.post(url, {"comment": "Đề nghị xử lý sớm"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section class="card" id="timeline">')
    assert "Đề nghị xử lý sớm" in html and "<html" not in html
    empty = client.post(url, {"comment": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="timeline"' in empty and "field-error" in empty
    response = client.post(url, {"comment": "Ý kiến thứ hai"})
    assert response.status_code == 302
    assert (
        DocumentEvent.objects.filter(
            document=document, action=DocumentEvent.Action.COMMENTED
        ).count()
        == 2
    )


def test_download_is_verified_and_audited(client_for, users, incoming):
    document = incoming(subject="Tải xuống có kiểm tra")
    file = document.latest_file()
    client = client_for(users["director"])
    url = reverse("edoc:document_file_download", args=[document.pk, file.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(b"%PDF-")
    assert AuditEntry.objects.filter(
        action="document.download", object_id=str(document.pk)
    ).exists()
    inline = client.get(url, {"inline": "1"})
    assert inline["Content-Disposition"].startswith("inline")


def test_tampered_file_is_not_served(client_for, users, incoming):
    document = incoming(subject="Tệp bị sửa đổi trái phép")
    file = document.latest_file()
    with open(default_storage.path(file.file.name), "wb") as handle:
        handle.write(b"%PDF-1.4 tampered")
    response = client_for(users["director"]).get(
        reverse("edoc:document_file_download", args=[document.pk, file.pk])
    )
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert b"tampered" not in response.content
    assert "Không thể cung cấp tệp" in response.content.decode()
    assert not AuditEntry.objects.filter(action="document.download").exists()


@pytest.fixture
def fake_exports(monkeypatch):
    """The exports module, or a stand-in when it is not there yet: the views only call it."""
    try:
        import edoc.exports  # noqa: F401
    except ImportError:
        module = types.ModuleType("edoc.exports")
        module.register_book_pdf = lambda book, entries: b"%PDF-1.4 book"
        module.register_book_xlsx = lambda book, entries: b"PK\x03\x04 book"
        monkeypatch.setitem(sys.modules, "edoc.exports", module)


@pytest.mark.parametrize(
    ("url_name", "content_type", "extension"),
    [
        ("edoc:register_book_pdf", "application/pdf", ".pdf"),
        (
            "edoc:register_book_xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
        ),
    ],
)
def test_register_book_exports(
    client_for, users, incoming, fake_exports, url_name, content_type, extension
):
    document = incoming()
    response = client_for(users["clerk"]).get(reverse(url_name, args=[document.register_book_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment") and extension in disposition
    assert disposition.isascii() and f"-{document.register_book.year}{extension}" in disposition
    assert response.content
    entry = AuditEntry.objects.get(action="register_book.export")
    assert entry.object_id == str(document.register_book_id)
    assert entry.details["format"] == extension.lstrip(".")
