"""What arrives on `POST /api/connectors/edxml/`: the request is authenticated (key, IP
allow-list, timestamp window, HMAC signature, nonce), bounded, parsed, and then a document
becomes an electronic arrival (status 01 goes back) and a status joins the timeline of the
document we sent. Anything refused raises `Refused` (HTTP status, stable code, reason), stores
nothing and is audited."""

from __future__ import annotations

import hmac
import io
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from connectors.edxml import EdxmlError, Message, parse_message
from connectors.exchange.outbox import status_queue
from connectors.exchange.transport import request_signature
from connectors.models import Arrival, ExchangeRoute, OutboxMessage, StatusEntry
from edoc.models import Agency
from edoc.services.audit import audit_record
from edoc.services.files import StoredBlob, ValidatedPdf, pdf_validate
from signing.validation.options import verification_options
from signing.validation.reading import PdfUnreadable
from signing.validation.report import unreadable_report
from signing.validation.verify import pdf_verify


class Refused(Exception):
    """A request eDoc does not accept: `status` (HTTP), `code` (stable), `message` (one line)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Accepted:
    status: int
    result: str  # "arrived", "duplicate", "status_recorded"


@dataclass(frozen=True)
class InboundRequest:
    key_id: str
    timestamp: str
    nonce: str
    signature: str
    path: str
    body: bytes
    remote_addr: str | None
    declared_size: int = 0  # Content-Length (the body is not read beyond the limit)


def inbound_receive(request: InboundRequest) -> Accepted:
    """Authenticate, parse and act on one inbound message; refusals are audited."""
    try:
        limit = settings.EDOC_EDXML_MAX_MB
        if max(request.declared_size, len(request.body)) > limit * 1024 * 1024:
            raise Refused(
                413,
                "too_large",
                _("The message is larger than the %(limit)s MB limit.") % {"limit": limit},
            )
        route = _authenticate(request)
        return message_receive(route, request.body)
    except Refused as refusal:
        refusal_audit(
            refusal,
            key_id=request.key_id[:100],
            size=max(request.declared_size, len(request.body)),
        )
        raise


def refusal_audit(refusal: Refused, **details: object) -> None:
    """Audit a refused message (nothing else of it is stored): its code, reason and where it
    came from (`details`)."""
    audit_record(
        actor=None,
        action="connectors.inbound_refused",
        details={"code": refusal.code, "reason": refusal.message, **details},
    )


def _authenticate(request: InboundRequest) -> ExchangeRoute:
    if not (request.key_id and request.timestamp and request.nonce and request.signature):
        raise Refused(401, "unauthenticated", _("The request is not signed."))
    route = (
        ExchangeRoute.objects.select_related("organization")
        .filter(partner_key_id=request.key_id, enabled=True)
        .first()
    )
    if route is None:
        raise Refused(401, "unknown_key", _("The key id is not known here."))
    if not route.allows(request.remote_addr):
        raise Refused(
            403,
            "ip_not_allowed",
            _("Requests from %(address)s are not allowed for this partner.")
            % {"address": request.remote_addr},
        )
    window = settings.EDOC_EXCHANGE_REPLAY_SECONDS
    try:
        skew = abs(time.time() - int(request.timestamp))
    except ValueError:
        skew = window + 1
    if skew > window:
        raise Refused(
            401,
            "stale_timestamp",
            _("The request's timestamp is outside the %(seconds)s-second window.")
            % {"seconds": window},
        )
    expected = request_signature(
        route.partner_secret, "POST", request.path, request.timestamp, request.nonce, request.body
    )
    given = request.signature.lower().encode("utf-8", "replace")
    if not hmac.compare_digest(expected.encode("ascii"), given):
        raise Refused(401, "bad_signature", _("The request's signature is not valid."))
    if not cache.add(f"connectors:nonce:{route.pk}:{request.nonce[:128]}", 1, timeout=2 * window):
        raise Refused(409, "replayed", _("This request was already received (replayed)."))
    return route


def message_receive(route: ExchangeRoute, body: bytes) -> Accepted:
    """Parse one message from the partner of `route` and act on it, whatever carried it (our
    inbound endpoint, or a fetch from the axis): a document becomes an arrival (01 goes back),
    a status joins the timeline of what we sent, a message already received is a duplicate.
    Raises Refused (nothing stored); the caller audits it."""
    try:
        message = parse_message(body)
    except EdxmlError as error:
        status = 413 if error.code in ("too_large", "attachment_too_large") else 400
        raise Refused(status, error.code, error.message)
    if message.sender.organ_id != route.organization.code:
        raise Refused(
            403,
            "sender_mismatch",
            _("The message's sender %(code)s is not the partner of this key.")
            % {"code": message.sender.organ_id},
        )
    if message.kind == "status":
        return _status_received(route, message)
    return _document_received(route, message)


def _status_received(route: ExchangeRoute, message: Message) -> Accepted:
    status = message.status
    key = status.response_for.document_id.value if status.response_for.document_id else None
    sent = (
        OutboxMessage.objects.filter(
            kind=OutboxMessage.Kind.DOCUMENT,
            document_key=key,
            recipient_code=route.organization.code,
        )
        .order_by("business_type", "pk")
        .first()
        if key
        else None
    )
    if sent is None:
        raise Refused(
            404,
            "unknown_document",
            _("No document %(key)s was sent to %(code)s.")
            % {"key": key or "?", "code": route.organization.code},
        )
    staff = status.staff
    _entry, created = StatusEntry.objects.get_or_create(
        message=sent,
        code=status.code,
        timestamp=status.timestamp,
        defaults={
            "description": status.description or "",
            "staff": ", ".join(part for part in (staff.staff, staff.department) if part)
            if staff
            else "",
        },
    )
    return Accepted(200, "status_recorded" if created else "duplicate")


def _document_received(route: ExchangeRoute, message: Message) -> Accepted:
    business = message.business.doc_type if message.business else 0
    codes = [organ.organ_id for organ in message.to]
    agency = Agency.objects.filter(code__in=codes).order_by("pk").first()
    if agency is None:
        raise Refused(
            400,
            "unknown_recipient",
            _("None of the recipients %(codes)s is this agency.") % {"codes": ", ".join(codes)},
        )
    if message.document_id is None:
        raise Refused(400, "missing_field", _("The message has no DocumentId."))
    identity = {
        "document_key": message.document_id.value,
        "sender_code": message.sender.organ_id,
        "business_type": str(business),
        "agency": agency,
    }
    if Arrival.objects.filter(**identity).exists():
        return Accepted(200, "duplicate")
    if business == 1:
        return _recall_received(route, message, identity)
    if business in (2, 3):
        return _change_received(route, message, identity)
    return _arrival_stored(
        route,
        message,
        identity,
        action="connectors.arrival",
        then=lambda arrival: status_queue(
            agency=agency,
            route=route,
            header=arrival.header,
            code="01",
            description=_("The document has arrived."),
        ),
    )


def _arrival_stored(
    route: ExchangeRoute,
    message: Message,
    identity: dict,
    *,
    action: str,
    details: dict | None = None,
    then: Callable[[Arrival], object] | None = None,
    **fields: object,
) -> Accepted:
    """The message's PDF checked, its signatures verified, stored, and its arrival created
    (audited as `action`; `then` in the same transaction)."""
    pdf, verification = _verified_pdf(message)
    try:
        with StoredBlob(pdf) as blob, transaction.atomic():
            arrival = Arrival.objects.create(
                **identity,
                route=route,
                header=message.as_json(),
                subject=message.subject or "",
                **_file_fields(pdf, blob.name, verification),
                **fields,
            )
            audit_record(
                actor=None,
                action=action,
                target=arrival,
                details={
                    "document_id": arrival.document_key,
                    "from": arrival.sender_code,
                    **(details or {}),
                },
            )
            if then is not None:
                then(arrival)
    except IntegrityError:  # the same message, delivered twice at the same moment
        return Accepted(200, "duplicate")
    return Accepted(202, "arrived")


def _recall_received(route: ExchangeRoute, message: Message, identity: dict) -> Accepted:
    """A recall (thu hồi) of a document that arrived before: it waits for the clerk, who
    agrees (15) or refuses (16)."""
    original = Arrival.objects.filter(**{**identity, "business_type": "0"}).first()
    if original is None:
        raise Refused(
            404,
            "unknown_document",
            _("No document %(key)s arrived from %(code)s.")
            % {"key": identity["document_key"], "code": identity["sender_code"]},
        )
    try:
        with transaction.atomic():
            arrival = Arrival.objects.create(
                **identity, route=route, header=message.as_json(), subject=original.subject
            )
            audit_record(
                actor=None,
                action="connectors.recall_arrival",
                target=arrival,
                details={"document_id": arrival.document_key, "from": arrival.sender_code},
            )
    except IntegrityError:
        return Accepted(200, "duplicate")
    return Accepted(202, "arrived")


def _change_received(route: ExchangeRoute, message: Message, identity: dict) -> Accepted:
    """An update (2) or a replacement (3) of documents that arrived before: stored with its
    file (signatures verified), it waits for the clerk, who agrees (15) or refuses (16). One
    of a document that never arrived here is refused, stored nowhere."""
    business = message.business
    if business.doc_type == 2:
        keys = [(business.document_id or message.document_id).value]
    else:
        keys = [item.document_id.value for item in business.replacements]
    earlier = {
        arrival.document_key: arrival
        for arrival in Arrival.objects.filter(
            document_key__in=keys,
            sender_code=identity["sender_code"],
            agency=identity["agency"],
            business_type="0",
        )
    }
    missing = [key for key in keys if key not in earlier]
    if missing:
        raise Refused(
            404,
            "unknown_document",
            _("No document %(key)s arrived from %(code)s.")
            % {"key": ", ".join(missing), "code": identity["sender_code"]},
        )
    return _arrival_stored(
        route,
        message,
        identity,
        action=f"connectors.{business.doc_type_name}_arrival",
        details={"changes": keys},
        acts_on=earlier[keys[0]] if business.doc_type == 2 else None,
    )


def _verified_pdf(message: Message) -> tuple[ValidatedPdf, dict]:
    """The message's PDF and the signing app's verification report of it."""
    pdf = _attached_pdf(message)
    try:
        verification = pdf_verify(pdf.source, verification_options()).report
    except PdfUnreadable as error:
        verification = unreadable_report(pdf.source, error)
    return pdf, verification


def _file_fields(pdf: ValidatedPdf, blob_name: str, verification: dict) -> dict:
    """An arrival's fields about its stored file and the file's signatures."""
    return {
        "file_name": pdf.name,
        "file_blob": blob_name,
        "file_sha256": pdf.sha256,
        "file_size": pdf.size,
        "signature_count": verification["signature_count"],
        "signatures_valid": bool(verification["ok"]),
        "signature_summary": str(verification["summary"])[:255],
    }


def _attached_pdf(message: Message) -> ValidatedPdf:
    """The document's PDF: the first attachment; its bytes must be a PDF that passes the
    upload checks, whatever its declared type."""
    if not message.attachments:
        raise Refused(400, "no_attachment", _("The message carries no file."))
    attachment = message.attachments[0]
    if attachment.type_mismatch or attachment.sniffed_type != "application/pdf":
        raise Refused(
            400,
            "bad_attachment",
            _("The attachment %(name)s is not the PDF it claims to be.")
            % {"name": attachment.name},
        )
    try:
        return pdf_validate(io.BytesIO(attachment.data), attachment.name)
    except ValidationError as error:
        raise Refused(400, "bad_attachment", " ".join(error.messages))
