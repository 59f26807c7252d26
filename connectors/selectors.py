"""Reads of the connectors (the callers have checked access to the document)."""

from __future__ import annotations

from connectors.models import Arrival, OutboxMessage
from edoc.models import Document


def document_deliveries(document: Document) -> list[OutboxMessage]:
    """The document's electronic deliveries, one per external recipient (as a new document,
    or as the replacement of another), with their statuses, `recall` and `update` (the recall
    or update message sent to that recipient, or None) and `replacement` (the message of the
    document that replaces this one there, or None)."""
    rows = list(
        OutboxMessage.objects.filter(document=document, kind=OutboxMessage.Kind.DOCUMENT)
        .select_related("route__organization", "replaced_document")
        .prefetch_related("statuses")
        .order_by("pk")
    )
    by_type: dict[str, dict[str, OutboxMessage]] = {}
    for row in rows:
        by_type.setdefault(row.business_type, {})[row.recipient_code] = row
    news = by_type.get("0", {})
    deliveries = [
        row
        for row in rows
        if row.business_type == "0" or (row.business_type == "3" and row.recipient_code not in news)
    ]
    replacements = {
        row.recipient_code: row
        for row in OutboxMessage.objects.filter(
            replaced_document=document, business_type="3"
        ).select_related("document")
    }
    for row in deliveries:
        row.recall = by_type.get("1", {}).get(row.recipient_code)
        row.update = by_type.get("2", {}).get(row.recipient_code)
        row.replacement = replacements.get(row.recipient_code)
    return deliveries


def replacement_candidates(document: Document) -> list[Document]:
    """The agency's other issued outgoing documents, newest first: what may replace
    `document` (the service checks the choice again)."""
    return list(
        Document.objects.filter(
            agency_id=document.agency_id,
            direction=Document.Direction.OUTGOING,
            status=Document.Status.ISSUED,
        )
        .exclude(pk=document.pk)
        .order_by("-issued_at", "-pk")[:100]
    )


def document_arrival(document: Document) -> tuple[Arrival | None, list[OutboxMessage]]:
    """For a document registered from an electronic arrival: the arrival and the statuses we
    sent back about it (01, 03, 04 …), each with its delivery state."""
    arrival = (
        Arrival.objects.filter(document=document).select_related("route__organization").first()
    )
    if arrival is None:
        return None, []
    arrival.updates = list(
        arrival.changes.filter(business_type="2", state=Arrival.State.AGREED).order_by("pk")
    )
    statuses = OutboxMessage.objects.filter(
        kind=OutboxMessage.Kind.STATUS,
        document_key=arrival.document_key,
        sender_code=arrival.agency.code,
        recipient_code=arrival.route.organization.code,
    ).order_by("created_at", "pk")
    return arrival, list(statuses)
