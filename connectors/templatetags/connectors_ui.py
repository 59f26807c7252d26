"""Template tags of the connectors' panels."""

from __future__ import annotations

import datetime

from django import template
from django.utils.translation import pgettext

from connectors.edxml.model import STATUS_CODES
from connectors.selectors import (
    document_arrival,
    document_deliveries,
    replacement_candidates,
)
from edoc.selectors.access import is_agency_clerk

register = template.Library()


@register.simple_tag
def exchange_deliveries(document) -> list:
    """The document's electronic deliveries (one per external recipient), statuses in order;
    the document page has already checked that the user may see the document."""
    return document_deliveries(document)


@register.simple_tag
def exchange_arrival(document) -> dict:
    """`{"arrival", "statuses"}` of a document registered from an electronic arrival."""
    arrival, statuses = document_arrival(document)
    return {"arrival": arrival, "statuses": statuses}


@register.simple_tag(takes_context=True)
def can_send_again(context, document) -> bool:
    """Whether the page's user may send the document's given-up deliveries again."""
    user = context["request"].user
    return is_agency_clerk(user) and document.agency_id == user.unit.agency_id


@register.filter
def recallable(deliveries: list) -> bool:
    """Whether some recipient has not been sent a recall yet."""
    return any(delivery.recall is None for delivery in deliveries)


@register.filter
def changeable(deliveries: list) -> bool:
    """Whether some recipient of the document as a new document may still be sent an update or
    a replacement: neither recalled nor replaced there (updates may follow one another)."""
    return any(
        delivery.business_type == "0" and delivery.recall is None and delivery.replacement is None
        for delivery in deliveries
    )


@register.simple_tag
def exchange_replacement_candidates(document) -> list:
    """The documents the clerk may choose as this one's replacement."""
    return replacement_candidates(document)


@register.filter
def iso_date(value: str | None) -> datetime.date | None:
    """A message header's ISO date (`edxml parse --json`) as a date, for the `date` filter."""
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@register.filter
def status_label(code: str) -> str:
    labels = {
        "01": pgettext("exchange", "Arrived"),
        "02": pgettext("exchange", "Refused"),
        "03": pgettext("exchange", "Accepted"),
        "04": pgettext("exchange", "Assigned"),
        "05": pgettext("exchange", "In progress"),
        "06": pgettext("exchange", "Completed"),
        "13": pgettext("exchange", "Taken back"),
        "15": pgettext("exchange", "Change accepted"),
        "16": pgettext("exchange", "Change refused"),
    }
    return labels.get(code, STATUS_CODES.get(code, code))


@register.filter
def axis_status_label(status: str) -> str:
    """What the recipient's system told the national axis about a message we sent (the SDK's
    updateStatus values, read with getSentEdocList)."""
    labels = {
        "inbox": pgettext("axis", "Waiting on the axis"),
        "done": pgettext("axis", "Taken by the recipient's system"),
        "fail": pgettext("axis", "Refused by the axis"),
        "rejection": pgettext("axis", "Rejected on the axis"),
        "acceptance": pgettext("axis", "Accepted on the axis"),
        "assignment": pgettext("axis", "Assigned on the axis"),
        "processing": pgettext("axis", "In progress on the axis"),
        "cancellation": pgettext("axis", "Cancelled on the axis"),
    }
    return labels.get(status, status)
