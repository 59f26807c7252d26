"""Document exchange between two eDoc agencies over real HTTP: Django's live server plays the
partner, both agencies live in the test database with routes pointing at each other (the
Sở Y tế sends to the UBND, the UBND's answers come back)."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import time
import uuid

import pytest
import requests
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from connectors.edxml import parse_message
from connectors.edxml.builder import build_message, outgoing_attachment
from connectors.edxml.model import DocumentId, Message, Organ, ResponseFor, Staff, Status
from connectors.exchange.arrivals import arrival_refuse, arrival_register, recall_answer
from connectors.exchange.outbox import deliver_due
from connectors.exchange.transport import INBOUND_PATH, request_signature
from connectors.models import Arrival, ExchangeRoute, OutboxMessage, StatusEntry
from edoc.background import wait_until_idle
from edoc.models import (
    AuditEntry,
    Document,
    Role,
    Unit,
    UnitKind,
    User,
)
from edoc.services import handling
from edoc.services.documents import outgoing_issue
from edoc.services.files import file_read_verified
from signing.models import VerificationReport
from tests.connectors.conftest import SYT, UBND
from tests.connectors.samples import signed_letter
from tests.edoc.test_registry_services import draft

SYT_SECRET = "secret-of-syt"  # noqa: S105 (a test key)


def issue_to_ubnd(users, catalogs, pdf_bytes) -> Document:
    letter = draft(users, catalogs, pdf_bytes, "CV", recipient_organizations=[catalogs["ubnd"]])
    return outgoing_issue(user=users["clerk"], document=letter)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def registered_at_ubnd(users, catalogs, pdf_bytes, partner) -> Document:
    """A letter issued to the UBND, delivered and registered by its clerk."""
    letter = issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    return arrival_register(
        partner["clerk"],
        Arrival.objects.get(),
        subject=letter.subject,
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )


def signed_post(
    url: str, body: bytes, *, key="syt-key", secret=SYT_SECRET, timestamp=None, nonce=None
):
    """POST `body` to the partner's inbound endpoint, signed as a partner signs it."""
    timestamp = str(int(timestamp if timestamp is not None else time.time()))
    nonce = nonce or uuid.uuid4().hex
    signature = request_signature(secret, "POST", INBOUND_PATH, timestamp, nonce, body)
    return requests.post(
        url + INBOUND_PATH,
        data=body,
        headers={
            "X-Edoc-Key": key,
            "X-Edoc-Timestamp": timestamp,
            "X-Edoc-Nonce": nonce,
            "X-Edoc-Signature": signature,
        },
        timeout=30,
    )


def refusals(code: str) -> int:
    return AuditEntry.objects.filter(
        action="connectors.inbound_refused", details__code=code
    ).count()


@pytest.mark.django_db
def test_a_rolled_back_issuance_leaves_no_outbox_row(users, catalogs, pdf_bytes, partner):
    ExchangeRoute.objects.create(
        organization=catalogs["ubnd"],
        base_url="http://127.0.0.1:9",
        our_key_id="a",
        our_secret="b",
        partner_key_id="c",
        partner_secret="d",
    )
    letter = draft(users, catalogs, pdf_bytes, "CV", recipient_organizations=[catalogs["ubnd"]])
    with pytest.raises(RuntimeError), transaction.atomic():
        outgoing_issue(user=users["clerk"], document=letter)
        assert OutboxMessage.objects.count() == 1  # written inside the issuing transaction
        raise RuntimeError("the issuance fails after the outbox row was written")
    assert OutboxMessage.objects.count() == 0
    issued = outgoing_issue(user=users["clerk"], document=letter)
    [row] = OutboxMessage.objects.all()
    assert (row.document, row.recipient_code, row.state) == (issued, UBND, "pending")
    assert row.document_key == f"{SYT},{issued.issue_date:%Y/%m/%d},{issued.symbol}"


