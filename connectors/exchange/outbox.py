"""The transactional outbox: messages are written in the transaction that causes them (an
issuance, a clerk's answer to an arrival) and delivered once it commits; a failed delivery
is retried with exponential backoff, and `deliver_due` (beat, `manage.py connectors_deliver`)
picks up whatever is due, so a crash between commit and delivery loses nothing."""

from __future__ import annotations

import dataclasses
import datetime
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.delivery import Attempt, Lease, Outbox
from connectors.edxml import parse_message
from connectors.edxml.builder import build_message, outgoing_attachment
from connectors.edxml.model import (
    STATUS_CODES,
    Business,
    DocumentId,
    Message,
    Organ,
    Replacement,
    ResponseFor,
    Staff,
)
from connectors.edxml.model import Status as EdxmlStatus
from connectors.edxml.outgoing import NotSendable, document_message
from connectors.exchange.transport import TRANSPORTS, DeliveryError
from connectors.models import ExchangeRoute, OutboxMessage
from edoc.background import run_later
from edoc.models import Agency, Document, User
from edoc.services.audit import audit_record
from edoc.services.files import ValidatedPdf
from edoc.text import nfc

logger = logging.getLogger(__name__)


def _deliver_after_commit(ids: list[int]) -> None:
    from connectors.tasks import deliver_message_task

    def queue() -> None:
        for pk in ids:
            run_later(deliver_message_task, pk)

    transaction.on_commit(queue)


def document_issued(sender: Any, document: Document, user: User, action: str, **kwargs) -> None:
    """`edoc.signals.document_action` receiver, inside the issuing transaction: one outbox
    message per external recipient that has an enabled route."""
    if action != "issue":
        return
    routes = list(
        ExchangeRoute.objects.filter(
            enabled=True,
            organization__code__isnull=False,
            organization__in=document.recipients.filter(organization__isnull=False).values(
                "organization"
            ),
        ).select_related("organization")
    )
    if not routes:
        return
    try:
        message = document_message(document)
    except NotSendable as reason:
        logger.warning("document %s not sent electronically: %s", document.pk, reason)
        return
    payload = build_message(message)
    now = timezone.now()
    created = [
        OutboxMessage.objects.create(
            route=route,
            document=document,
            kind=OutboxMessage.Kind.DOCUMENT,
            document_key=message.document_id.value,
            sender_code=message.sender.organ_id,
            business_type=str(message.business.doc_type),
            recipient_code=route.organization.code,
            payload=payload,
            next_attempt_at=now,
        )
        for route in routes
    ]
    _deliver_after_commit([row.pk for row in created])


def _require_clerk(user: User, document: Document, message: str) -> None:
    from edoc.selectors.access import is_agency_clerk

    if not is_agency_clerk(user) or document.agency_id != user.unit.agency_id:
        raise PermissionDenied(message)


def _change_targets(document: Document, business_type: str) -> list[OutboxMessage]:
    """The document's deliveries (business type 0) to recipients it may still be changed at:
    not recalled (a recalled document is neither recalled again, updated nor replaced) and,
    for an update or a replacement, not replaced. Updates may follow one another."""
    delivered = list(
        OutboxMessage.objects.filter(
            document=document, kind=OutboxMessage.Kind.DOCUMENT, business_type="0"
        ).select_related("route__organization")
    )
    done = OutboxMessage.objects.filter(document=document, business_type="1")
    if business_type != "1":
        done = done.union(
            OutboxMessage.objects.filter(replaced_document=document, business_type="3")
        )
    sent = {row.recipient_code for row in done}
    return [row for row in delivered if row.recipient_code not in sent]


def _business_staff(message: Message) -> Staff | None:
    return message.business.staff if message.business else None


