"""The handling facts stored on a document (handled at, handling unit, assigning leader) stay
equal to their definition (edoc.selectors.handling) after every service that writes lead
assignments or completion events, and the migration fills them for existing documents."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from edoc.models import Document, DocumentEvent
from edoc.selectors.handling import handling_fact_expressions
from edoc.services.documents import incoming_register
from edoc.services.handling import (
    assignment_complete,
    assignment_forward,
    assignment_reopen_lead,
    assignment_return,
    document_assign,
    document_complete,
    incoming_resubmit,
)

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)
FACTS = ("handled_at", "handling_unit_id", "assigning_leader_id")


def register(users, catalogs) -> Document:
    return incoming_register(
        user=users["clerk"],
        subject="Về việc báo cáo số liệu",
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )


def stored(document: Document) -> tuple:
    return Document.objects.filter(pk=document.pk).values_list(*FACTS).get()


def computed(document: Document) -> tuple:
    """The facts computed now from the assignments and events (the definition)."""
    live = {f"live_{name}": value for name, value in handling_fact_expressions().items()}
    row = Document.objects.filter(pk=document.pk).annotate(**live).values(*live).get()
    return tuple(row[f"live_{name}"] for name in FACTS)


def last_completion(document: Document) -> datetime.datetime:
    return (
        document.events.filter(action=DocumentEvent.Action.COMPLETED)
        .latest("created_at", "pk")
        .created_at
    )


def check(document: Document, handled_at, unit, leader) -> None:
    expected = (handled_at, unit.pk if unit else None, leader.pk if leader else None)
    assert stored(document) == expected
    assert computed(document) == expected


@pytest.mark.django_db
def test_assign_forward_and_complete_store_the_facts(users, catalogs, units):
    document = register(users, catalogs)
    check(document, None, None, None)
    lead, coordinator = document_assign(
        user=users["director"],
        document=document,
        lead_unit=units["medical"],
        coordinator_units=[units["pharmacy"]],
        deadline=TOMORROW,
    )
    check(document, None, units["medical"], users["director"])
    task = assignment_forward(user=users["head"], assignment=lead, to_user=users["specialist"])
    check(document, None, units["medical"], users["director"])  # a forward is not a lead root
    assignment_complete(user=users["other_head"], assignment=coordinator)
    check(document, last_completion(document), units["medical"], users["director"])
    first = last_completion(document)
    assignment_complete(user=users["specialist"], assignment=task)
    assert last_completion(document) >= first
    check(document, last_completion(document), units["medical"], users["director"])
    assert Document.objects.get(pk=document.pk).status == Document.Status.COMPLETED


@pytest.mark.django_db
def test_a_person_as_lead_gives_their_unit_and_the_first_assignment_stays(users, catalogs, units):
    document = register(users, catalogs)
    (lead,) = document_assign(user=users["director"], document=document, lead_user=users["head"])
    check(document, None, units["medical"], users["director"])
    assignment_return(user=users["head"], assignment=lead, reason="Không thuộc thẩm quyền.")
    incoming_resubmit(user=users["clerk"], document=document)
    check(document, None, units["medical"], users["director"])
    document_assign(user=users["deputy"], document=document, lead_unit=units["pharmacy"])
    # The handling unit is the first lead assignment's (the definition): unchanged.
    check(document, None, units["medical"], users["director"])


@pytest.mark.django_db
def test_the_handling_process_completion_and_reopening_keep_the_facts(users, catalogs, units):
    document = register(users, catalogs)
    document_assign(user=users["deputy"], document=document, lead_unit=units["medical"])
    check(document, None, units["medical"], users["deputy"])
    document_complete(user=users["director"], document=document, comment="Đồng ý.")
    handled = last_completion(document)
    check(document, handled, units["medical"], users["deputy"])

    other = register(users, catalogs)
    (lead,) = document_assign(user=users["director"], document=other, lead_user=users["head"])
    Document.objects.filter(pk=other.pk).update(status=Document.Status.IN_PROGRESS)
    assignment_complete(user=users["head"], assignment=lead)
    Document.objects.filter(pk=other.pk).update(status=Document.Status.IN_PROGRESS)
    assignment_reopen_lead(user=users["director"], document=other, reason="Bổ sung số liệu.")
    check(other, last_completion(other), units["medical"], users["director"])


@pytest.mark.django_db
def test_the_migration_fills_the_facts_of_existing_documents(users, catalogs, units):
    handled = register(users, catalogs)
    (lead,) = document_assign(user=users["director"], document=handled, lead_user=users["head"])
    assignment_complete(user=users["head"], assignment=lead)
    waiting = register(users, catalogs)
    document_assign(user=users["deputy"], document=waiting, lead_unit=units["pharmacy"])
    untouched = register(users, catalogs)
    expected = {doc.pk: stored(doc) for doc in (handled, waiting, untouched)}
    before = list(Document.objects.order_by("pk").values())
    Document.objects.update(handled_at=None, handling_unit=None, assigning_leader=None)

    migration = importlib.import_module("edoc.migrations.0012_document_handling_facts")
    migration.store_handling_facts(apps, None)

    assert {pk: stored(Document(pk=pk)) for pk in expected} == expected
    assert expected[handled.pk][0] is not None and expected[waiting.pk][1] == units["pharmacy"].pk
    assert expected[untouched.pk] == (None, None, None)
    assert list(Document.objects.order_by("pk").values()) == before  # nothing else changed