@pytest.mark.django_db(transaction=True)
def test_issue_arrive_register_and_03_comes_back(
    users, catalogs, pdf_bytes, routes, partner, client
):
    letter = issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    [sent] = OutboxMessage.objects.filter(kind="document")
    assert sent.state == "sent" and sent.attempts == 1
    [arrival] = Arrival.objects.all()
    assert arrival.agency == partner["agency"] and arrival.subject == letter.subject
    assert [status.code for status in sent.statuses.all()] == ["01"]

    client.force_login(partner["clerk"])
    queue = client.get("/connectors/arrivals/").content.decode()
    assert letter.subject in queue and "Văn bản điện tử đến" in queue
    assert 'id="nav-arrivals-count">1<' in queue  # the menu says one is waiting
    page = client.get(f"/connectors/arrivals/{arrival.pk}/").content.decode()
    assert f'value="{letter.number}"' in page and f'value="{letter.notation}"' in page
    assert "được điền từ gói tin điện tử" in page
    pdf = client.get(f"/connectors/arrivals/{arrival.pk}/file/")
    assert pdf.content == file_read_verified(letter.latest_file())
    assert AuditEntry.objects.filter(action="connectors.arrival_download").count() == 1
    client.force_login(users["clerk"])  # another agency's clerk sees none of it
    assert client.get(f"/connectors/arrivals/{arrival.pk}/").status_code == 404
    assert client.get(f"/connectors/arrivals/{arrival.pk}/file/").status_code == 404
    client.force_login(users["specialist"])
    assert client.get("/connectors/arrivals/").status_code == 403
    assert 'id="nav-arrivals"' not in client.get("/").content.decode()
    client.force_login(partner["clerk"])
    response = client.post(
        f"/connectors/arrivals/{arrival.pk}/",
        {
            "subject": letter.subject,
            "number": letter.number,
            "notation": letter.notation,
            "issuer_organization": partner["syt_org"].pk,
            "issue_date": letter.issue_date.isoformat(),
            "urgency": catalogs["normal"].pk,
            "confidentiality": catalogs["public"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    arrival.refresh_from_db()
    registered = arrival.document
    assert arrival.state == "registered" and registered.direction == "incoming"
    assert registered.agency == partner["agency"] and registered.number == letter.number
    assert registered.latest_file().sha256 == letter.latest_file().sha256
    assert wait_until_idle(60)
    assert [status.code for status in sent.statuses.all()] == ["01", "03"]
    page = client.get(f"/connectors/arrivals/{arrival.pk}/")
    assert page.status_code == 200 and "btn-register" not in page.content.decode()

    client.force_login(users["clerk"])
    document_page = client.get(f"/documents/{letter.pk}/").content.decode()
    assert 'id="exchange"' in document_page and "03 — Đã tiếp nhận" in document_page


@pytest.mark.django_db(transaction=True)
def test_refusal_sends_02_with_the_reason(users, catalogs, pdf_bytes, routes, partner, client):
    issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    [arrival] = Arrival.objects.all()
    client.force_login(partner["clerk"])
    client.post(f"/connectors/arrivals/{arrival.pk}/refuse/", {"reason": "Gửi nhầm nơi nhận"})
    assert wait_until_idle(60)
    arrival.refresh_from_db()
    assert arrival.state == "refused" and arrival.document is None
    [sent] = OutboxMessage.objects.filter(kind="document")
    assert [(s.code, s.description) for s in sent.statuses.all()] == [
        ("01", "Văn bản đã đến."),
        ("02", "Gửi nhầm nơi nhận"),
    ]
    response = client.post(f"/connectors/arrivals/{arrival.pk}/refuse/", {"reason": "lại"})
    assert response.status_code == 302 and StatusEntry.objects.count() == 2  # answered once


@pytest.mark.django_db(transaction=True)
def test_retries_with_backoff_until_the_partner_accepts(users, catalogs, pdf_bytes, routes):
    ExchangeRoute.objects.filter(pk=routes["to_ubnd"].pk).update(our_secret="wrong")
    issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    [row] = OutboxMessage.objects.all()
    assert (row.state, row.attempts) == ("pending", 1) and "bad_signature" in row.last_error
    first_wait = row.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=25) < first_wait <= datetime.timedelta(seconds=30)
    assert deliver_due() == {}  # not due yet
    ExchangeRoute.objects.filter(pk=routes["to_ubnd"].pk).update(base_url="http://127.0.0.1:9")
    assert deliver_due(now=row.next_attempt_at) == {"pending": 1}  # unreachable
    row.refresh_from_db()
    assert row.attempts == 2 and "ConnectionError" in row.last_error
    second_wait = row.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=55) < second_wait <= datetime.timedelta(seconds=60)
    assert Arrival.objects.count() == 0 and refusals("bad_signature") == 1

    ExchangeRoute.objects.filter(pk=routes["to_ubnd"].pk).update(
        our_secret="secret-of-syt", base_url=routes["url"]
    )
    assert deliver_due(now=row.next_attempt_at) == {"sent": 1}
    assert wait_until_idle(60)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, "")
    assert Arrival.objects.count() == 1 and row.statuses.get().code == "01"


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_delivery_is_acknowledged_and_stored_once(users, catalogs, pdf_bytes, routes):
    issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    [row] = OutboxMessage.objects.filter(kind="document")
    OutboxMessage.objects.filter(pk=row.pk).update(state="pending")  # as if the ack was lost
    assert deliver_due() == {"sent": 1}
    again = signed_post(routes["url"], bytes(row.payload))  # another request, the same message
    assert (again.status_code, again.json()) == (200, {"result": "duplicate"})
    assert wait_until_idle(60)
    assert Arrival.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="status").count() == 1  # one 01, not three
    assert StatusEntry.objects.count() == 1


