"""Who sees what (the one selector) and the handling of incoming documents."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from edoc.models import Assignment, AuditEntry, Document, ReadReceipt
from edoc.selectors.access import document_get_for_user, visible_documents
from edoc.selectors.documents import pending_inbox
from edoc.services.documents import document_grant, incoming_register
from edoc.services.handling import (
    assignment_complete,
    assignment_forward,
    assignment_return,
    delegation_create,
    delegation_revoke,
    document_assign,
    document_mark_read,
    incoming_resubmit,
)

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def register(users, catalogs, *, clerk="clerk", secret=False, subject="Về việc báo cáo số liệu"):
    return incoming_register(
        user=users[clerk],
        subject=subject,
        urgency=catalogs["normal"],
        confidentiality=catalogs["secret"] if secret else catalogs["public"],
    )


def visible_ids(user) -> set[int]:
    return set(visible_documents(user).values_list("pk", flat=True))


@pytest.mark.django_db
def test_access_matrix(users, catalogs, units):
    agency_doc = register(users, catalogs)
    secret_doc = register(users, catalogs, secret=True)
    centre_doc = register(users, catalogs, clerk="centre_clerk")
    expected = {
        "clerk": {agency_doc.pk, secret_doc.pk},  # registered the secret one: holds its grant
        "director": {agency_doc.pk, centre_doc.pk},  # whole agency, but no grant for the secret one
        "deputy": {agency_doc.pk, centre_doc.pk},
        "head": set(),  # not their unit, not involved
        "specialist": set(),
        "other_specialist": set(),
        "centre_clerk": {centre_doc.pk},
        "centre_head": {centre_doc.pk},
    }
    for name, ids in expected.items():
        assert visible_ids(users[name]) == ids, name
    with pytest.raises(Http404):
        document_get_for_user(users["director"], secret_doc.pk)
    with pytest.raises(Http404):
        document_get_for_user(users["specialist"], agency_doc.pk)


@pytest.mark.django_db
def test_taking_part_gives_access_and_grants_open_confidential_ones(users, catalogs, units):
    document = register(users, catalogs)
    document_assign(
        user=users["director"], document=document, lead_unit=units["medical"], deadline=TOMORROW
    )
    assert document.pk in visible_ids(users["head"])
    assert document.pk in visible_ids(users["specialist"])  # members of the lead unit take part
    assert document.pk not in visible_ids(users["other_specialist"])

    secret = register(users, catalogs, secret=True)
    with pytest.raises(PermissionDenied):  # the director needs a grant to act on it
        document_grant(user=users["specialist"], document=secret, grantee=users["director"])
    document_grant(user=users["clerk"], document=secret, grantee=users["director"], reason="xử lý")
    assert secret.pk in visible_ids(users["director"])
    document_assign(user=users["director"], document=secret, lead_user=users["specialist"])
    assert secret.pk in visible_ids(users["specialist"])  # assignment granted it
    assert secret.pk not in visible_ids(users["head"])


@pytest.mark.django_db
def test_full_handling_path(users, catalogs, units):
    document = register(users, catalogs)
    inbox = pending_inbox(users["director"])
    assert [d.pk for d in inbox.to_assign] == [document.pk]

    lead, coordinator, info = document_assign(
        user=users["director"],
        document=document,
        lead_unit=units["medical"],
        coordinator_units=[units["pharmacy"]],
        information_users=[users["deputy"]],
        deadline=TOMORROW,
        directive="Giao Phòng Nghiệp vụ Y chủ trì tham mưu.",
    )
    assert Document.objects.get(pk=document.pk).status == Document.Status.IN_PROGRESS
    assert [a.pk for a in pending_inbox(users["head"]).tasks] == [lead.pk]
    assert [a.pk for a in pending_inbox(users["deputy"]).information] == [info.pk]

    with pytest.raises(PermissionDenied):  # a specialist cannot act on the unit's assignment
        assignment_complete(user=users["specialist"], assignment=lead)
    task = assignment_forward(user=users["head"], assignment=lead, to_user=users["specialist"])
    assert [a.pk for a in pending_inbox(users["specialist"]).tasks] == [task.pk]
    assignment_complete(user=users["other_head"], assignment=coordinator, comment="Đã góp ý.")
    assignment_complete(user=users["specialist"], assignment=task, comment="Đã tham mưu xong.")
    assert Document.objects.get(pk=document.pk).status == Document.Status.COMPLETED
    with pytest.raises(ValidationError) as error:
        assignment_complete(user=users["specialist"], assignment=task)
    assert error.value.code == "already_done"

    document_mark_read(user=users["deputy"], document=document)
    assert Assignment.objects.get(pk=info.pk).status == Assignment.Status.COMPLETED
    assert ReadReceipt.objects.filter(document=document, user=users["deputy"]).exists()
    actions = list(
        AuditEntry.objects.filter(object_id=str(document.pk)).values_list("action", flat=True)
    )
    assert actions == [
        "document.register",
        "document.assign",
        "assignment.forward",
        "assignment.complete",
        "assignment.complete",
        "document.view",
    ]


@pytest.mark.django_db
def test_return_to_clerk_and_resubmit(users, catalogs, units):
    document = register(users, catalogs)
    (lead,) = document_assign(user=users["director"], document=document, lead_user=users["head"])
    with pytest.raises(ValidationError):
        assignment_return(user=users["head"], assignment=lead, reason="")
    assignment_return(user=users["head"], assignment=lead, reason="Không thuộc thẩm quyền phòng.")
    assert [d.pk for d in pending_inbox(users["clerk"]).returned] == [document.pk]
    incoming_resubmit(user=users["clerk"], document=document)
    assert Document.objects.get(pk=document.pk).status == Document.Status.REGISTERED


@pytest.mark.django_db
def test_past_deadline_and_foreign_assignees_are_refused(users, catalogs, units, agency):
    document = register(users, catalogs)
    with pytest.raises(ValidationError):
        document_assign(
            user=users["director"],
            document=document,
            lead_unit=units["medical"],
            deadline=timezone.localdate() - datetime.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        document_assign(user=users["head"], document=document, lead_unit=units["medical"])
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_delegation_lets_the_delegate_act_and_says_so(users, catalogs, units):
    document = register(users, catalogs)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        document_assign(user=users["head"], document=document, lead_unit=units["medical"])
    delegation = delegation_create(
        user=users["director"],
        delegate=users["head"],
        start_date=today,
        end_date=today,
        reason="Đi công tác",
    )
    assert document.pk in visible_ids(users["head"])
    (lead,) = document_assign(user=users["head"], document=document, lead_unit=units["pharmacy"])
    assert lead.on_behalf_of == users["director"]
    event = document.events.get(action="assigned")
    assert event.on_behalf_of == users["director"]
    entry = AuditEntry.objects.get(action="document.assign")
    assert entry.actor_username == "truongphong" and entry.on_behalf_of_username == "giamdoc"

    delegation_revoke(user=users["director"], delegation=delegation)
    other = register(users, catalogs, subject="Văn bản sau khi thu hồi ủy quyền")
    with pytest.raises(PermissionDenied):
        document_assign(user=users["head"], document=other, lead_unit=units["medical"])


@pytest.mark.django_db
def test_affiliated_unit_head_assigns_their_own_books(users, catalogs, units):
    """A health centre's incoming documents are distributed by its head, not by the director."""
    centre_doc = register(users, catalogs, clerk="centre_clerk")
    agency_doc = register(users, catalogs)
    assert [d.pk for d in pending_inbox(users["centre_head"]).to_assign] == [centre_doc.pk]
    assert [d.pk for d in pending_inbox(users["director"]).to_assign] == [agency_doc.pk]
    with pytest.raises(PermissionDenied):
        document_assign(user=users["director"], document=centre_doc, lead_unit=units["station"])
    with pytest.raises(PermissionDenied):
        document_assign(user=users["centre_head"], document=agency_doc, lead_unit=units["centre"])
    (lead,) = document_assign(
        user=users["centre_head"], document=centre_doc, lead_unit=units["station"]
    )
    assert lead.assigned_by == users["centre_head"]


@pytest.mark.django_db
def test_a_forwarded_deadline_stays_within_the_one_given(users, catalogs, units):
    """A unit head cannot give the specialist more time than the director gave the unit."""
    document = register(users, catalogs)
    lead, *_ = document_assign(
        user=users["director"], document=document, lead_unit=units["medical"], deadline=TOMORROW
    )
    with pytest.raises(ValidationError) as refused:
        assignment_forward(
            user=users["head"],
            assignment=lead,
            to_user=users["specialist"],
            deadline=TOMORROW + datetime.timedelta(days=1),
        )
    assert "deadline" in refused.value.message_dict
    assert Assignment.objects.get(pk=lead.pk).status == Assignment.Status.PENDING
    task = assignment_forward(
        user=users["head"], assignment=lead, to_user=users["specialist"], deadline=TOMORROW
    )
    assert task.deadline == TOMORROW
