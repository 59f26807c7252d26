"""bench/search_scale.py --clone-to: the SQL copies that take search to its issue-16 volumes
are whole documents for search (file, text, access rows), varied, and keep every user's visible
share; run on a few documents of the demo organisation (SQLite or PostgreSQL)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from bench.search_scale import clone_documents, populate
from edoc.models import Assignment, Document, DocumentGrant, FileText, User
from edoc.models.organisation import Role
from edoc.selectors.access import visible_documents
from search.documents import index_records

pytestmark = pytest.mark.django_db


def test_copies_are_searchable_varied_documents_with_the_same_visible_share():
    call_command("seed_demo", "--organisation-only", verbosity=0)
    populate(0, 40, seed=7, batch=20)
    specialist = User.objects.filter(role=Role.SPECIALIST, is_active=True).order_by("pk").first()
    visible_before = visible_documents(specialist).count()
    assignments, grants = Assignment.objects.count(), DocumentGrant.objects.count()

    clone = clone_documents(120, seed=7)

    assert (clone["originals"], clone["copies"]) == (40, 2)
    assert Document.objects.count() == 120
    assert visible_documents(specialist).count() == 3 * visible_before
    assert (Assignment.objects.count(), DocumentGrant.objects.count()) == (
        3 * assignments,
        3 * grants,
    )
    records = {record.id: record for record in index_records()}
    assert len(records) == 120 and all(record.body for record in records.values())
    first = Document.objects.order_by("pk").first()
    # Copy k's ids are offset by k × the largest id before copying (not by the count: on
    # PostgreSQL the ids of a test start where the sequence of earlier tests left them).
    largest = Document.objects.order_by("pk")[39].pk
    copies = [records[first.pk + k * largest] for k in range(3)]
    assert len({record.body for record in copies}) == 3
    assert len({record.date for record in copies}) == 3
    assert len({record.symbol for record in copies}) == 3
    assert {record.date.year for record in copies} == {first.issue_date.year}
    assert len(set(FileText.objects.values_list("pdf_text", flat=True))) > 100
    numbered = Document.objects.exclude(register_book=None)
    assert numbered.count() > 40
    for book_id in set(numbered.values_list("register_book_id", flat=True)):
        in_book = numbered.filter(register_book_id=book_id)
        numbers = list(in_book.values_list("book_number", flat=True))
        assert len(numbers) == len(set(numbers))
        assert in_book.first().register_book.last_number == max(numbers)
    # New documents continue after the copies (PostgreSQL sequences moved past them).
    copy = Document.objects.get(pk=first.pk + 2 * largest)
    copy.pk = None
    copy.register_book = copy.book_number = None
    copy.save()
    assert copy.pk > 3 * largest