def altered(payload: bytes, **changes) -> bytes:
    """The held document's message with some of its fields changed, built again."""
    return build_message(dataclasses.replace(parse_message(payload), **changes))


def unknown_status() -> bytes:
    return build_message(
        Message(
            kind="status",
            sender=Organ(organ_id=UBND),
            status=Status(
                code="03",
                meaning="accepted",
                description="Đã vào sổ",
                timestamp=timezone.localtime().replace(microsecond=0),
                staff=Staff(staff="Hà"),
                response_for=ResponseFor(
                    organ_id=SYT, document_id=DocumentId(value=f"{SYT},2026/01/02,99/SYT-VP")
                ),
            ),
        )
    )


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&e;</edXML>'
)


@pytest.mark.django_db(transaction=True)
def test_refused_requests_get_a_json_error_store_nothing_and_are_audited(
    users, catalogs, pdf_bytes, routes, settings
):
    hold = ExchangeRoute.objects.filter(pk=routes["to_ubnd"].pk)
    hold.update(base_url="http://127.0.0.1:9")  # the document stays in the outbox
    letter = issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    payload = bytes(OutboxMessage.objects.get().payload)
    url = routes["url"]
    cases = [
        (signed_post(url, payload, secret="not-the-secret"), 401, "bad_signature"),
        (signed_post(url, payload, timestamp=time.time() - 301), 401, "stale_timestamp"),
        (signed_post(url, payload, key="nobody"), 401, "unknown_key"),
        (requests.post(url + INBOUND_PATH, data=payload, timeout=30), 401, "unauthenticated"),
        (signed_post(url, XXE), 400, "forbidden_xml"),
        (signed_post(url, b"<edXML><oops"), 400, "not_well_formed"),
        (
            signed_post(url, unknown_status(), key="ubnd-key", secret="secret-of-ubnd"),
            404,
            "unknown_document",
        ),
        (
            signed_post(url, payload, key="ubnd-key", secret="secret-of-ubnd"),
            403,
            "sender_mismatch",
        ),
    ]
    html = outgoing_attachment(
        "cong_van.pdf", b"<html><body>not a pdf</body></html>", "application/pdf"
    )
    cases += [
        (signed_post(url, altered(payload, attachments=[html])), 400, "bad_attachment"),
        (signed_post(url, altered(payload, attachments=[])), 400, "no_attachment"),
        (
            signed_post(url, altered(payload, to=[Organ(organ_id="000.00.99.H19")])),
            400,
            "unknown_recipient",
        ),
    ]
    odd = {"X-Edoc-Key": "syt-key", "X-Edoc-Timestamp": str(int(time.time())), "X-Edoc-Nonce": "n"}
    odd["X-Edoc-Signature"] = "chữ ký".encode().decode("latin-1")  # not hex, not ASCII
    cases.append(
        (
            requests.post(url + INBOUND_PATH, data=payload, headers=odd, timeout=30),
            401,
            "bad_signature",
        )
    )
    ExchangeRoute.objects.filter(pk=routes["to_syt"].pk).update(allowed_ips="10.0.0.0/8")
    cases.append((signed_post(url, payload), 403, "ip_not_allowed"))
    ExchangeRoute.objects.filter(pk=routes["to_syt"].pk).update(allowed_ips="127.0.0.1")
    settings.EDOC_EDXML_MAX_MB = 1
    cases.append((signed_post(url, b"<" * (1024 * 1024 + 1)), 413, "too_large"))
    settings.EDOC_EDXML_MAX_MB = 50
    for response, status, code in cases:
        assert response.status_code == status, (code, response.content[:300])
        error = response.json()["error"]
        assert error["code"] == code and error["message"], error
        assert refusals(code) >= 1, code
    assert Arrival.objects.count() == StatusEntry.objects.count() == 0
    assert OutboxMessage.objects.count() == 1  # the held document alone, no status queued

    nonce = uuid.uuid4().hex  # Redis remembers nonces across runs: a fresh one per run
    first = signed_post(url, payload, nonce=nonce)
    replay = signed_post(url, payload, nonce=nonce)  # the same request again
    assert first.status_code == 202 and first.json() == {"result": "arrived"}
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "replayed"
    assert Arrival.objects.get().document_key.endswith(letter.symbol)
    assert hashlib.sha256(payload).hexdigest()  # the payload itself was never altered


