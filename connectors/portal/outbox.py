"""The transactional outbox of the portal and Egov syncs.

`outbox_write` adds a row in the caller's transaction (the dossier's status change, the
licence's issue or revocation): rolled back with it, and once committed nothing can lose it.
After the commit a Celery task delivers it (`deliver_message_task`); a failure is recorded on
the row (attempts, last error) and retried with exponential backoff; `manage.py portal_sync`
(cron, the embedded mode) and the periodic task deliver whatever is due. Messages of one
dossier (or licence) go out in the order they were written: a later one waits while an
earlier one is undelivered. The other side receives a message at least once and keeps it
once (its key: MaHoSo + status + time for the portal, the event id for Egov).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from connectors.delivery import POSTPONED, Attempt, Lease, Outbox
from connectors.models import Licence, SyncMessage
from connectors.portal import client
from onestop.models import Dossier

logger = logging.getLogger(__name__)


def outbox_write(
    *,
    target: str,
    key: str,
    payload: Any,
    dossier: Dossier | None = None,
    licence: Licence | None = None,
    status_code: int | None = None,
) -> SyncMessage:
    """Add a message in the caller's transaction (the same key twice is one message) and have
    it delivered once the transaction commits."""
    SyncMessage.objects.bulk_create(
        [
            SyncMessage(
                target=target,
                key=key,
                payload=payload,
                dossier=dossier,
                licence=licence,
                status_code=status_code,
            )
        ],
        ignore_conflicts=True,
    )
    message = SyncMessage.objects.get(target=target, key=key)
    transaction.on_commit(lambda: _schedule(message.pk))
    return message


def _schedule(message_id: int) -> None:
    from connectors.portal.tasks import deliver_message_task

    try:
        deliver_message_task.delay(message_id)
    except Exception:  # a broker that is down: the sweep delivers it later
        logger.exception("could not queue the delivery of outbox message %s", message_id)


def next_waiting(message_id: int) -> int | None:
    """The next undelivered message of the same dossier (or licence) after this one, which
    waited for it."""
    message = SyncMessage.objects.filter(pk=message_id).first()
    if message is None or not (message.dossier_id or message.licence_id):
        return None
    following = SyncMessage.objects.filter(
        target=message.target,
        dossier_id=message.dossier_id,
        licence_id=message.licence_id,
        delivered_at__isnull=True,
        pk__gt=message.pk,
    )
    return following.order_by("pk").values_list("pk", flat=True).first()


class SyncOutbox(Outbox[SyncMessage]):
    """The portal and Egov sync's delivery (connectors.delivery): tried until delivered; a
    message of a dossier (or licence) waits while an earlier one of it is undelivered."""

    model = SyncMessage
    pending = Q(delivered_at__isnull=True)
    errors = (client.ConnectorError,)
    error_length = 2000

    def retry_base_seconds(self) -> float:
        return settings.EDOC_CONNECTOR_RETRY_SECONDS

    def lease_seconds(self, row: SyncMessage) -> int:
        # each request's connect and read timeouts, and room to record the answer
        calls = len(row.payload["requests"]) if row.target == SyncMessage.Target.PORTAL else 1
        return int(2 * calls * settings.EDOC_CONNECTOR_TIMEOUT) + 30

    def send(self, row: SyncMessage) -> None:
        if row.target == SyncMessage.Target.PORTAL:
            for request in row.payload["requests"]:
                client.portal_call(request)
        else:
            client.egov_send(row.payload)

    def waits(self, row: SyncMessage) -> bool:
        if not row.dossier_id and not row.licence_id:
            return False
        same = Q(dossier_id=row.dossier_id) if row.dossier_id else Q()
        if row.licence_id:
            same &= Q(licence_id=row.licence_id)
        return SyncMessage.objects.filter(
            same, target=row.target, delivered_at__isnull=True, pk__lt=row.pk
        ).exists()

    def claimed_fields(self, lease: Lease) -> dict[str, Any]:
        return {"last_attempt_at": lease.started}

    def delivered_fields(self, sent: None) -> dict[str, Any]:
        return {"delivered_at": timezone.now(), "next_attempt_at": None}


OUTBOX = SyncOutbox()


def backoff_seconds(attempts: int) -> int:
    """Seconds before the next attempt after `attempts` failures (connectors.retry)."""
    return int(OUTBOX.retry_delay(attempts).total_seconds())


class Outcome:
    DELIVERED = Attempt.DELIVERED.value
    FAILED = "failed"
    WAITING = Attempt.WAITING.value  # an earlier message of the same dossier or licence waits
    NOTHING = Attempt.NOTHING.value  # delivered already, or another worker holds it


def deliver(message_id: int) -> str:
    """Try to deliver one message now (connectors.delivery: a lease, no transaction open
    while it is on the wire); record the outcome on the row. Never raises for the other
    side's failure."""
    attempt = OUTBOX.deliver(message_id)
    if attempt == Attempt.RETRY:
        return Outcome.FAILED
    return Outcome.NOTHING if attempt == Attempt.SUPERSEDED else attempt.value


@dataclass
class SweepResult:
    delivered: int = 0
    failed: int = 0
    waiting: int = 0
    # Not tried: their system failed GIVE_UP_AFTER times in a row in this sweep (it is down;
    # a sweep does not spend a timeout on each of its messages). They stay due.
    postponed: int = 0


GIVE_UP_AFTER = 3


def deliver_due(
    *,
    now: datetime.datetime | None = None,
    ignore_backoff: bool = False,
    dossier: Dossier | None = None,
) -> SweepResult:
    """Deliver every undelivered message whose next attempt is due (all of them with
    `ignore_backoff`; only the dossier's with `dossier`), oldest first; a dossier's later
    messages wait for its failed one; a system that fails GIVE_UP_AFTER times in a row is not
    tried again in this sweep."""
    now = now or timezone.now()
    pending = OUTBOX.due(now, ignore_backoff=ignore_backoff)
    if dossier is not None:
        pending = pending.filter(Q(dossier=dossier) | Q(licence__dossier=dossier))
    attempts = OUTBOX.sweep(
        pending.order_by("pk").values_list("pk", "target"), now, postpone_after=GIVE_UP_AFTER
    )
    return SweepResult(
        delivered=attempts[Attempt.DELIVERED],
        failed=attempts[Attempt.RETRY],
        waiting=attempts[Attempt.WAITING],
        postponed=attempts[POSTPONED],
    )
