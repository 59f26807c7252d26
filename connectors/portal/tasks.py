"""Celery tasks of the portal and Egov syncs (registered by `ConnectorsConfig.ready`)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from connectors.portal import outbox

logger = logging.getLogger(__name__)

# Retries the task itself schedules; after them the periodic sweep keeps trying.
MAX_TASK_RETRIES = 8


@shared_task(bind=True, name="connectors.deliver_outbox_message", ignore_result=True)
def deliver_message_task(self: Any, message_id: int, retry: int = 0) -> str:
    """Deliver one outbox message, then the dossier's next one that waited for it; on failure
    try again after the row's backoff (in a worker; the embedded eager mode leaves it to
    `manage.py portal_sync`)."""
    outcome = outbox.deliver(message_id)
    if outcome == outbox.Outcome.DELIVERED:  # the dossier's next message waited for this one
        following = outbox.next_waiting(message_id)
        if following is not None:
            deliver_message_task.delay(following)
    if outcome == outbox.Outcome.FAILED and retry < MAX_TASK_RETRIES and not self.request.is_eager:
        from connectors.models import SyncMessage

        attempts = SyncMessage.objects.filter(pk=message_id).values_list("attempts", flat=True)
        deliver_message_task.apply_async(
            (message_id, retry + 1), countdown=outbox.backoff_seconds(attempts.first() or 1)
        )
    return outcome


@shared_task(name="connectors.portal_sync", ignore_result=True)
def portal_sync_task() -> dict[str, int]:
    """Deliver every due outbox message (scheduled every minute)."""
    result = outbox.deliver_due()
    return {
        "delivered": result.delivered,
        "failed": result.failed,
        "waiting": result.waiting,
        "postponed": result.postponed,
    }


@shared_task(name="connectors.portal_pull", ignore_result=True)
def portal_pull_task() -> dict[str, int]:
    """Pull the portal's new online dossiers (scheduled; nothing while EDOC_DVC_SYNC_URL is
    empty); a portal that cannot be reached is logged and tried again next time."""
    from connectors.portal import conf
    from connectors.portal.client import ConnectorError
    from connectors.portal.pull import portal_pull

    if not conf.portal_url():  # the portal sync is off
        return {}
    try:
        result = portal_pull()
    except ConnectorError as error:
        logger.warning("portal pull failed: %s", error)
        return {"error": 1}
    return {
        "created": len(result.created),
        "skipped": len(result.skipped),
        "refused": len(result.refused),
    }
