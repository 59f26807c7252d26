"""Reads of the connectors (the callers have checked access to the document)."""

from __future__ import annotations

from connectors.models import Arrival, OutboxMessage
from edoc.models import Document


def document_deliveries(document: Document) -> list[OutboxMessage]:
    """The document's electronic deliveries, one per external recipient (as a new document,
    or as the replacement of another), with their statuses, `recall` (the recall message sent
    to that recipient, or None), `updates` (the updates sent there, oldest first),
    `replacement` (the message of the document that replaces this one there, or None) and
    `timeline`: the statuses the recipient sent back about the document and its updates."""
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
    updates: dict[str, list[OutboxMessage]] = {}
    for row in rows:
        if row.business_type == "2":
            updates.setdefault(row.recipient_code, []).append(row)
    for row in deliveries:
        row.recall = by_type.get("1", {}).get(row.recipient_code)
        row.updates = updates.get(row.recipient_code, [])
        row.replacement = replacements.get(row.recipient_code)
        row.timeline = sorted(
            [status for message in (row, *row.updates) for status in message.statuses.all()],
            key=lambda status: (status.timestamp, status.pk),
        )
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
    """For a document registered from an electronic arrival: the arrival (with `updates`, the
    sender's corrections the clerk agreed to) and the statuses we sent back about it and its
    updates (01, 03, 04 … 15, 16), each with its delivery state."""
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
        document_key__in=[
            arrival.document_key,
            *arrival.changes.values_list("document_key", flat=True),
        ],
        sender_code=arrival.agency.code,
        recipient_code=arrival.route.organization.code,
    ).order_by("created_at", "pk")
    return arrival, list(statuses)