@pytest.mark.django_db(transaction=True)
def test_connectors_deliver_sends_what_is_due(users, catalogs, pdf_bytes, routes):
    """What a crash or an unreachable partner left pending goes with the operator's command
    (cron, or `--loop` next to the server in the embedded mode)."""
    route = ExchangeRoute.objects.filter(pk=routes["to_ubnd"].pk)
    route.update(base_url="http://127.0.0.1:9")
    issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    route.update(base_url=routes["url"])
    out = io.StringIO()
    call_command("connectors_deliver", stdout=out)
    assert out.getvalue().strip() == "0 sent, 0 to retry, 0 given up."  # not due yet
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    call_command("connectors_deliver", stdout=out)
    assert "1 sent, 0 to retry, 0 given up." in out.getvalue()
    assert wait_until_idle(60)
    assert Arrival.objects.count() == 1 and StatusEntry.objects.get().code == "01"
    with pytest.raises(CommandError):
        call_command("connectors_deliver", "--loop", "0")


@pytest.mark.django_db(transaction=True)
def test_a_signed_document_arrives_with_its_signature_verified(
    users, catalogs, pdf_bytes, pdf_sign, trust_root, routes, partner, client
):
    letter, signed = signed_letter(users, catalogs, pdf_bytes, pdf_sign)
    outgoing_issue(user=users["clerk"], document=letter)
    assert wait_until_idle(60)
    arrival = Arrival.objects.get()
    assert (arrival.signature_count, arrival.signatures_valid) == (1, True)
    client.force_login(partner["clerk"])
    assert "1 chữ ký hợp lệ" in client.get("/connectors/arrivals/").content.decode()
    document = arrival_register(
        partner["clerk"],
        arrival,
        subject=arrival.subject,
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )
    assert wait_until_idle(60)
    report = VerificationReport.objects.get(document_file__document=document)
    assert report.all_valid and report.trigger == VerificationReport.Trigger.REGISTRATION
    assert document.latest_file().sha256 == hashlib.sha256(signed).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_the_handling_sends_04_05_06_back(users, catalogs, pdf_bytes, routes, partner):
    agency = partner["agency"]
    board = Unit.objects.create(agency=agency, name="Lãnh đạo UBND", kind=UnitKind.BOARD)
    bureau = Unit.objects.create(agency=agency, name="Phòng Văn xã", kind=UnitKind.OFFICE)
    chair = User.objects.create_user(username="chutich", unit=board, role=Role.DIRECTOR)
    lead = User.objects.create_user(username="cv_vx", unit=bureau, role=Role.SPECIALIST)
    helper = User.objects.create_user(username="cv_vx2", unit=bureau, role=Role.SPECIALIST)
    document = registered_at_ubnd(users, catalogs, pdf_bytes, partner)
    assignments = handling.document_assign(
        user=chair, document=document, lead_user=lead, coordinator_users=[helper]
    )
    by_role = {assignment.user: assignment for assignment in assignments}
    handling.assignment_complete(user=helper, assignment=by_role[helper], comment="Đã góp ý")
    handling.assignment_complete(user=lead, assignment=by_role[lead], comment="Đã xử lý")
    assert wait_until_idle(60)
    [sent] = OutboxMessage.objects.filter(kind="document")
    assert [status.code for status in sent.statuses.all()] == ["01", "03", "04", "05", "06"]
    page = client_of(partner["clerk"]).get(f"/documents/{document.pk}/").content.decode()
    assert "Nhận qua liên thông điện tử" in page
    for line in ("01 — Đã đến", "03 — Đã tiếp nhận", "04 — Đã phân công xử lý", "06 — Hoàn thành"):
        assert line in page
    assert sent.statuses.get(code="04").staff.startswith("chutich")


