"""Reads of the connectors (the callers have checked access to the document)."""

from __future__ import annotations

from connectors.models import OutboxMessage
from edoc.models import Document


def document_deliveries(document: Document) -> list[OutboxMessage]:
    """The document's electronic deliveries, one per external recipient, with their statuses."""
    return list(
        OutboxMessage.objects.filter(document=document, kind=OutboxMessage.Kind.DOCUMENT)
        .select_related("route__organization")
        .prefetch_related("statuses")
        .order_by("pk")
    )
