"""Reads of the connectors (the callers have checked access to the document)."""

from __future__ import annotations

from connectors.models import Arrival, OutboxMessage
from edoc.models import Document


def document_deliveries(document: Document) -> list[OutboxMessage]:
    """The document's electronic deliveries, one per external recipient, with their statuses
    and `recall` (the recall message sent to that recipient, or None)."""
    rows = list(
        OutboxMessage.objects.filter(document=document, kind=OutboxMessage.Kind.DOCUMENT)
        .select_related("route__organization")
        .prefetch_related("statuses")
        .order_by("pk")
    )
    recalls = {row.recipient_code: row for row in rows if row.business_type == "1"}
    deliveries = [row for row in rows if row.business_type == "0"]
    for row in deliveries:
        row.recall = recalls.get(row.recipient_code)
    return deliveries


def document_arrival(document: Document) -> tuple[Arrival | None, list[OutboxMessage]]:
    """For a document registered from an electronic arrival: the arrival and the statuses we
    sent back about it (01, 03, 04 …), each with its delivery state."""
    arrival = (
        Arrival.objects.filter(document=document).select_related("route__organization").first()
    )
    if arrival is None:
        return None, []
    statuses = OutboxMessage.objects.filter(
        kind=OutboxMessage.Kind.STATUS,
        document_key=arrival.document_key,
        sender_code=arrival.agency.code,
        recipient_code=arrival.route.organization.code,
    ).order_by("created_at", "pk")
    return arrival, list(statuses)