@pytest.mark.django_db(transaction=True)
def test_the_process_completing_the_handling_sends_06(users, catalogs, pdf_bytes, routes, partner):
    """`document_complete` (the handling process's approval step) tells the other apps, as
    `edoc.signals` documents ("complete"): the sender hears 06."""
    board = Unit.objects.create(agency=partner["agency"], name="Lãnh đạo", kind=UnitKind.BOARD)
    chair = User.objects.create_user(username="chutich", unit=board, role=Role.DIRECTOR)
    lead = User.objects.create_user(username="cv", unit=board, role=Role.SPECIALIST)
    document = registered_at_ubnd(users, catalogs, pdf_bytes, partner)
    handling.document_assign(user=chair, document=document, lead_user=lead)
    handling.document_complete(user=chair, document=document, comment="Duyệt kết quả")
    assert wait_until_idle(60)
    [sent] = OutboxMessage.objects.filter(kind="document")
    assert [status.code for status in sent.statuses.all()] == ["01", "03", "04", "06"]


@pytest.mark.django_db(transaction=True)
def test_delivery_gives_up_after_the_last_attempt_and_the_page_says_so(
    users, catalogs, pdf_bytes, routes, settings, client
):
    settings.EDOC_EXCHANGE_MAX_ATTEMPTS = 2
    ExchangeRoute.objects.filter(pk=routes["to_ubnd"].pk).update(base_url="http://127.0.0.1:9")
    letter = issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    client.force_login(users["clerk"])
    page = client.get(f"/documents/{letter.pk}/").content.decode()
    assert "Đang chờ gửi" in page or "đang chờ gửi" in page
    assert "1 lần thử" in page and "ConnectionError" in page
    far = timezone.now() + datetime.timedelta(hours=2)
    assert deliver_due(now=far) == {"failed": 1}
    assert deliver_due(now=far + datetime.timedelta(days=1)) == {}  # given up: never again
    page = client.get(f"/documents/{letter.pk}/").content.decode()
    assert "gửi không được" in page and "2 lần thử" in page
    [row] = OutboxMessage.objects.all()
    assert f'action="/connectors/deliveries/{row.pk}/retry/"' in page

    client.force_login(users["specialist"])  # sees the document, may not send it again
    assert "/retry/" not in client.get(f"/documents/{letter.pk}/").content.decode()
    client.post(f"/connectors/deliveries/{row.pk}/retry/")
    row.refresh_from_db()
    assert row.state == "failed"

    client.force_login(users["clerk"])  # the partner is back: the clerk sends it again
    ExchangeRoute.objects.filter(pk=routes["to_ubnd"].pk).update(base_url=routes["url"])
    response = client.post(f"/connectors/deliveries/{row.pk}/retry/")
    assert response.status_code == 302 and response["Location"].endswith("#exchange")
    assert wait_until_idle(60)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 1) and Arrival.objects.count() == 1
    assert AuditEntry.objects.filter(action="connectors.delivery_retry").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_recall_is_agreed_or_refused_and_15_or_16_comes_back(
    users, catalogs, pdf_bytes, routes, partner, client
):
    document = registered_at_ubnd(users, catalogs, pdf_bytes, partner)  # the UBND's copy
    assert wait_until_idle(60)
    [sent] = OutboxMessage.objects.filter(kind="document")
    letter = sent.document

    client.force_login(users["specialist"])  # only the agency's clerks recall
    assert (
        client.post(f"/connectors/documents/{letter.pk}/recall/", {"reason": "x"}).status_code
        == 403
    )
    client.force_login(users["clerk"])
    page = client.get(f"/documents/{letter.pk}/").content.decode()
    assert 'id="recall-form"' in page
    client.post(f"/connectors/documents/{letter.pk}/recall/", {"reason": "Sai số liệu phụ lục"})
    assert wait_until_idle(60)
    recall = OutboxMessage.objects.get(business_type="1")
    assert recall.state == "sent" and recall.recipient_code == UBND
    assert AuditEntry.objects.filter(action="connectors.document_recall").count() == 1
    again = client.post(f"/connectors/documents/{letter.pk}/recall/", {"reason": "lần 2"})
    assert again.status_code == 302 and OutboxMessage.objects.filter(business_type="1").count() == 1

    [request] = Arrival.objects.filter(business_type="1")
    assert request.recall_reason == "Sai số liệu phụ lục" and request.state == "arrived"
    ubnd = client_of(partner["clerk"])
    queue = ubnd.get("/connectors/arrivals/").content.decode()
    assert "Yêu cầu thu hồi" in queue
    page = ubnd.get(f"/connectors/arrivals/{request.pk}/").content.decode()
    assert "Sai số liệu phụ lục" in page and 'id="btn-recall-agree"' in page
    assert "btn-register" not in page
    ubnd.post(f"/connectors/arrivals/{request.pk}/recall/", {"answer": "agree"})
    assert wait_until_idle(60)
    request.refresh_from_db()
    assert request.state == "agreed"
    assert document.events.filter(comment__contains="Nơi gửi đã thu hồi").exists()
    assert [status.code for status in sent.statuses.all()] == ["01", "03", "15"]
    page = client.get(f"/documents/{letter.pk}/").content.decode()
    assert "15 — Đồng ý thay đổi" in page and 'id="recall-' in page


