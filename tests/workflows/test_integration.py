"""The shipped definitions drive the registry: documents move through tasks, and registry
actions done from the document page complete the matching task."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from edoc.models import Document, User
from edoc.models.organisation import Role
from edoc.services.documents import incoming_register, outgoing_create, outgoing_submit
from edoc.services.files import pdf_validate
from edoc.services.handling import document_assign
from workflows.models import ProcessRun, WorkItem
from workflows.services.processes import work_item_complete
from workflows.shipped import LEGAL_GROUP, install_shipped_definitions

NEXT_WEEK = timezone.localdate() + datetime.timedelta(days=7)


@pytest.fixture
def shipped(users, units):
    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    install_shipped_definitions(admin=admin, office=units["office"])
    Group.objects.get(name=LEGAL_GROUP).user_set.add(users["other_specialist"])
    return admin


def open_items(document):
    return list(
        WorkItem.objects.filter(document=document, status=WorkItem.Status.OPEN).order_by("pk")
    )


def register(users, catalogs):
    return incoming_register(
        user=users["clerk"],
        subject="Về việc triển khai chuyển đổi số",
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )


def draft_by_specialist(users, catalogs, pdf_bytes, *, type_abbreviation, subject, text):
    """An outgoing draft of the specialist, signed by the director, with one PDF version."""
    return outgoing_create(
        user=users["specialist"],
        subject=subject,
        document_type=catalogs["types"][type_abbreviation],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        signer=users["director"],
        pdf=pdf_validate(io.BytesIO(pdf_bytes([text])), "du-thao.pdf"),
    )


@pytest.mark.django_db
def test_incoming_document_through_its_tasks(shipped, users, units, catalogs):
    document = register(users, catalogs)
    (assign,) = open_items(document)
    assert assign.step_id == "assign" and assign.assignee is None  # director or deputy claims
    assert set(assign.candidates.all()) == {users["director"], users["deputy"]}

    work_item_complete(
        user=users["director"],
        work_item=assign,
        data={
            "lead_unit": units["medical"],
            "coordinator_units": [units["pharmacy"]],
            "deadline": NEXT_WEEK,
        },
    )
    (forward,) = open_items(document)
    assert forward.step_id == "forward" and forward.assignee == users["head"]
    work_item_complete(user=users["head"], work_item=forward, data={"to_user": users["specialist"]})

    lead, coordinator = open_items(document)
    assert (lead.assignee, coordinator.assignee) == (users["specialist"], users["other_head"])
    work_item_complete(user=users["other_head"], work_item=coordinator, comment="Thống nhất.")
    work_item_complete(user=users["specialist"], work_item=lead, comment="Đã tham mưu.")
    assert Document.objects.get(pk=document.pk).status == Document.Status.IN_PROGRESS

    (approve,) = open_items(document)
    assert approve.step_id == "approve" and approve.assignee == users["head"]
    work_item_complete(user=users["head"], work_item=approve, comment="Đồng ý.")
    assert Document.objects.get(pk=document.pk).status == Document.Status.COMPLETED
    assert ProcessRun.objects.get(document=document).is_finished


@pytest.mark.django_db
def test_registry_actions_complete_the_matching_task(shipped, users, units, catalogs):
    document = register(users, catalogs)
    document_assign(user=users["deputy"], document=document, lead_user=users["specialist"])
    (handle,) = open_items(document)  # assigned to a person: no forwarding step
    assert handle.step_id == "handle" and handle.assignee == users["specialist"]
    done = WorkItem.objects.get(document=document, step_id="assign")
    assert done.completed_by == users["deputy"] and done.status == WorkItem.Status.DONE


@pytest.fixture(scope="module")
def director_material(tmp_path_factory):
    """The director's key from the signing tests' PKI (served on loopback for OCSP/CRL)."""
    from tools.testpki.pki import start_test_pki

    pki = start_test_pki(tmp_path_factory.mktemp("pki"))
    try:
        yield pki.signers["director"]
    finally:
        pki.stop()


@pytest.fixture
def director_pkcs12(director_material, users):
    """The director's PKCS#12 form data, its certificate registered to the director's account
    by an administrator (through the real service)."""
    from tests.signing.signing_support import register_certificate

    register_certificate(users, users["director"], director_material.cert)
    return {
        "method": "pkcs12",
        "pkcs12_data": director_material.pkcs12,
        "passphrase": director_material.passphrase,
    }


@pytest.mark.django_db
def test_outgoing_document_through_review_sign_and_issue(
    shipped, users, units, catalogs, pdf_bytes, director_pkcs12
):
    draft = draft_by_specialist(
        users,
        catalogs,
        pdf_bytes,
        type_abbreviation="QĐ",
        subject="Quyết định ban hành quy chế chuyển đổi số",
        text="Dự thảo",
    )
    (drafting,) = open_items(draft)
    assert drafting.step_id == "draft" and drafting.assignee == users["specialist"]
    outgoing_submit(user=users["specialist"], document=draft)  # from the document page
    assert Document.objects.get(pk=draft.pk).status == Document.Status.IN_REVIEW

    (review,) = open_items(draft)
    assert review.assignee == users["head"]
    work_item_complete(user=users["head"], work_item=review)
    (legal,) = open_items(draft)  # a Quyết định needs the legal review
    assert legal.step_id == "legal_review" and list(legal.candidates.all()) == [
        users["other_specialist"]
    ]
    work_item_complete(user=users["other_specialist"], work_item=legal)
    (approve,) = open_items(draft)
    work_item_complete(user=users["director"], work_item=approve)
    (sign,) = open_items(draft)
    work_item_complete(user=users["director"], work_item=sign, data=director_pkcs12)
    assert Document.objects.get(pk=draft.pk).status == Document.Status.READY

    (issue,) = open_items(draft)
    assert issue.assignee == users["clerk"]
    work_item_complete(user=users["clerk"], work_item=issue)
    issued = Document.objects.get(pk=draft.pk)
    assert issued.status == Document.Status.ISSUED and issued.symbol == "01/QĐ-SYT"
    (distribute,) = open_items(draft)
    work_item_complete(user=users["clerk"], work_item=distribute)
    assert ProcessRun.objects.get(document=draft).is_finished


@pytest.mark.django_db
def test_step_assignees_may_read_the_document(shipped, users, units, catalogs, pdf_bytes):
    """The legal reviewer works in another unit: the process lets them read the draft."""
    from edoc.selectors.access import visible_documents

    draft = draft_by_specialist(
        users,
        catalogs,
        pdf_bytes,
        type_abbreviation="QĐ",
        subject="Quyết định về quy chế",
        text="QĐ",
    )
    reviewer = users["other_specialist"]
    assert not visible_documents(reviewer).filter(pk=draft.pk).exists()
    outgoing_submit(user=users["specialist"], document=draft)
    work_item_complete(user=users["head"], work_item=open_items(draft)[0])
    assert visible_documents(reviewer).filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_starting_a_process_by_hand(shipped, users, units, catalogs):
    from django.core.exceptions import PermissionDenied

    from workflows.models import ProcessDefinition
    from workflows.services.processes import process_start_on_document, startable_definitions

    ProcessDefinition.objects.update(auto_start=False)
    document = register(users, catalogs)
    incoming = ProcessDefinition.objects.get(key="incoming-document")
    assert list(startable_definitions(users["clerk"], document)) == [incoming]  # not outgoing
    with pytest.raises(PermissionDenied):  # cannot see the document
        process_start_on_document(
            user=users["other_specialist"], definition=incoming, document=document
        )
    run = process_start_on_document(user=users["clerk"], definition=incoming, document=document)
    assert run.initiator == users["clerk"]
    with pytest.raises(PermissionDenied):  # already running on it
        process_start_on_document(user=users["clerk"], definition=incoming, document=document)


# --- Issue 9 #3: a draft returned to its drafter can be corrected and submitted again.

RETURN_REASON = "Bổ sung căn cứ Nghị định 30/2020/NĐ-CP và sửa nơi nhận."


def _submitted_plan(users, catalogs, pdf_bytes):
    """A Kế hoạch draft (no legal review) submitted by the specialist: the head reviews it."""
    draft = draft_by_specialist(
        users,
        catalogs,
        pdf_bytes,
        type_abbreviation="KH",
        subject="Kế hoạch kiểm tra an toàn thực phẩm",
        text="Dự thảo lần 1",
    )
    outgoing_submit(user=users["specialist"], document=draft)
    return draft


@pytest.mark.django_db
def test_a_returned_draft_goes_back_to_its_drafter(shipped, users, catalogs, pdf_bytes):
    from edoc.models import DocumentEvent
    from edoc.selectors.access import edit_draft_actor
    from edoc.services.documents import document_file_add
    from workflows.selectors import run_returns, work_item_return_note
    from workflows.services.processes import work_item_return

    draft = _submitted_plan(users, catalogs, pdf_bytes)
    (review,) = open_items(draft)
    assert review.step_id == "review" and review.assignee == users["head"]
    work_item_return(user=users["head"], work_item=review, to_step="draft", reason=RETURN_REASON)

    draft.refresh_from_db()
    assert draft.status == Document.Status.DRAFT  # no longer "Đang trình duyệt"
    assert edit_draft_actor(users["specialist"], draft) is not None
    returned = draft.events.get(action=DocumentEvent.Action.RETURNED_FOR_CORRECTION)
    assert (returned.actor, returned.comment) == (users["head"], RETURN_REASON)

    (redraft,) = open_items(draft)
    assert redraft.step_id == "draft" and redraft.assignee == users["specialist"]
    note = work_item_return_note(redraft)  # what the task page shows the drafter
    assert (note.by, note.reason, note.to_step_id) == (users["head"], RETURN_REASON, "draft")
    assert note.from_step == "Lãnh đạo phòng xem xét" and note.to_step == "Chuyên viên soạn thảo"
    assert [n.reason for n in run_returns(redraft.run)] == [RETURN_REASON]
    assert work_item_return_note(review) is None  # that task came the normal way

    # The drafter corrects the file and submits again: the process moves on to the review.
    document_file_add(
        user=users["specialist"],
        document=draft,
        pdf=pdf_validate(io.BytesIO(pdf_bytes(["Dự thảo lần 2"])), "du-thao-2.pdf"),
    )
    outgoing_submit(user=users["specialist"], document=draft, comment="Đã chỉnh sửa.")
    assert Document.objects.get(pk=draft.pk).status == Document.Status.IN_REVIEW
    redraft.refresh_from_db()
    assert redraft.status == WorkItem.Status.DONE
    (second_review,) = open_items(draft)
    assert second_review.step_id == "review" and second_review.assignee == users["head"]
    assert work_item_return_note(second_review) is None


@pytest.mark.django_db
def test_a_return_between_reviewers_is_on_the_timeline(shipped, users, catalogs, pdf_bytes):
    """The director sends the draft back to the unit head: it stays under review, and the
    document's history says why."""
    from edoc.models import DocumentEvent
    from workflows.services.processes import work_item_return

    draft = _submitted_plan(users, catalogs, pdf_bytes)
    work_item_complete(user=users["head"], work_item=open_items(draft)[0])
    (approve,) = open_items(draft)
    assert approve.step_id == "approve"
    work_item_return(
        user=users["director"], work_item=approve, to_step="review", reason="Xem lại kinh phí."
    )
    draft.refresh_from_db()
    assert draft.status == Document.Status.IN_REVIEW
    event = draft.events.get(action=DocumentEvent.Action.SENT_BACK)
    assert event.actor == users["director"]
    assert event.comment == "Lãnh đạo phòng xem xét: Xem lại kinh phí."
    (review,) = open_items(draft)
    assert review.step_id == "review"


