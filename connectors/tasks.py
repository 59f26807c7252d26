"""Celery tasks of the document exchange (embedded mode: `edoc.background.run_later`)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from connectors.exchange.fetch import fetch_due
from connectors.exchange.outbox import deliver, deliver_due
from connectors.models import OutboxMessage


@shared_task(name="connectors.deliver_message", ignore_result=True)
def deliver_message_task(message_id: int) -> str | None:
    """Try one outbox message; with workers, a failed attempt queues the next one at its
    backoff time (beat's sweep would pick it up anyway)."""
    state = deliver(message_id)
    if state == OutboxMessage.State.PENDING and not settings.CELERY_TASK_ALWAYS_EAGER:
        row = OutboxMessage.objects.get(pk=message_id)
        deliver_message_task.apply_async((message_id,), eta=row.next_attempt_at)
    return state


@shared_task(name="connectors.deliver_due", ignore_result=True)
def deliver_due_task() -> dict[str, int]:
    """Beat's sweep: every pending message whose next attempt is due."""
    return deliver_due()


@shared_task(name="connectors.fetch_received", ignore_result=True)
def fetch_received_task() -> dict[str, int] | None:
    """Beat's fetch from the national axis (after a failure, at the shared backoff)."""
    result = fetch_due()
    return None if result is None else result.counts
