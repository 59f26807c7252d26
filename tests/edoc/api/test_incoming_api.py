"""Incoming documents through the API: extract, register (with the PDF's proposal), read,
assign, forward, complete, comment, download."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.utils import timezone

from edoc.models import Assignment, AuditEntry, Document, DocumentFile, ReadReceipt
from tests.edoc.api.conftest import upload

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def register(api, clerk, content: bytes, **fields):
    return api(clerk).post(
        "/api/documents/incoming/", {"file": upload(content), **fields}, format="multipart"
    )


@pytest.mark.django_db
def test_extract_proposes_metadata_and_saves_nothing(api, users, letter_pdf, audit):
    watch = audit()
    response = api(users["clerk"]).post(
        "/api/documents/extract/", {"file": upload(letter_pdf())}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "number": "15",
        "notation": "KH-SYT",
        "issuer": "SỞ Y TẾ",
        "place": "Đồng Nai",
        "date": "2023-03-05",
        "type": "Kế hoạch",
        "subject": "Triển khai chuyển đổi số ngành y tế năm 2023",
        "signer": "Nguyễn Văn An",
        "possible_duplicates": [],  # nothing registered yet
    }
    assert Document.objects.count() == 0 and DocumentFile.objects.count() == 0
    assert watch.actions() == []


@pytest.mark.django_db
def test_register_fills_omitted_fields_from_the_pdf(api, users, catalogs, letter_pdf, audit):
    content = letter_pdf()
    watch = audit()
    response = register(api, users["clerk"], content, urgency="urgent")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["direction"] == "incoming" and body["status"] == "registered"
    assert (body["number"], body["notation"], body["symbol"]) == ("15", "KH-SYT", "15/KH-SYT")
    assert body["document_type"] == {
        "id": catalogs["types"]["KH"].pk,
        "name": "Kế hoạch",
        "abbreviation": "KH",
    }
    assert body["subject"] == "Triển khai chuyển đổi số ngành y tế năm 2023"
    assert (body["issuer"], body["place"], body["issue_date"]) == (
        "SỞ Y TẾ",
        "Đồng Nai",
        "2023-03-05",
    )
    assert body["signer_name"] == "Nguyễn Văn An"
    assert body["urgency"]["code"] == "urgent" and body["confidentiality"]["code"] == "normal"
    assert body["incoming_number"] == 1
    assert body["register_book"]["kind"] == "incoming"
    assert body["register_book"]["year"] == timezone.localdate().year
    assert body["possible_duplicate"] is False
    assert body["extraction_proposal"]["number"] == "15"
    [file] = body["files"]
    assert file["version"] == 1 and file["size"] == len(content)
    assert file["sha256"] == hashlib.sha256(content).hexdigest()
    assert file["download_url"].endswith(
        f"/api/documents/{body['id']}/files/{file['id']}/download/"
    )
    assert [event["action"] for event in body["events"]] == ["registered"]
    assert watch.actions() == ["document.register"]


@pytest.mark.django_db
def test_explicit_fields_win_over_the_proposal(api, users, catalogs, letter_pdf, audit):
    response = register(
        api,
        users["clerk"],
        letter_pdf(),
        number="16",
        notation="",  # sent empty: stays empty
        subject="Kế hoạch chuyển đổi số (bản chỉnh)",
        issuer_organization=catalogs["ubnd"].pk,  # names the issuer instead of the PDF
        document_type=catalogs["types"]["QĐ"].pk,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["notation"], body["symbol"]) == ("16", "", "16")
    assert body["subject"] == "Kế hoạch chuyển đổi số (bản chỉnh)"
    assert body["issuer"] == "Ủy ban nhân dân tỉnh Đồng Nai"
    assert body["document_type"]["abbreviation"] == "QĐ"
    assert body["issue_date"] == "2023-03-05"  # still from the PDF

    # The clerk corrects it afterwards.
    watch = audit()
    response = api(users["clerk"]).patch(
        f"/api/documents/{body['id']}/",
        {"notation": "KH-UBND", "document_type": catalogs["types"]["KH"].pk, "deadline": None},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["symbol"] == "16/KH-UBND"
    assert watch.actions() == ["document.update"]
    response = api(users["clerk"]).patch(
        f"/api/documents/{body['id']}/", {"confidentiality": "secret"}, format="json"
    )
    assert response.status_code == 400  # not a correctable field: refused, not ignored
    assert response.json()["error"]["code"] == "unknown_field"
    assert list(response.json()["error"]["fields"]) == ["confidentiality"]


@pytest.mark.django_db
def test_second_registration_of_the_same_document_is_flagged(api, users, letter_pdf):
    first = register(api, users["clerk"], letter_pdf()).json()
    second = register(api, users["clerk"], letter_pdf(), confirm_duplicate="true").json()
    assert (first["incoming_number"], second["incoming_number"]) == (1, 2)
    assert second["possible_duplicate"] is True and second["duplicate_of"] == first["id"]


@pytest.mark.django_db
def test_register_without_subject_anywhere_is_refused(api, users, pdf_bytes, audit):
    watch = audit()
    response = register(api, users["clerk"], pdf_bytes(["Một trang không có bố cục"]))
    assert response.status_code == 400
    assert response.json()["error"]["fields"].keys() == {"subject"}
    assert Document.objects.count() == 0 and watch.actions() == []


@pytest.mark.django_db
def test_only_clerks_register(api, users, letter_pdf, audit):
    watch = audit()
    response = register(api, users["specialist"], letter_pdf())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert Document.objects.count() == 0 and watch.actions() == []


@pytest.mark.django_db
def test_full_handling_path(api, users, units, letter_pdf, audit):
    content = letter_pdf()
    document_id = register(api, users["clerk"], content).json()["id"]

    # The director opens it: a read receipt and one "document.view" entry.
    watch = audit()
    response = api(users["director"]).get(f"/api/documents/{document_id}/")
    assert response.status_code == 200
    assert [r["user"]["username"] for r in response.json()["read_receipts"]] == ["giamdoc"]
    assert watch.actions() == ["document.view"]

    # The director assigns it.
    watch = audit()
    response = api(users["director"]).post(
        f"/api/documents/{document_id}/assignments/",
        {
            "lead_unit": units["medical"].pk,
            "coordinator_units": [units["pharmacy"].pk],
            "information_users": [users["deputy"].pk],
            "deadline": TOMORROW.isoformat(),
            "directive": "Giao Phòng Nghiệp vụ Y chủ trì tham mưu.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    lead, coordinator, info = response.json()
    assert (lead["role"], lead["unit"]["short_name"], lead["status"]) == ("lead", "NVY", "pending")
    assert (coordinator["role"], info["role"]) == ("coordinator", "information")
    assert lead["deadline"] == TOMORROW.isoformat() and lead["is_overdue"] is False
    assert watch.actions() == ["document.assign"]

    # The unit head finds it in their to-do list and forwards it to a specialist.
    response = api(users["head"]).get("/api/assignments/", {"status": "pending"})
    assert [a["id"] for a in response.json()["results"]] == [lead["id"]]
    assert response.json()["results"][0]["document"]["symbol"] == "15/KH-SYT"
    watch = audit()
    response = api(users["head"]).post(
        f"/api/assignments/{lead['id']}/forward/",
        {"to_user": users["specialist"].pk, "directive": "Đồng chí Nam xử lý."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    child = response.json()
    assert child["user"]["username"] == "chuyenvien" and child["parent"] == lead["id"]
    assert child["deadline"] == TOMORROW.isoformat()
    assert watch.actions() == ["assignment.forward"]
    assert Assignment.objects.get(pk=lead["id"]).status == "forwarded"

    # The specialist comments and completes: the document is completed.
    response = api(users["specialist"]).get("/api/assignments/", {"status": "pending"})
    assert [a["id"] for a in response.json()["results"]] == [child["id"]]
    watch = audit()
    response = api(users["specialist"]).post(
        f"/api/documents/{document_id}/comments/",
        {"comment": "Đã dự thảo báo cáo."},
        format="json",
    )
    assert response.status_code == 201 and response.json()["action"] == "commented"
    assert watch.actions() == ["document.comment"]
    watch = audit()
    response = api(users["specialist"]).post(
        f"/api/assignments/{child['id']}/complete/", {"comment": "Xong."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed"
    assert response.json()["document"]["status"] == "completed"
    assert watch.actions() == ["assignment.complete"]

    # Completing it again is refused with a clear code, and writes nothing.
    watch = audit()
    response = api(users["specialist"]).post(f"/api/assignments/{child['id']}/complete/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "already_done"
    assert watch.actions() == []

    # The deputy (for information) downloads the file: bytes checked, read recorded.
    detail = api(users["deputy"]).get(f"/api/documents/{document_id}/").json()
    assert [e["action"] for e in detail["events"]] == [
        "registered",
        "assigned",
        "forwarded",
        "commented",
        "completed",
    ]
    assert {a["role"]: a["status"] for a in detail["assignments"]}["information"] == "completed"
    file = detail["files"][0]
    watch = audit()
    response = api(users["deputy"]).get(file["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == content
    assert response["ETag"] == f'"{hashlib.sha256(content).hexdigest()}"'
    assert "attachment" in response["Content-Disposition"]
    [entry] = watch.entries()
    assert entry.action == "document.download" and entry.object_id == str(document_id)
    assert entry.details == {"file": file["id"], "version": 1, "sha256": file["sha256"]}
    assert ReadReceipt.objects.get(document_id=document_id, user=users["deputy"]).read_count == 2


@pytest.mark.django_db
def test_returning_to_the_clerk(api, users, units, letter_pdf, audit):
    document_id = register(api, users["clerk"], letter_pdf()).json()["id"]
    [lead] = (
        api(users["director"])
        .post(
            f"/api/documents/{document_id}/assignments/",
            {"lead_user": users["head"].pk},
            format="json",
        )
        .json()
    )
    response = api(users["head"]).post(f"/api/assignments/{lead['id']}/return/", format="json")
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    watch = audit()
    response = api(users["head"]).post(
        f"/api/assignments/{lead['id']}/return/",
        {"reason": "Không thuộc lĩnh vực của phòng."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "returned"
    assert response.json()["document"]["status"] == "returned"
    assert watch.actions() == ["document.return"]


@pytest.mark.django_db
def test_tampered_file_is_not_served(api, users, pdf_bytes, audit):
    from django.core.files.storage import default_storage

    content = pdf_bytes(["Tệp sẽ bị sửa trái phép", "mã kiểm thử 409"])
    body = register(api, users["clerk"], content, subject="Kiểm tra toàn vẹn").json()
    document_file = DocumentFile.objects.get(pk=body["files"][0]["id"])
    with default_storage.open(document_file.file.name, "wb") as handle:
        handle.write(content.replace(b"%%EOF", b"%%EOX"))
    watch = audit()
    response = api(users["clerk"]).get(body["files"][0]["download_url"])
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "file_integrity"
    assert watch.actions() == ["document.file_integrity_failure"]
    assert not AuditEntry.objects.filter(action="document.download").exists()


@pytest.mark.django_db
def test_a_large_upload_is_registered_from_its_temporary_copy(
    api, users, catalogs, letter_pdf, spool
):
    """An upload above IN_MEMORY_BYTES (every upload, with `spool`) is checked, read and
    stored from a temporary file, removed when the request is done; stored as received."""
    content = letter_pdf()
    response = register(api, users["clerk"], content)

    assert response.status_code == 201, response.json()
    assert response.json()["number"] == "15"  # proposed from the copy's text
    stored = DocumentFile.objects.get()
    assert stored.sha256 == hashlib.sha256(content).hexdigest() and stored.size == len(content)
    with stored.file.open("rb") as handle:
        assert handle.read() == content
    assert list(spool.iterdir()) == []  # removed when the request finished