@pytest.mark.django_db
def test_the_drafter_corrects_a_returned_draft_in_the_pages(
    shipped, users, catalogs, pdf_bytes, client
):
    """Through the pages: the head returns the task, the drafter sees why on the document
    page, edits it, uploads a new version and submits it again."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    draft = _submitted_plan(users, catalogs, pdf_bytes)
    (review,) = open_items(draft)
    client.force_login(users["head"])
    response = client.post(
        reverse("workflows:task_return", args=[review.pk]),
        {"to_step": "draft", "reason": RETURN_REASON},
    )
    assert response.status_code == 302

    client.force_login(users["specialist"])
    page = client.get(reverse("edoc:document_detail", args=[draft.pk])).content.decode()
    assert 'id="returned-draft-notice"' in page and RETURN_REASON in page
    assert 'id="btn-edit"' in page and 'id="file-form"' in page and 'id="submit-form"' in page
    timeline = page[page.index('id="timeline"') :]
    assert "trả lại dự thảo để chỉnh sửa" in timeline and RETURN_REASON in timeline
    assert client.get(reverse("edoc:outgoing_edit", args=[draft.pk])).status_code == 200

    upload = SimpleUploadedFile(
        "du-thao-2.pdf", pdf_bytes(["Dự thảo lần 2"]), content_type="application/pdf"
    )
    response = client.post(
        reverse("edoc:document_file_add", args=[draft.pk]), {"file": upload, "comment": "Sửa"}
    )
    assert response.status_code == 302
    response = client.post(reverse("edoc:document_submit", args=[draft.pk]), {"comment": ""})
    assert response.status_code == 302
    assert Document.objects.get(pk=draft.pk).status == Document.Status.IN_REVIEW
    (second_review,) = open_items(draft)
    assert second_review.step_id == "review"
    page = client.get(reverse("edoc:document_detail", args=[draft.pk])).content.decode()
    assert 'id="returned-draft-notice"' not in page  # corrected and submitted