def _queue_change(
    *,
    user: User,
    document: Document,
    targets: list[OutboxMessage],
    payload: bytes,
    business_type: str,
    action: str,
    details: dict[str, Any],
    document_key: str | None = None,
    replaced_document: Document | None = None,
) -> list[OutboxMessage]:
    """One message per target recipient (a recall, an update or a replacement), audited,
    delivered once the caller's transaction commits."""
    created = [
        OutboxMessage.objects.create(
            route=row.route,
            document=document,
            kind=OutboxMessage.Kind.DOCUMENT,
            document_key=document_key or row.document_key,
            sender_code=row.sender_code,
            business_type=business_type,
            recipient_code=row.recipient_code,
            replaced_document=replaced_document,
            payload=payload,
            next_attempt_at=timezone.now(),
        )
        for row in targets
    ]
    audit_record(
        actor=user,
        action=action,
        target=replaced_document or document,
        details={**details, "recipients": [row.recipient_code for row in created]},
    )
    _deliver_after_commit([row.pk for row in created])
    return created


@transaction.atomic
def document_recall(*, user: User, document: Document, reason: str) -> list[OutboxMessage]:
    """The agency's clerk recalls (thu hồi) an issued document from the external recipients it
    was delivered to: one recall message (business type 1, with the reason) per recipient;
    each answers 15 (agreed) or 16 (refused), shown on the document's timeline."""
    reason = nfc(reason or "").strip()
    _require_clerk(user, document, _("Only the agency's clerks recall documents."))
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the recall.")})
    targets = _change_targets(document, "1")
    if not targets:
        raise ValidationError(_("The document was not sent electronically, or already recalled."))
    original = parse_message(bytes(targets[0].payload))
    message = dataclasses.replace(
        original,
        attachments=[],
        business=Business(
            doc_type=1,
            doc_type_name="recall",
            reason=reason,
            paper="0",
            document_id=original.document_id,
            staff=_business_staff(original),
        ),
    )
    return _queue_change(
        user=user,
        document=document,
        targets=targets,
        payload=build_message(message),
        business_type="1",
        action="connectors.document_recall",
        details={"reason": reason},
    )


# Update (cập nhật, BussinessDocType 2) and replace (thay thế, 3), as QCVN 102:2016's
# TraceHeaderList/Bussiness carries them and the official VPCP SDK example's samples show them
# (SDKVXP_Example resources/edoc_update.edxml and edoc_replacement.edxml, described in
# tests/connectors/data/README.md): an update sends the document again, Bussiness/DocumentId
# naming the document corrected, BussinessDocReason the reason, and BussinessDocumentInfo the
# flags of what changed (DocumentInfo 1: the document's information; DocumentReceiver 1: its
# recipients, listed in ReceiverList); a replacement is a new document whose
# ReplacementInfoList names the DocumentId(s) it replaces and at which organisations (OrganIdList).