@pytest.mark.django_db(transaction=True)
def test_a_recall_of_a_waiting_arrival_or_an_unknown_document(
    users, catalogs, pdf_bytes, routes, partner
):
    letter = issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)
    [original] = Arrival.objects.all()
    recall_payload = altered(
        bytes(OutboxMessage.objects.get(kind="document").payload),
        attachments=[],
        business=dataclasses.replace(
            parse_message(bytes(OutboxMessage.objects.get(kind="document").payload)).business,
            doc_type=1,
            doc_type_name="recall",
            reason="Gửi nhầm",
        ),
    )
    unknown = altered(
        recall_payload,
        document_id=DocumentId(value=f"{SYT},2026/01/02,99/SYT-VP"),
    )
    refused = signed_post(routes["url"], unknown)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "unknown_document"
    assert Arrival.objects.count() == 1

    assert signed_post(routes["url"], recall_payload).status_code == 202
    request = Arrival.objects.get(business_type="1")
    with pytest.raises(ValidationError):
        recall_answer(partner["clerk"], request, agree=False)  # a refusal needs its reason
    with pytest.raises(ValidationError):  # a recall is answered, never registered or refused
        arrival_register(partner["clerk"], request, subject="x")
    with pytest.raises(ValidationError):
        arrival_refuse(partner["clerk"], request, "x")
    recall_answer(partner["clerk"], request, agree=False, reason="Đã chuyển xử lý")
    assert wait_until_idle(60)
    original.refresh_from_db()
    assert original.state == "arrived"  # refused: the document stays
    sent = OutboxMessage.objects.get(kind="document", business_type="0")
    assert [(s.code, s.description) for s in sent.statuses.all()] == [
        ("01", "Văn bản đã đến."),
        ("16", "Đã chuyển xử lý"),
    ]
    assert letter.pk == sent.document_id
