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

from connectors import retry
from connectors.models import Licence, SyncMessage
from connectors.portal import client
from onestop.models import Dossier

logger = logging.getLogger(__name__)


def backoff_seconds(attempts: int) -> int:
    """Seconds before the next attempt after `attempts` failures (connectors.retry)."""
    return retry.backoff_seconds(attempts, settings.EDOC_CONNECTOR_RETRY_SECONDS)


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


def _earlier_undelivered(message: SyncMessage) -> bool:
    same = Q(dossier_id=message.dossier_id) if message.dossier_id else Q()
    if message.licence_id:
        same &= Q(licence_id=message.licence_id)
    if not message.dossier_id and not message.licence_id:
        return False
    return SyncMessage.objects.filter(
        same, target=message.target, delivered_at__isnull=True, pk__lt=message.pk
    ).exists()


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


def _send(message: SyncMessage) -> None:
    if message.target == SyncMessage.Target.PORTAL:
        for request in message.payload["requests"]:
            client.portal_call(request)
    else:
        client.egov_send(message.payload)


class Outcome:
    DELIVERED = "delivered"
    FAILED = "failed"
    WAITING = "waiting"  # an earlier message of the same dossier or licence is undelivered
    NOTHING = "nothing"  # delivered already, or another worker holds it


def deliver(message_id: int) -> str:
    """Try to deliver one message now; record the outcome on the row. Never raises for the
    other side's failure."""
    with transaction.atomic():
        message = (
            SyncMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, delivered_at__isnull=True)
            .first()
        )
        if message is None:
            return Outcome.NOTHING
        if _earlier_undelivered(message):
            return Outcome.WAITING
        now = timezone.now()
        message.last_attempt_at = now
        message.attempts += 1
        try:
            _send(message)
        except client.ConnectorError as error:
            message.last_error = str(error)[:2000]
            message.next_attempt_at = now + datetime.timedelta(
                seconds=backoff_seconds(message.attempts)
            )
            message.save(
                update_fields=["attempts", "last_attempt_at", "last_error", "next_attempt_at"]
            )
            logger.warning(
                "outbox %s %s: attempt %s failed: %s",
                message.target,
                message.key,
                message.attempts,
                message.last_error,
            )
            return Outcome.FAILED
        message.delivered_at = timezone.now()
        message.last_error = ""
        message.next_attempt_at = None
        message.save(
            update_fields=[
                "attempts",
                "last_attempt_at",
                "last_error",
                "next_attempt_at",
                "delivered_at",
            ]
        )
        logger.info("outbox %s %s delivered", message.target, message.key)
        return Outcome.DELIVERED


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
    pending = SyncMessage.objects.filter(delivered_at__isnull=True)
    if dossier is not None:
        pending = pending.filter(Q(dossier=dossier) | Q(licence__dossier=dossier))
    if not ignore_backoff:
        pending = pending.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    result = SweepResult()
    failures_in_a_row: dict[str, int] = {}
    for message_id, target in pending.order_by("pk").values_list("pk", "target"):
        if failures_in_a_row.get(target, 0) >= GIVE_UP_AFTER:
            result.postponed += 1
            continue
        outcome = deliver(message_id)
        if outcome == Outcome.DELIVERED:
            result.delivered += 1
            failures_in_a_row[target] = 0
        elif outcome == Outcome.FAILED:
            result.failed += 1
            failures_in_a_row[target] = failures_in_a_row.get(target, 0) + 1
        elif outcome == Outcome.WAITING:
            result.waiting += 1
    return result
