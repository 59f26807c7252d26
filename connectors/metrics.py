"""The outboxes' lengths for /metrics (observability.registry)."""

from __future__ import annotations

from connectors.exchange.outbox import OUTBOX as EXCHANGE_OUTBOX
from connectors.portal.outbox import OUTBOX as SYNC_OUTBOX


def outbox_lengths() -> dict[tuple[str], int]:
    """Messages still to deliver, per outbox: the document exchange's and the portal/Egov
    sync's."""
    return {
        (name,): outbox.model.objects.filter(outbox.pending).count()
        for name, outbox in (("exchange", EXCHANGE_OUTBOX), ("portal_sync", SYNC_OUTBOX))
    }


def register() -> None:
    from observability.registry import register_gauge

    register_gauge(
        "outbox_pending",
        "Outgoing messages not delivered yet, per outbox.",
        outbox_lengths,
        labels=("outbox",),
    )
