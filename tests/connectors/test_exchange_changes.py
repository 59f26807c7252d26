"""Update (cập nhật, BussinessDocType 2) and replace (thay thế, 3) between two eDoc agencies
over real HTTP, as tests/connectors/test_exchange.py sets them up: the Sở Y tế's clerk sends
them on an issued document that was delivered electronically, the UBND's clerk agrees (15) or
refuses (16) and the answer comes back to the sender's timeline."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from connectors.edxml import parse_message
from connectors.edxml.model import DocumentId, Replacement
from connectors.exchange.arrivals import arrival_proposal, arrival_register, change_answer
from connectors.exchange.outbox import document_replace_send, document_update_send
from connectors.models import Arrival, OutboxMessage
from connectors.selectors import document_deliveries
from edoc.background import wait_until_idle
from edoc.models import AuditEntry, Document
from edoc.services.documents import outgoing_issue
from tests.connectors.conftest import SYT, UBND
from tests.connectors.test_exchange import (
    altered,
    client_of,
    issue_to_ubnd,
    refusals,
    registered_at_ubnd,
    signed_post,
)
from tests.edoc.test_registry_services import draft

DUE = datetime.date(2027, 1, 15)


def codes(row: OutboxMessage) -> list[str]:
    return [status.code for status in row.statuses.all()]


def timeline(document: Document) -> list[str]:
    """The codes on the sender's timeline of the document's one recipient (its updates'
    answers included)."""
    [delivery] = document_deliveries(document)
    return [status.code for status in delivery.timeline]


NEW_KEY = DocumentId(value=f"{SYT},2026/02/03,100/SYT-VP")


def replacement_of(payload: bytes, replaced: DocumentId, reason: str, **changes) -> bytes:
    """The held document's message rewritten as another vendor's replacement (business type
    3, a DocumentId of its own) of the document `replaced`."""
    held = parse_message(payload)
    return altered(
        payload,
        document_id=NEW_KEY,
        business=dataclasses.replace(
            held.business,
            doc_type=3,
            doc_type_name="replace",
            reason=reason,
            replacements=[Replacement(document_id=replaced, organ_ids=[UBND])],
        ),
        **changes,
    )


@pytest.mark.django_db(transaction=True)
def test_an_update_is_sent_agreed_and_corrects_the_registered_document(
    users, catalogs, pdf_bytes, routes, partner
):
    document = registered_at_ubnd(users, catalogs, pdf_bytes, partner)  # the UBND's copy
    assert wait_until_idle(60)
    [sent] = OutboxMessage.objects.filter(kind="document")
    letter = sent.document
    corrected = pdf_bytes(["Bản đã sửa"])

    sender = client_of(users["specialist"])  # only the agency's clerks send updates
    url = f"/connectors/documents/{letter.pk}/update/"
    assert sender.post(url, {"reason": "x", "subject": "y"}).status_code == 403
    with pytest.raises(ValidationError) as missing:
        document_update_send(user=users["clerk"], document=letter, reason=" ", subject="Mới")
    assert "reason" in missing.value.message_dict
    with pytest.raises(ValidationError):  # nothing corrected
        document_update_send(
            user=users["clerk"], document=letter, reason="Sửa", subject=letter.subject
        )
    assert OutboxMessage.objects.filter(business_type="2").count() == 0

    sender = client_of(users["clerk"])
    page = sender.get(f"/documents/{letter.pk}/").content.decode()
    assert 'id="update-form"' in page and 'id="replace-form"' in page
    response = sender.post(
        url,
        {
            "reason": "Sai trích yếu và hạn xử lý",
            "subject": "Kế hoạch chuyển đổi số ngành y tế năm 2026 (sửa đổi)",
            "due_date": DUE.isoformat(),
            "file": SimpleUploadedFile("ban-sua.pdf", corrected, "application/pdf"),
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#exchange")
    assert wait_until_idle(60)
    update = OutboxMessage.objects.get(business_type="2")
    assert update.state == "sent" and update.recipient_code == UBND
    message = parse_message(bytes(update.payload))
    assert message.business.doc_type == 2 and message.business.document_info == "1"
    assert message.business.document_id.value == sent.document_key  # the document corrected
    assert message.document_id.uuid == update.document_key  # the update's own identifier
    assert message.due_date == DUE and message.attachments[0].data == corrected
    letter.refresh_from_db()
    assert letter.subject == "Kế hoạch chuyển đổi số ngành y tế năm 2026"  # the registry stays
    entry = AuditEntry.objects.get(action="connectors.document_update")
    assert set(entry.details["changes"]) == {"subject", "due_date", "file"}
    request = Arrival.objects.get(business_type="2")
    original = Arrival.objects.get(business_type="0")
    assert request.acts_on == original and request.state == "arrived"
    assert request.file_sha256 != original.file_sha256
    ubnd = client_of(partner["clerk"])
    assert "Yêu cầu cập nhật" in ubnd.get("/connectors/arrivals/").content.decode()
    page = ubnd.get(f"/connectors/arrivals/{request.pk}/").content.decode()
    assert "Sai trích yếu và hạn xử lý" in page and 'id="btn-change-agree"' in page
    assert "(sửa đổi)" in page and "btn-register" not in page
    with pytest.raises(ValidationError):  # an update is agreed or refused, never registered
        arrival_register(partner["clerk"], request, subject="x")
    ubnd.post(f"/connectors/arrivals/{request.pk}/answer/", {"answer": "agree"})
    assert wait_until_idle(60)
    request.refresh_from_db()
    document.refresh_from_db()
    assert request.state == "agreed"
    assert document.subject.endswith("(sửa đổi)") and document.deadline == DUE
    assert AuditEntry.objects.filter(action="document.update", object_id=str(document.pk)).exists()
    assert document.events.filter(comment__contains="Sai trích yếu và hạn xử lý").exists()
    assert codes(sent) == ["01", "03"] and codes(update) == ["15"]
    received = ubnd.get(f"/documents/{document.pk}/").content.decode()
    assert "Nơi gửi đã cập nhật" in received
    assert f'href="/connectors/arrivals/{request.pk}/file/"' in received  # the corrected file
    assert ubnd.get(f"/connectors/arrivals/{request.pk}/file/").content == corrected

    page = sender.get(f"/documents/{letter.pk}/").content.decode()
    assert "15 — Đồng ý thay đổi" in page and f'id="update-{update.pk}"' in page
    assert timeline(letter) == ["01", "03", "15"]

    # A second correction is a message of its own (not a duplicate); refused, 16 comes back.
    [second] = document_update_send(
        user=users["clerk"], document=letter, reason="Sửa lần 2", subject="Trích yếu khác"
    )
    assert second.document_key not in (sent.document_key, update.document_key)
    assert wait_until_idle(60)
    request = Arrival.objects.get(business_type="2", state="arrived")
    assert request.acts_on == original and request.header["subject"] == "Trích yếu khác"
    change_answer(partner["clerk"], request, agree=False, reason="Không cần sửa nữa")
    assert wait_until_idle(60)
    document.refresh_from_db()
    assert document.subject.endswith("(sửa đổi)")  # refused: unchanged
    assert timeline(letter) == ["01", "03", "15", "16"]
    received = ubnd.get(f"/documents/{document.pk}/").content.decode()
    assert received.count('class="exchange-status-sent" data-code="16"') == 1


@pytest.mark.django_db(transaction=True)
def test_an_update_of_a_waiting_arrival_corrects_what_the_clerk_will_register(
    users, catalogs, pdf_bytes, routes, partner
):
    letter = issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    document_update_send(
        user=users["clerk"],
        document=letter,
        reason="Bổ sung hạn xử lý",
        subject=letter.subject,
        due_date=DUE,
    )
    assert wait_until_idle(60)
    request = Arrival.objects.get(business_type="2")
    with pytest.raises(ValidationError) as missing:  # a refusal needs its reason
        change_answer(partner["clerk"], request, agree=False)
    assert "reason" in missing.value.message_dict
    with pytest.raises(PermissionDenied):  # another agency's clerk
        change_answer(users["clerk"], request, agree=True)
    change_answer(partner["clerk"], request, agree=True)
    original = Arrival.objects.get(business_type="0")
    assert original.state == "arrived" and original.header["due_date"] == DUE.isoformat()
    assert original.file_sha256 == request.file_sha256  # no corrected file: the same
    assert arrival_proposal(original)["subject"] == letter.subject
    page = client_of(partner["clerk"]).get(f"/connectors/arrivals/{original.pk}/")
    assert f'value="{DUE.isoformat()}"' in page.content.decode()  # the deadline, prefilled
    assert wait_until_idle(60)
    assert timeline(letter) == ["01", "15"]


@pytest.mark.django_db(transaction=True)
def test_update_or_replace_of_a_document_that_never_arrived_is_refused_and_audited(
    users, catalogs, pdf_bytes, routes, partner
):
    issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    payload = bytes(OutboxMessage.objects.get(kind="document").payload)
    held = parse_message(payload)
    unknown = DocumentId(value=f"{SYT},2026/01/02,99/SYT-VP")
    update = altered(
        payload,
        business=dataclasses.replace(
            held.business, doc_type=2, doc_type_name="update", reason="Sửa", document_id=unknown
        ),
    )
    replace = replacement_of(payload, unknown, "Thay thế")
    for body in (update, replace):
        refused = signed_post(routes["url"], body)
        assert refused.status_code == 404, refused.content
        error = refused.json()["error"]
        assert error["code"] == "unknown_document" and "99/SYT-VP" in error["message"]
    assert refusals("unknown_document") == 2
    assert Arrival.objects.count() == 1 and OutboxMessage.objects.count() == 2  # + 01

    # The same update about the document that did arrive: the clerk refuses it, 16 goes back.
    known = altered(
        payload,
        business=dataclasses.replace(
            held.business, doc_type=2, doc_type_name="update", reason="Sửa", document_id=None
        ),
    )
    assert signed_post(routes["url"], known).status_code == 202
    assert signed_post(routes["url"], known).json() == {"result": "duplicate"}
    request = Arrival.objects.get(business_type="2")
    change_answer(partner["clerk"], request, agree=False, reason="Văn bản đã xử lý xong")
    assert wait_until_idle(60)
    assert [
        (s.code, s.description) for s in OutboxMessage.objects.get(kind="document").statuses.all()
    ] == [
        ("01", "Văn bản đã đến."),
        ("16", "Văn bản đã xử lý xong"),
    ]
    assert Arrival.objects.get(business_type="0").header["subject"] == held.subject


@pytest.mark.django_db(transaction=True)
def test_a_replacement_is_sent_agreed_and_marks_the_old_document_replaced(
    users, catalogs, pdf_bytes, routes, partner
):
    old_copy = registered_at_ubnd(users, catalogs, pdf_bytes, partner)
    assert wait_until_idle(60)
    [sent] = OutboxMessage.objects.filter(kind="document")
    letter = sent.document
    unissued = draft(users, catalogs, pdf_bytes, "CV", recipient_organizations=[catalogs["ubnd"]])
    with pytest.raises(PermissionDenied):
        document_replace_send(
            user=users["specialist"], document=letter, replacement=unissued, reason="x"
        )
    with pytest.raises(ValidationError) as missing:
        document_replace_send(user=users["clerk"], document=letter, replacement=unissued, reason="")
    assert "reason" in missing.value.message_dict
    for wrong in (unissued, letter):  # not issued; the document itself
        with pytest.raises(ValidationError) as error:
            document_replace_send(
                user=users["clerk"], document=letter, replacement=wrong, reason="Thay"
            )
        assert "replacement" in error.value.message_dict
    assert OutboxMessage.objects.filter(business_type="3").count() == 0
    assert not AuditEntry.objects.filter(action="connectors.document_replace").exists()

    new = outgoing_issue(user=users["clerk"], document=unissued)  # goes to the UBND as new
    assert wait_until_idle(60)
    sender = client_of(users["clerk"])
    page = sender.get(f"/documents/{letter.pk}/").content.decode()
    assert f'<option value="{new.pk}">' in page
    response = sender.post(
        f"/connectors/documents/{letter.pk}/replace/",
        {"replacement": new.pk, "reason": "Thay thế do sai số liệu"},
    )
    assert response.status_code == 302
    assert wait_until_idle(60)
    replacement = OutboxMessage.objects.get(business_type="3")
    assert (replacement.document, replacement.replaced_document) == (new, letter)
    assert replacement.state == "sent" and replacement.recipient_code == UBND
    message = parse_message(bytes(replacement.payload))
    assert [item.document_id.value for item in message.business.replacements] == [sent.document_key]
    assert message.document_id.value == replacement.document_key != sent.document_key
    assert AuditEntry.objects.filter(action="connectors.document_replace").count() == 1

    request = Arrival.objects.get(business_type="3")
    assert request.replaced_keys() == [sent.document_key]
    waiting_new = Arrival.objects.get(document_key=replacement.document_key, business_type="0")
    ubnd = client_of(partner["clerk"])
    page = ubnd.get(f"/connectors/arrivals/{request.pk}/").content.decode()
    assert "Thay thế do sai số liệu" in page and 'id="btn-change-agree"' in page
    change_answer(partner["clerk"], request, agree=True)
    assert wait_until_idle(60)
    old = Arrival.objects.get(document=old_copy)
    assert old.replaced_by == request
    assert Arrival.objects.filter(business_type="0").count() == 2  # the new one: once
    assert waiting_new.state == "arrived"
    assert old_copy.events.filter(comment__contains="Thay thế do sai số liệu").exists()
    received = ubnd.get(f"/documents/{old_copy.pk}/").content.decode()
    assert 'id="exchange-replaced"' in received and "Thay thế do sai số liệu" in received
    assert codes(OutboxMessage.objects.get(document=new, business_type="0")) == ["01", "15"]
    page = sender.get(f"/documents/{letter.pk}/").content.decode()
    assert f'id="replacement-{sent.pk}"' in page and 'id="replace-form"' not in page


@pytest.mark.django_db(transaction=True)
def test_a_replacement_of_a_waiting_document_from_another_vendor_enters_the_queue(
    users, catalogs, pdf_bytes, routes, partner
):
    """A sender that sends the new document only as a replacement (as the VPCP SDK's sample
    does): once agreed, the new document waits to be registered, the old one leaves."""
    issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    payload = bytes(OutboxMessage.objects.get(kind="document").payload)
    held = parse_message(payload)
    replace = replacement_of(
        payload,
        held.document_id,
        "Văn bản thay thế",
        code_number="100",
        subject="Kế hoạch thay thế",
    )
    assert signed_post(routes["url"], replace).status_code == 202
    request = Arrival.objects.get(business_type="3")
    change_answer(partner["clerk"], request, agree=True)
    old = Arrival.objects.get(document_key=held.document_id.value, business_type="0")
    new = Arrival.objects.get(document_key=NEW_KEY.value, business_type="0")
    assert (old.state, old.replaced_by) == ("refused", request)
    assert "Văn bản thay thế" in old.refusal_reason
    assert new.state == "arrived" and new.subject == "Kế hoạch thay thế"
    assert arrival_proposal(new)["number"] == "100"
    document = arrival_register(
        partner["clerk"],
        new,
        subject=new.subject,
        number="100",
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )
    assert document.number == "100"
    with pytest.raises(ValidationError):
        change_answer(partner["clerk"], request, agree=True)  # answered once
    assert Document.objects.filter(direction="incoming").count() == 1
