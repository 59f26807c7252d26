"""What a process runs on (its subject) and the fields branch conditions may read."""

from __future__ import annotations

from typing import Any

from edoc.models import Document

# Field names a condition may use, with a short English description (shown in the designer).
SUBJECT_FIELDS: dict[str, str] = {
    "type": "document type abbreviation, e.g. QĐ, KH (empty for a Công văn)",
    "type_name": "document type name, e.g. Quyết định, Công văn",
    "urgency": "urgency code: normal, urgent, very-urgent, flash",
    "urgency_level": "urgency level 0–3",
    "confidentiality": "confidentiality code: normal, confidential, secret, top-secret",
    "confidential": "True for Mật and above",
    "direction": "incoming or outgoing",
    "unit": "abbreviation of the owning unit, e.g. NVY",
    "field": "field (lĩnh vực) code",
    "amount": "an amount of money where the subject has one (fees), else None",
    "registry": "agency when registered in the agency's books, else the unit's abbreviation",
    "lead_is_person": "True when the lead handler was assigned as a person, not a unit",
}


def _registry(document: Document) -> str:
    book = document.register_book
    if book is None or book.unit_id is None:
        return "agency"
    return book.unit.short_name or str(book.unit_id)


def _lead_is_person(document: Document) -> bool:
    from edoc.models import Assignment

    lead = (
        Assignment.objects.filter(document=document, role=Assignment.Role.LEAD, parent__isnull=True)
        .order_by("-created_at")
        .first()
    )
    return bool(lead and lead.user_id)


def subject_fields(subject: Any) -> dict[str, Any]:
    """The values of SUBJECT_FIELDS for a subject (a Document, or None for a bare test run)."""
    if isinstance(subject, Document):
        doc_type = subject.document_type
        return {
            "type": doc_type.abbreviation if doc_type else "",
            "type_name": doc_type.name if doc_type else "",
            "urgency": subject.urgency.code,
            "urgency_level": subject.urgency.level,
            "confidentiality": subject.confidentiality.code,
            "confidential": subject.confidentiality.level > 0,
            "direction": subject.direction,
            "unit": subject.owner_unit.short_name,
            "field": subject.field.code if subject.field_id else "",
            "amount": None,
            "registry": _registry(subject),
            "lead_is_person": _lead_is_person(subject),
        }
    return dict.fromkeys(SUBJECT_FIELDS)
