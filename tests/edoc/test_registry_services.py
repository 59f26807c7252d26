"""Registration, numbering and issuance through the services (Decree 30 rules)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from edoc.models import AuditEntry, Document, DocumentFile, RegisterBook
from edoc.services.documents import (
    incoming_register,
    outgoing_create,
    outgoing_issue,
    outgoing_submit,
)
from edoc.services.files import pdf_validate


def register(users, catalogs, pdf=None, **overrides):
    fields = {
        "user": users["clerk"],
        "subject": "Về việc triển khai kế hoạch chuyển đổi số",
        "urgency": catalogs["normal"],
        "confidentiality": catalogs["public"],
        "pdf": pdf,
    }
    fields.update(overrides)
    return incoming_register(**fields)


def validated(content: bytes, name: str = "vb.pdf"):
    return pdf_validate(io.BytesIO(content), name)


@pytest.mark.django_db
def test_incoming_numbers_are_consecutive_per_book(users, catalogs, pdf_bytes):
    first = register(users, catalogs, validated(pdf_bytes(["một"])))
    second = register(users, catalogs, validated(pdf_bytes(["hai"])))
    secret = register(users, catalogs, confidentiality=catalogs["secret"])
    assert (first.book_number, second.book_number) == (1, 2)
    assert first.register_book == second.register_book
    assert secret.register_book.is_confidential and secret.book_number == 1
    assert first.files.get().sha256 == validated(pdf_bytes(["một"])).sha256


@pytest.mark.django_db
def test_registration_is_nfc_normalised(users, catalogs):
    decomposed = "Ve\u0302\u0300 vie\u0323\u0302c"  # "Về việc" typed with combining marks
    document = register(users, catalogs, subject=decomposed)
    assert document.subject == "Về việc"


@pytest.mark.django_db
def test_only_clerks_register(users, catalogs):
    with pytest.raises(PermissionDenied):
        register(users, catalogs, user=users["specialist"])
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_likely_duplicate_is_flagged(users, catalogs):
    same = {
        "issuer": "UBND tỉnh Đồng Nai",
        "number": "123",
        "notation": "QĐ-UBND",
        "issue_date": datetime.date(2023, 3, 5),
    }
    first = register(users, catalogs, **same)
    second = register(users, catalogs, **same)
    assert not first.is_possible_duplicate
    assert second.is_possible_duplicate and second.duplicate_of == first


@pytest.mark.django_db
def test_failed_registration_leaves_no_file_and_no_number(users, catalogs, pdf_bytes, monkeypatch):
    book = RegisterBook.objects.create(
        agency=users["clerk"].unit.agency, kind="outgoing", year=2026, name="wrong kind"
    )
    pdf = validated(pdf_bytes(["tệp mồ côi?"]))
    with pytest.raises(ValidationError):
        register(users, catalogs, pdf, register_book=book)
    assert Document.objects.count() == 0 and DocumentFile.objects.count() == 0
    assert not default_storage.exists(f"documents/{pdf.sha256[:2]}/{pdf.sha256}.pdf")
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 not a pdf", "not_pdf"),
        (b"%PDF-1.7\n garbage garbage", "corrupted"),
    ],
)
def test_bad_files_are_refused(content, code):
    with pytest.raises(ValidationError) as error:
        validated(content)
    assert error.value.code == code


@pytest.mark.django_db
def test_encrypted_and_oversized_pdfs_are_refused(pdf_bytes, settings):
    with pytest.raises(ValidationError) as error:
        validated(pdf_bytes(encrypt_with="secret"))
    assert error.value.code == "encrypted"
    settings.EDOC_MAX_UPLOAD_MB = 0
    with pytest.raises(ValidationError) as error:
        validated(pdf_bytes())
    assert error.value.code == "too_large"


def draft(users, catalogs, pdf_bytes, abbreviation, **extra):
    document = outgoing_create(
        user=users["specialist"],
        subject="Kế hoạch chuyển đổi số ngành y tế năm 2026",
        document_type=catalogs["types"][abbreviation],
        urgency=catalogs["normal"],
        confidentiality=extra.pop("confidentiality", catalogs["public"]),
        signer=users["director"],
        pdf=validated(pdf_bytes([abbreviation])),
        **extra,
    )
    return outgoing_submit(user=users["specialist"], document=document)


@pytest.mark.django_db
def test_outgoing_numbers_follow_decree_30(users, catalogs, pdf_bytes, units):
    plan = outgoing_issue(user=users["clerk"], document=draft(users, catalogs, pdf_bytes, "KH"))
    letter = outgoing_issue(user=users["clerk"], document=draft(users, catalogs, pdf_bytes, "CV"))
    secret = outgoing_issue(
        user=users["clerk"],
        document=draft(users, catalogs, pdf_bytes, "QĐ", confidentiality=catalogs["secret"]),
    )
    assert plan.symbol == "01/KH-SYT"
    assert letter.symbol == "02/SYT-NVY"  # Công văn: agency-unit, no type abbreviation
    assert secret.symbol == "01/QĐ-SYT"  # confidential documents have their own series
    assert plan.status == Document.Status.ISSUED and plan.issue_date is not None


@pytest.mark.django_db
def test_issuing_to_an_internal_unit_registers_it_there(users, catalogs, pdf_bytes, units):
    document = draft(users, catalogs, pdf_bytes, "CV", recipient_units=[units["centre"]])
    document = outgoing_issue(user=users["clerk"], document=document)
    copy = document.recipients.get().internal_copy
    assert copy.direction == Document.Direction.INCOMING
    assert copy.owner_unit == units["centre"] and copy.book_number == 1
    assert copy.register_book.unit == units["centre"]
    assert copy.symbol == document.symbol and copy.source_document == document
    assert copy.files.get().sha256 == document.files.get().sha256


@pytest.mark.django_db
def test_an_issued_document_and_its_copies_count_the_pages_of_its_file(
    users, catalogs, pdf_bytes, units
):
    """Found walking issue 9: an issued document's details said "Số trang —" (and so did
    the incoming copy registered for each internal recipient) while its PDF has pages."""
    three_pages = lambda lines: pdf_bytes(lines, pages=3)  # noqa: E731
    document = draft(users, catalogs, three_pages, "CV", recipient_units=[units["centre"]])
    document = outgoing_issue(user=users["clerk"], document=document)
    assert document.latest_file().page_count == 3
    assert Document.objects.get(pk=document.pk).page_count == 3
    assert document.recipients.get().internal_copy.page_count == 3


@pytest.mark.django_db
def test_issue_requires_clerk_and_ready_document(users, catalogs, pdf_bytes):
    document = draft(users, catalogs, pdf_bytes, "KH")
    with pytest.raises(PermissionDenied):
        outgoing_issue(user=users["specialist"], document=document)
    outgoing_issue(user=users["clerk"], document=document)
    with pytest.raises(ValidationError):
        outgoing_issue(user=users["clerk"], document=document)
    assert Document.objects.get(pk=document.pk).book_number == 1
