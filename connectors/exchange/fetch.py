"""Receiving from a pull transport (the national axis): list what waits for us, get each
message, hand it to `inbound.message_receive` (the processing our inbound endpoint uses), and
only once its effects are committed acknowledge it; a refused message is audited, told to the
axis as refused (`fail`) and stored nowhere, and a refused document's sender gets status 02
with the reason over the axis.

Exactly once: a message is identified by DocumentId + sender + business type (a status: its
code), so one listed again — the process died between get and acknowledge, or the axis
delivered it twice — is a duplicate: acknowledged, stored once. A message that could not be
got or acknowledged stays listed for the next run. `fetch_due` (beat) waits the shared backoff
(`connectors.retry`) after a failed run; `manage.py connectors_fetch` runs now.

The sender's side too: each run reads, for the documents we sent over the axis in the last
`SENT_STATUS_DAYS` days that the recipient's system has not finished with, what that system
told the axis (getSentEdocList): a message it marked `fail` without sending an edXML 02 back
shows on the document page as refused by the axis."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.edxml import EdxmlError, parse_message
from connectors.exchange.inbound import Refused, message_receive, refusal_audit
from connectors.exchange.outbox import status_queue
from connectors.exchange.transport import TRANSPORTS
from connectors.exchange.transports.base import (
    ACKNOWLEDGED,
    REFUSED,
    DeliveryError,
    ReceivedHandle,
    Transport,
)
from connectors.models import ExchangeRoute, OutboxMessage
from connectors.retry import backoff_seconds
from edoc.models import Agency
from edoc.services.audit import audit_record

logger = logging.getLogger(__name__)

FAILURES_KEY = "connectors:fetch:failures"
NEXT_KEY = "connectors:fetch:next"


@dataclass
class FetchResult:
    """What one run did: counts by outcome (`arrived`, `status_recorded`, `duplicate`,
    `refused`) and the messages left for the next run, with why."""

    counts: dict[str, int] = field(default_factory=dict)
    left: list[str] = field(default_factory=list)
    # the sent documents whose status on the axis changed, by their new status; those whose
    # status could not be read (tried again next run), with why
    sent_statuses: dict[str, int] = field(default_factory=dict)
    sent_unread: list[str] = field(default_factory=list)

    @property
    def fetched(self) -> int:
        return sum(self.counts.values())

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


def fetch_received() -> FetchResult:
    """Fetch from every pull transport some enabled route uses. Raises DeliveryError when a
    transport cannot list what waits (unreachable, or our credentials refused)."""
    result = FetchResult()
    used = set(ExchangeRoute.objects.filter(enabled=True).values_list("transport", flat=True))
    for name in sorted(used):
        transport = TRANSPORTS[name]
        for handle in transport.fetch_received():
            _take(name, transport, handle, result)
        sent_statuses_read(name, transport, result)
    return result


SENT_STATUS_DAYS = 30
SENT_STATUS_BATCH = 200


def sent_statuses_read(name: str, transport: Transport, result: FetchResult) -> None:
    """Read what the recipients' systems told the transport about the documents we sent over
    it (recent ones, not yet taken `done` or refused `fail`), and record each change on the
    outbox row: the document page shows it on the recipient's timeline. A refusal is audited
    (`connectors.axis_refused`)."""
    since = timezone.now() - datetime.timedelta(days=SENT_STATUS_DAYS)
    rows = (
        OutboxMessage.objects.filter(
            route__transport=name,
            kind=OutboxMessage.Kind.DOCUMENT,
            state=OutboxMessage.State.SENT,
            sent_at__gte=since,
        )
        .exclude(transport_id="")
        .exclude(transport_status__in=[ACKNOWLEDGED, REFUSED])
        .select_related("document")
        .order_by("sent_at", "pk")
    )
    for row in rows[:SENT_STATUS_BATCH]:
        try:
            statuses = transport.sent_statuses(row.transport_id)
        except DeliveryError as error:
            logger.warning("status of sent message %s not read: %s", row.transport_id, error)
            result.sent_unread.append(f"{row.transport_id}: {error}")
            continue
        mine = next((item for item in statuses if item.recipient == row.recipient_code), None)
        if mine is None or (mine.status, mine.description) == (
            row.transport_status,
            row.transport_status_description,
        ):
            continue
        with transaction.atomic():
            OutboxMessage.objects.filter(pk=row.pk).update(
                transport_status=mine.status[:20],
                transport_status_description=mine.description,
                transport_status_at=timezone.now(),
            )
            if mine.status == REFUSED:
                audit_record(
                    actor=None,
                    action="connectors.axis_refused",
                    target=row.document,
                    details={
                        "recipient": row.recipient_code,
                        "message": row.transport_id,
                        "description": mine.description,
                    },
                )
        result.sent_statuses[mine.status] = result.sent_statuses.get(mine.status, 0) + 1


def _take(name: str, transport: Transport, handle: ReceivedHandle, result: FetchResult) -> None:
    try:
        route = (
            ExchangeRoute.objects.select_related("organization")
            .filter(transport=name, enabled=True, organization__code=handle.sender)
            .first()
        )
        body = b""
        try:
            if route is None:
                raise Refused(
                    403,
                    "unknown_sender",
                    _("No enabled route of this transport exchanges with %(code)s.")
                    % {"code": handle.sender or "?"},
                )
            body = transport.get(handle)
            limit = settings.EDOC_EDXML_MAX_MB
            if len(body) > limit * 1024 * 1024:
                raise Refused(
                    413,
                    "too_large",
                    _("The message is larger than the %(limit)s MB limit.") % {"limit": limit},
                )
            accepted = message_receive(route, body)
        except Refused as refusal:
            refusal_audit(
                refusal, transport=name, message=handle.id, sender=handle.sender, size=len(body)
            )
            if route is not None:
                refusal_answer(route, body, refusal)
            transport.update_status(handle, REFUSED)
            result.add("refused")
            return
        transport.acknowledge(handle)  # what the message caused is committed by now
        result.add(accepted.result)
    except DeliveryError as error:
        logger.warning("message %s of %s left for the next fetch: %s", handle.id, name, error)
        result.left.append(f"{handle.id}: {error}")


def refusal_answer(route: ExchangeRoute, body: bytes, refusal: Refused) -> None:
    """A document from the route's organisation that we refused gets status 02 with the
    reason back over the axis (over HTTPS the sender reads the refusal in our answer; on the
    axis its sending succeeded long ago). Once per document: a refusal listed again is not
    answered twice. A message we cannot read, or a status, gets no edXML answer."""
    try:
        message = parse_message(body)
    except EdxmlError:
        return
    business = message.business.doc_type if message.business else 0
    if (
        message.kind != "document"
        or business != 0
        or message.document_id is None
        or message.sender.organ_id != route.organization.code
    ):
        return
    agency = Agency.objects.filter(code__in=[organ.organ_id for organ in message.to]).first()
    if agency is None:
        return
    with transaction.atomic():
        answered = OutboxMessage.objects.filter(
            document_key=message.document_id.value,
            sender_code=agency.code,
            business_type="02",
            recipient_code=route.organization.code,
        ).exists()
        if not answered:
            status_queue(
                agency=agency,
                route=route,
                header=message.as_json(),
                code="02",
                description=refusal.message,
            )


def fetch_due() -> FetchResult | None:
    """Beat's run: fetch unless a failed run's backoff is still running (None then). A run
    that fails, or leaves messages, waits `EDOC_EXCHANGE_RETRY_SECONDS`, doubled each time."""
    now = timezone.now().timestamp()
    if (cache.get(NEXT_KEY) or 0) > now:
        return None
    try:
        result = fetch_received()
    except DeliveryError as error:
        logger.warning("fetching received messages failed: %s", error)
        result = FetchResult(left=[str(error)])
    if result.left:
        failures = (cache.get(FAILURES_KEY) or 0) + 1
        delay = backoff_seconds(failures, settings.EDOC_EXCHANGE_RETRY_SECONDS)
        cache.set(FAILURES_KEY, failures, timeout=None)
        cache.set(NEXT_KEY, now + delay, timeout=None)
    else:
        cache.delete_many([FAILURES_KEY, NEXT_KEY])
    return result