@transaction.atomic
def document_update_send(
    *,
    user: User,
    document: Document,
    reason: str,
    subject: str,
    due_date: datetime.date | None = None,
    pdf: ValidatedPdf | None = None,
) -> list[OutboxMessage]:
    """The agency's clerk sends an update (business type 2) of an issued document to the
    external recipients it was delivered to: the document again with the corrected subject,
    due date and, optionally, a corrected signed PDF. eDoc has no service that edits an issued
    document's registry record, so the corrections travel in the message only (and the audit
    entry); each recipient answers 15 (agreed) or 16 (refused).

    Each update is a message of its own: a DocumentId of its own (a UUID, which QCVN 102:2016
    allows), Bussiness/DocumentId naming the corrected document — as the SDK's sample does —
    so that a second correction is not taken for a duplicate of the first."""
    reason, subject = nfc(reason or "").strip(), nfc(subject or "").strip()
    _require_clerk(user, document, _("Only the agency's clerks send updates."))
    errors = {}
    if not reason:
        errors["reason"] = _("Give the reason for the update.")
    if not subject:
        errors["subject"] = _("The subject cannot be empty.")
    if errors:
        raise ValidationError(errors)
    targets = _change_targets(document, "2")
    if not targets:
        raise ValidationError(
            _("The document was not sent electronically, or it was recalled or replaced.")
        )
    original = parse_message(bytes(targets[0].payload))
    latest = (
        OutboxMessage.objects.filter(
            document=document, business_type="2", recipient_code=targets[0].recipient_code
        )
        .order_by("-pk")
        .first()
    )
    current = parse_message(bytes(latest.payload)) if latest else original
    changes = {
        name: [str(old) if old else None, str(new) if new else None]
        for name, old, new in (
            ("subject", current.subject, subject),
            ("due_date", current.due_date, due_date),
        )
        if old != new
    }
    if pdf is not None:
        changes["file"] = [None, pdf.sha256]
    if not changes:
        raise ValidationError(_("Nothing was corrected: change the subject, due date or file."))
    key = str(uuid.uuid4())
    message = dataclasses.replace(
        original,
        document_id=DocumentId(value=key, uuid=key),
        subject=subject,
        due_date=due_date,
        attachments=(
            [outgoing_attachment(pdf.name, pdf.content, "application/pdf")]
            if pdf is not None
            else current.attachments
        ),
        business=Business(
            doc_type=2,
            doc_type_name="update",
            reason=reason,
            paper="0",
            document_id=original.document_id,
            staff=_business_staff(original),
            document_info="1",
            document_receiver="0",
        ),
    )
    return _queue_change(
        user=user,
        document=document,
        targets=targets,
        payload=build_message(message),
        business_type="2",
        action="connectors.document_update",
        details={"reason": reason, "changes": changes, "document_id": key},
        document_key=key,
    )


@transaction.atomic
def document_replace_send(
    *, user: User, document: Document, replacement: Document, reason: str
) -> list[OutboxMessage]:
    """The agency's clerk replaces an issued document that was delivered electronically by
    another issued outgoing document of the agency: the replacement's message (business type 3,
    its ReplacementInfoList naming the earlier DocumentId) goes to each recipient of the earlier
    one, who answers 15 (agreed) or 16 (refused)."""
    reason = nfc(reason or "").strip()
    _require_clerk(user, document, _("Only the agency's clerks replace documents."))
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the replacement.")})
    if (
        replacement.pk == document.pk
        or replacement.agency_id != document.agency_id
        or replacement.direction != Document.Direction.OUTGOING
        or replacement.status != Document.Status.ISSUED
    ):
        raise ValidationError(
            {"replacement": _("Choose another issued outgoing document of the agency.")}
        )
    targets = _change_targets(document, "3")
    if not targets:
        raise ValidationError(
            _("The document was not sent electronically, or it was already replaced.")
        )
    try:
        built = document_message(replacement)
    except NotSendable as reason_not_sendable:
        raise ValidationError({"replacement": str(reason_not_sendable)})
    key = built.document_id.value
    taken = OutboxMessage.objects.filter(
        document_key=key,
        sender_code=built.sender.organ_id,
        business_type="3",
        recipient_code__in=[row.recipient_code for row in targets],
    )
    if taken.exists():
        raise ValidationError(
            {"replacement": _("This document was already sent as a replacement of another.")}
        )
    addressed = {organ.organ_id for organ in built.to}
    earlier = parse_message(bytes(targets[0].payload))
    message = dataclasses.replace(
        built,
        to=[
            *built.to,
            *(
                Organ(organ_id=row.recipient_code, organ_name=row.route.organization.name)
                for row in targets
                if row.recipient_code not in addressed
            ),
        ],
        business=dataclasses.replace(
            built.business,
            doc_type=3,
            doc_type_name="replace",
            reason=reason,
            replacements=[
                Replacement(
                    document_id=earlier.document_id,
                    organ_ids=[row.recipient_code for row in targets],
                )
            ],
        ),
    )
    return _queue_change(
        user=user,
        document=replacement,
        targets=targets,
        payload=build_message(message),
        business_type="3",
        action="connectors.document_replace",
        details={"reason": reason, "replacement": replacement.pk, "document_id": key},
        document_key=key,
        replaced_document=document,
    )


