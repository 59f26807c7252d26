"""Register books print to PDF and export to XLSX with the entries the user may see."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from openpyxl import load_workbook

from edoc.exports import register_book_pdf, register_book_xlsx
from edoc.selectors.documents import register_book_entries
from edoc.services.documents import incoming_register

SUBJECT = "Về việc triển khai Kế hoạch chuyển đổi số ngành y tế năm 2023"


@pytest.fixture
def book_with_entries(users, catalogs):
    for index in range(3):
        incoming_register(
            user=users["clerk"],
            subject=f"{SUBJECT} (đợt {index + 1})",
            urgency=catalogs["normal"],
            confidentiality=catalogs["public"],
            issuer="Ủy ban nhân dân tỉnh Đồng Nai",
            number=str(100 + index),
            notation="KH-UBND",
        )
    document = incoming_register(
        user=users["clerk"],
        subject="Văn bản mật không được in cho người khác",
        urgency=catalogs["normal"],
        confidentiality=catalogs["secret"],
    )
    return document, users


@pytest.mark.django_db
def test_incoming_register_pdf_lists_entries_in_vietnamese(book_with_entries, users):
    secret, _users = book_with_entries
    public_book = users["clerk"].unit.agency.register_books.get(
        kind="incoming", is_confidential=False
    )
    entries = register_book_entries(users["clerk"], public_book)
    content = register_book_pdf(public_book, entries)
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "chuyển đổi số" in text and "101/KH-UBND" in text
    assert "Văn bản mật" not in text


@pytest.mark.django_db
def test_register_xlsx_has_one_row_per_visible_entry(book_with_entries, users):
    public_book = users["clerk"].unit.agency.register_books.get(
        kind="incoming", is_confidential=False
    )
    entries = register_book_entries(users["clerk"], public_book)
    sheet = load_workbook(io.BytesIO(register_book_xlsx(public_book, entries))).active
    rows = [row for row in sheet.iter_rows(min_row=5, values_only=True) if any(row)]
    assert [row[1] for row in rows] == ["1", "2", "3"]
    assert rows[0][3] == "100/KH-UBND" and rows[0][5].endswith("(đợt 1)")


@pytest.mark.django_db
def test_entries_follow_the_access_rules(book_with_entries, users):
    secret, _users = book_with_entries
    # The clerk registered the confidential document and holds its grant; the specialist does not.
    assert list(register_book_entries(users["clerk"], secret.register_book)) == [secret]
    assert list(register_book_entries(users["specialist"], secret.register_book)) == []
