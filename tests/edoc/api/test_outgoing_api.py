"""Outgoing documents through the API: draft, new version, correct, submit, issue (Decree 30
numbers and symbols)."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from tests.edoc.api.conftest import upload


def draft(api, user, content: bytes, **fields):
    return api(user).post(
        "/api/documents/outgoing/", {"file": upload(content, "du-thao.pdf"), **fields}, "multipart"
    )


@pytest.mark.django_db
def test_draft_version_submit_issue(api, users, units, catalogs, pdf_bytes, audit):
    drafter, clerk = users["specialist"], users["clerk"]

    watch = audit()
    response = draft(
        api,
        drafter,
        pdf_bytes(["Dự thảo kế hoạch", "bản 1"]),
        subject="Kế hoạch kiểm tra an toàn thực phẩm năm 2026",
        document_type=catalogs["types"]["KH"].pk,
        signer=users["deputy"].pk,
        recipient_units=[units["centre"].pk],
        recipient_organizations=[catalogs["ubnd"].pk],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    document_id = body["id"]
    assert (body["direction"], body["status"], body["symbol"]) == ("outgoing", "draft", "")
    assert body["owner_unit"]["short_name"] == "NVY"
    assert body["signer"]["username"] == "phogiamdoc"
    assert body["signer_position"] == "Phó Giám đốc"
    assert [r["unit"] and r["unit"]["id"] for r in body["recipients"]] == [units["centre"].pk, None]
    assert [f["version"] for f in body["files"]] == [1]
    assert watch.actions() == ["document.create"]

    # A second version; both are kept, newest first.
    second = pdf_bytes(["Dự thảo kế hoạch", "bản 2 sau góp ý"])
    watch = audit()
    response = api(drafter).post(
        f"/api/documents/{document_id}/files/",
        {"file": upload(second, "du-thao-v2.pdf"), "comment": "Sửa theo góp ý"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 2
    assert response.json()["sha256"] == hashlib.sha256(second).hexdigest()
    assert response.json()["original_name"] == "du-thao-v2.pdf"
    assert watch.actions() == ["document.file_add"]

    # Correct the subject.
    watch = audit()
    response = api(drafter).patch(
        f"/api/documents/{document_id}/",
        {"subject": "Kế hoạch kiểm tra an toàn thực phẩm dịp Tết năm 2026", "urgency": "urgent"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["subject"].endswith("dịp Tết năm 2026")
    assert response.json()["urgency"]["code"] == "urgent"
    assert [f["version"] for f in response.json()["files"]] == [2, 1]
    assert watch.actions() == ["document.update"]

    # Submit, then the clerk issues it: first number of the year.
    watch = audit()
    response = api(drafter).post(f"/api/documents/{document_id}/submit/", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ready"
    assert watch.actions() == ["document.submit"]

    watch = audit()
    response = api(clerk).post(f"/api/documents/{document_id}/issue/", {}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["number"], body["symbol"]) == ("issued", "01", "01/KH-SYT")
    assert body["issue_date"] == timezone.localdate().isoformat()
    assert body["issued_by"]["username"] == "vanthu"
    assert body["register_book"]["kind"] == "outgoing" and body["incoming_number"] is None
    # One issue entry, plus the recipient unit's own incoming registration.
    assert watch.actions() == ["document.issue", "document.register_internal"]
    assert body["recipients"][0]["internal_copy"] is not None

    # Issuing twice is refused.
    response = api(clerk).post(f"/api/documents/{document_id}/issue/", {}, format="json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_official_letter_gets_the_unit_in_its_notation(
    api, users, catalogs, pdf_bytes, office_specialist, audit
):
    plan = draft(
        api,
        users["specialist"],
        pdf_bytes(["Kế hoạch"]),
        subject="Kế hoạch A",
        document_type=catalogs["types"]["KH"].pk,
        signer=users["director"].pk,
    ).json()
    # A Công văn drafted as JSON without a file; the file comes afterwards.
    watch = audit()
    response = api(office_specialist).post(
        "/api/documents/outgoing/",
        {
            "subject": "V/v đôn đốc báo cáo tiêm chủng mở rộng",
            "document_type": catalogs["types"]["CV"].pk,
            "signer": users["director"].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    letter = response.json()
    assert letter["files"] == [] and watch.actions() == ["document.create"]
    response = api(office_specialist).post(f"/api/documents/{letter['id']}/submit/")
    assert response.status_code == 400  # no file yet
    api(office_specialist).post(
        f"/api/documents/{letter['id']}/files/",
        {"file": upload(pdf_bytes(["Công văn đôn đốc"]))},
        format="multipart",
    )
    for document in (plan, letter):
        drafter = users["specialist"] if document is plan else office_specialist
        assert api(drafter).post(f"/api/documents/{document['id']}/submit/").status_code == 200
    issued_plan = api(users["clerk"]).post(f"/api/documents/{plan['id']}/issue/").json()
    issued_letter = api(users["clerk"]).post(f"/api/documents/{letter['id']}/issue/").json()
    assert issued_plan["symbol"] == "01/KH-SYT"
    assert issued_letter["symbol"] == "02/SYT-VP"


@pytest.mark.django_db
def test_only_the_drafting_side_changes_a_draft_and_only_clerks_issue(
    api, users, catalogs, pdf_bytes, audit
):
    document = draft(
        api,
        users["specialist"],
        pdf_bytes(["Dự thảo"]),
        subject="Báo cáo tháng",
        document_type=catalogs["types"]["BC"].pk,
        signer=users["deputy"].pk,
    ).json()
    document_id = document["id"]
    # The unit head (same unit) may see and correct it; the director sees it but may not edit.
    response = api(users["head"]).patch(
        f"/api/documents/{document_id}/", {"note": "Trưởng phòng đã xem"}, format="json"
    )
    assert response.status_code == 200
    watch = audit()
    for method, url, data in (
        ("patch", f"/api/documents/{document_id}/", {"note": "x"}),
        ("post", f"/api/documents/{document_id}/submit/", {}),
    ):
        response = getattr(api(users["director"]), method)(url, data, format="json")
        assert response.status_code == 403, (url, response.json())
        assert response.json()["error"]["code"] == "permission_denied"
    response = api(users["director"]).post(
        f"/api/documents/{document_id}/files/",
        {"file": upload(pdf_bytes(["khác"]))},
        format="multipart",
    )
    assert response.status_code == 403
    # Another unit's draft is not the clerk's business yet: invisible to them.
    response = api(users["clerk"]).post(f"/api/documents/{document_id}/issue/")
    assert response.status_code == 404
    assert watch.actions() == []
    # Once submitted, it waits for the agency's clerk, who sees it.
    api(users["specialist"]).post(f"/api/documents/{document_id}/submit/")
    listed = api(users["clerk"]).get("/api/documents/", {"status": "ready"}).json()
    assert [d["id"] for d in listed["results"]] == [document_id]
    assert api(users["centre_clerk"]).get(f"/api/documents/{document_id}/").status_code == 404