def status_queue(
    *,
    agency: Agency,
    route: ExchangeRoute,
    header: dict[str, Any],
    code: str,
    description: str,
    user: User | None = None,
) -> OutboxMessage:
    """Write a status about a document we received (`header`: its parsed JSON) to the outbox
    of its sender's route; delivered once the caller's transaction commits."""
    now = timezone.localtime().replace(microsecond=0)
    key = header["document_id"]["value"]
    message = Message(
        kind="status",
        sender=Organ(organ_id=agency.code, organ_name=agency.name),
        status=EdxmlStatus(
            code=code,
            meaning=STATUS_CODES[code],
            description=description,
            timestamp=now,
            staff=Staff(
                department=user.unit.name if user and user.unit_id else agency.name,
                staff=(user.get_full_name() or user.username) if user else "eDoc",
                email=(user.email or None) if user else None,
            ),
            response_for=ResponseFor(
                organ_id=header["from"]["organ_id"],
                code="/".join(
                    part
                    for part in (header.get("code_number"), header.get("code_notation"))
                    if part
                )
                or None,
                promulgation_date=(
                    datetime.date.fromisoformat(header["promulgation_date"])
                    if header.get("promulgation_date")
                    else None
                ),
                document_id=DocumentId(value=key),
            ),
        ),
    )
    row = OutboxMessage.objects.create(
        route=route,
        kind=OutboxMessage.Kind.STATUS,
        document_key=key,
        sender_code=agency.code,
        business_type=code,
        recipient_code=route.organization.code,
        payload=build_message(message),
        next_attempt_at=timezone.now(),
    )
    _deliver_after_commit([row.pk])
    return row


# The handling of a document that arrived electronically, told back to its sender once per code:
# 04 assigned (a leader assigned the handling), 05 in progress (a handler forwarded it or did
# their part), 06 completed.
HANDLING_STATUSES = {"assign": "04", "forward": "05", "handle": "05", "complete": "06"}


def handling_progressed(
    sender: Any, document: Document, user: User, action: str, **kwargs: Any
) -> None:
    """`edoc.signals.document_action` receiver, inside the action's transaction: the handling
    of a registered electronic arrival sends 04, 05 and 06 back to the sending agency."""
    code = HANDLING_STATUSES.get(action)
    if code is None or document.direction != Document.Direction.INCOMING:
        return
    if code == "05" and document.status == Document.Status.COMPLETED:
        code = "06"  # the lead handler finished and no process governs it: handling complete
    from connectors.models import Arrival

    arrival = (
        Arrival.objects.filter(document=document, state=Arrival.State.REGISTERED)
        .select_related("agency", "route__organization")
        .first()
    )
    if arrival is None:
        return
    already = OutboxMessage.objects.filter(
        document_key=arrival.document_key,
        sender_code=arrival.agency.code,
        recipient_code=arrival.route.organization.code,
        business_type__in=[code, *(["06"] if code == "05" else [])],
    ).exists()
    if already:
        return
    descriptions = {
        "04": _("The handling was assigned."),
        "05": _("The document is being handled."),
        "06": _("The handling is complete."),
    }
    status_queue(
        agency=arrival.agency,
        route=arrival.route,
        header=arrival.header,
        code=code,
        description=descriptions[code],
        user=user,
    )


