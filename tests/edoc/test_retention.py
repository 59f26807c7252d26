"""Data retention: the seeded periods (Circular 10/2022/TT-BNV), the report of records due for
destruction or archive transfer, and destruction only through request → director's approval
→ execution, which removes files and text but keeps the register entry and the audit chain."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook

from edoc.models import AuditEntry, DestructionRequest, FileText, RetentionRule
from edoc.services.audit import audit_verify
from edoc.services.documents import incoming_register
from edoc.services.files import pdf_validate


def _register(users, catalogs, pdf_bytes, kind: str, issued: datetime.date, words: str):
    return incoming_register(
        user=users["clerk"],
        subject=words,
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        document_type=catalogs["types"][kind],
        issue_date=issued,
        number=str(issued.year % 100),
        notation="UBND-VX",
        pdf=pdf_validate(io.BytesIO(pdf_bytes([words])), "vb.pdf"),
    )


@pytest.fixture
def records(users, catalogs, pdf_bytes):
    this_year = datetime.date.today().year
    return {
        "old_letter": _register(
            users, catalogs, pdf_bytes, "CV", datetime.date(this_year - 12, 3, 4), "Công văn cũ"
        ),
        "new_letter": _register(
            users, catalogs, pdf_bytes, "CV", datetime.date(this_year - 2, 3, 4), "Công văn mới"
        ),
        "old_decision": _register(
            users, catalogs, pdf_bytes, "QĐ", datetime.date(this_year - 12, 5, 6), "Quyết định cũ"
        ),
    }


@pytest.mark.django_db
def test_the_periods_are_seeded_as_admin_editable_rules(catalogs):
    letter = RetentionRule.objects.get(document_type=catalogs["types"]["CV"])
    decision = RetentionRule.objects.get(document_type=catalogs["types"]["QĐ"])
    assert (letter.years, letter.transfer_after_years) == (10, None)
    assert (decision.years, decision.transfer_after_years) == (None, 10)
    assert decision.basis.startswith("Thông tư 10/2022/TT-BNV, Phụ lục I")


@pytest.mark.django_db
def test_report_lists_records_due_and_only_for_clerks_and_the_director(client, users, records):
    url = reverse("edoc:retention_report")
    client.force_login(users["specialist"])
    assert client.get(url).status_code == 403

    client.force_login(users["clerk"])
    page = client.get(url).content.decode()
    assert f'id="due-{records["old_letter"].pk}"' in page
    assert f'id="due-{records["new_letter"].pk}"' not in page
    assert f'id="due-{records["old_decision"].pk}"' not in page
    transfer = client.get(url, {"kind": "transfer"}).content.decode()
    assert f'id="due-{records["old_decision"].pk}"' in transfer
    assert f'id="due-{records["old_letter"].pk}"' not in transfer

    sheet = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).active
    subjects = [row[3] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert subjects == ["Công văn cũ"]

    client.force_login(users["director"])
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_destruction_needs_the_directors_approval_and_keeps_the_audit_chain(
    client, users, records, django_capture_on_commit_callbacks
):
    old = records["old_letter"]
    version = old.files.get()
    blob = version.file.name
    assert default_storage.exists(blob)

    client.force_login(users["clerk"])
    refused = client.post(
        reverse("edoc:destruction_create"),
        {"documents": [records["new_letter"].pk], "reason": "Hết hạn"},
        follow=True,
    )
    assert "chưa đến hạn hủy" in refused.content.decode()
    assert DestructionRequest.objects.count() == 0

    client.post(
        reverse("edoc:destruction_create"),
        {"documents": [old.pk], "reason": "Hết thời hạn bảo quản 10 năm"},
    )
    request = DestructionRequest.objects.get()
    assert list(request.documents.all()) == [old]

    # Not yet approved: nothing is destroyed; the clerk cannot approve.
    client.post(reverse("edoc:destruction_execute", args=[request.pk]))
    assert default_storage.exists(blob)
    assert (
        client.post(
            reverse("edoc:destruction_decide", args=[request.pk]), {"decision": "approve"}
        ).status_code
        == 403
    )
    request.refresh_from_db()
    assert request.status == DestructionRequest.Status.REQUESTED

    client.force_login(users["director"])
    client.post(reverse("edoc:destruction_decide", args=[request.pk]), {"decision": "approve"})
    request.refresh_from_db()
    assert request.status == DestructionRequest.Status.APPROVED
    assert client.post(reverse("edoc:destruction_execute", args=[request.pk])).status_code == 403

    client.force_login(users["clerk"])
    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        client.post(reverse("edoc:destruction_execute", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == DestructionRequest.Status.EXECUTED
    assert not default_storage.exists(blob)
    assert not FileText.objects.filter(file=version).exists()
    assert old.tombstone.file_hashes == [version.sha256]
    assert default_storage.exists(records["new_letter"].files.get().file.name)

    page = client.get(reverse("edoc:document_detail", args=[old.pk])).content.decode()
    assert 'id="destroyed-notice"' in page
    download = client.get(reverse("edoc:document_file_download", args=[old.pk, version.pk]))
    assert download.status_code == 302
    report = client.get(reverse("edoc:retention_report")).content.decode()
    assert f'id="due-{old.pk}"' not in report

    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "retention.destruction_request",
        "retention.destruction_approve",
        "retention.destruction_execute",
        "document.destroy",
    } <= actions
    assert audit_verify().ok