class DocumentExchangeOutbox(Outbox[OutboxMessage]):
    """The document exchange's delivery (connectors.delivery): an edXML message through its
    route's transport, given up after EDOC_EXCHANGE_MAX_ATTEMPTS failures."""

    model = OutboxMessage
    pending = Q(state=OutboxMessage.State.PENDING)
    errors = (DeliveryError,)
    error_length = 500

    def retry_base_seconds(self) -> float:
        return settings.EDOC_EXCHANGE_RETRY_SECONDS

    def lease_seconds(self, row: OutboxMessage) -> int:
        # the request's connect and read timeouts, and room to record the answer
        return 2 * settings.EDOC_EXCHANGE_TIMEOUT_SECONDS + 30

    def max_attempts(self) -> int:
        return settings.EDOC_EXCHANGE_MAX_ATTEMPTS

    def load(self, message_id: int) -> OutboxMessage:
        return OutboxMessage.objects.select_related("route").get(pk=message_id)

    def send(self, row: OutboxMessage) -> str | None:
        if not row.route.enabled:
            raise DeliveryError("route disabled")
        return TRANSPORTS[row.route.transport].send(row.route, bytes(row.payload))

    def delivered_fields(self, sent: str | None) -> dict[str, Any]:
        # `sent`: the transport's id of the message (the axis's DocId), where it has one
        return {
            "state": OutboxMessage.State.SENT,
            "sent_at": timezone.now(),
            "transport_id": (sent or "")[:100],
        }

    def gave_up_fields(self) -> dict[str, Any]:
        return {"state": OutboxMessage.State.FAILED}


OUTBOX = DocumentExchangeOutbox()

# What an attempt left the message in (the state `deliver` answers and `deliver_due` counts).
_STATE_AFTER = {
    Attempt.DELIVERED: OutboxMessage.State.SENT,
    Attempt.RETRY: OutboxMessage.State.PENDING,
    Attempt.GAVE_UP: OutboxMessage.State.FAILED,
}


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long a message waits after `attempts` failed deliveries (connectors.retry)."""
    return OUTBOX.retry_delay(attempts)


def delivery_claim(message_id: int, now: datetime.datetime | None = None) -> Lease | None:
    """Claim a pending message for one delivery attempt (connectors.delivery)."""
    return OUTBOX.claim(message_id, now)


def deliver(message_id: int, now: datetime.datetime | None = None) -> str | None:
    """Try one pending message now (connectors.delivery: a lease, no transaction open while
    it is on the wire): its new state, or None when it is not pending (already sent, given
    up) or another worker's claim on it still runs."""
    attempt = OUTBOX.deliver(message_id, now)
    if attempt == Attempt.SUPERSEDED:  # another worker recorded it meanwhile
        return OutboxMessage.objects.values_list("state", flat=True).get(pk=message_id)
    return _STATE_AFTER.get(attempt)


@transaction.atomic
def delivery_retry(*, user: User, message: OutboxMessage) -> OutboxMessage:
    """The agency's clerk sends a given-up message again: pending, a fresh count of attempts,
    delivered once this commits (audited)."""
    from edoc.selectors.access import is_agency_clerk

    message = (
        OutboxMessage.objects.select_for_update(of=("self",))
        .select_related("document")
        .get(pk=message.pk)
    )
    if not is_agency_clerk(user) or (
        message.document is None or message.document.agency_id != user.unit.agency_id
    ):
        raise PermissionDenied(_("Only the agency's clerks send documents again."))
    if message.state != OutboxMessage.State.FAILED:
        raise ValidationError(_("Only a delivery that was given up is sent again."))
    message.state = OutboxMessage.State.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["state", "attempts", "next_attempt_at"])
    audit_record(
        actor=user,
        action="connectors.delivery_retry",
        target=message.document,
        details={"recipient": message.recipient_code, "last_error": message.last_error},
    )
    _deliver_after_commit([message.pk])
    return message


def deliver_due(now: datetime.datetime | None = None) -> dict[str, int]:
    """Try every pending message whose next attempt is due: counts by resulting state."""
    now = now or timezone.now()
    due = OUTBOX.due(now).order_by("next_attempt_at", "pk").values_list("pk", "route_id")
    attempts = OUTBOX.sweep(((pk, str(route)) for pk, route in due[:500]), now)
    return {
        state: attempts[attempt] for attempt, state in _STATE_AFTER.items() if attempts[attempt]
    }
