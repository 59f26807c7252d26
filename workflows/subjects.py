"""What a process runs on (its subject) and the fields branch conditions may read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from edoc.models import Document

# Field names a condition may use, with a short description (shown in the designer).
SUBJECT_FIELDS: dict[str, Any] = {
    "type": _("document type abbreviation, e.g. QĐ, KH (empty for a Công văn)"),
    "type_name": _("document type name, e.g. Quyết định, Công văn"),
    "urgency": _("urgency code: normal, urgent, very-urgent, flash"),
    "urgency_level": _("urgency level 0–3"),
    "confidentiality": _("confidentiality code: normal, confidential, secret, top-secret"),
    "confidential": _("True for Mật and above"),
    "direction": _("incoming or outgoing"),
    "unit": _("abbreviation of the owning unit, e.g. NVY"),
    "field": _("field (lĩnh vực) code"),
    "amount": _("an amount of money where the subject has one (fees), else None"),
    "registry": _("agency when registered in the agency's books, else the unit's abbreviation"),
    "lead_is_person": _("True when the lead handler was assigned as a person, not a unit"),
    "procedure": _("administrative procedure code of a one-stop dossier, e.g. 1.004616"),
    "channel": _("how a dossier came in: online or counter (empty for documents)"),
}


@dataclass(frozen=True)
class SubjectAdapter:
    """How the engine treats another kind of subject than a document (e.g. a one-stop dossier).

    `fields(subject)` gives the SUBJECT_FIELDS values; `on_finished(run, subject)` runs when a
    process on it reaches its end; `url(subject)` is the staff page shown on task pages.
    """

    label: str  # "app_label.modelname"
    fields: Callable[[Any], dict[str, Any]]
    on_finished: Callable[[Any, Any], None] | None = None
    url: Callable[[Any], str] | None = None


SUBJECT_ADAPTERS: dict[str, SubjectAdapter] = {}


def register_subject(adapter: SubjectAdapter) -> None:
    SUBJECT_ADAPTERS[adapter.label] = adapter


def subject_ref(subject: Any) -> dict[str, Any] | None:
    """What a run stores to find a non-document subject again."""
    if subject is None or isinstance(subject, Document):
        return None
    return {"model": subject._meta.label_lower, "pk": subject.pk}


def subject_load(ref: dict[str, Any] | None) -> Any:
    """The subject a stored reference points at (None when it is gone)."""
    if not ref or ref.get("model") not in SUBJECT_ADAPTERS:
        return None
    model = apps.get_model(ref["model"])
    return model._default_manager.filter(pk=ref["pk"]).first()


def adapter_for(subject: Any) -> SubjectAdapter | None:
    if subject is None or isinstance(subject, Document):
        return None
    return SUBJECT_ADAPTERS.get(subject._meta.label_lower)


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
    """The values of SUBJECT_FIELDS for a subject (a Document, a registered subject such as a
    dossier, or None for a bare test run)."""
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
            "procedure": "",
            "channel": "",
        }
    adapter = adapter_for(subject)
    if adapter is not None:
        return {**dict.fromkeys(SUBJECT_FIELDS), **adapter.fields(subject)}
    return dict.fromkeys(SUBJECT_FIELDS)


def subject_link(run: Any) -> tuple[str, str] | None:
    """(label, staff URL) of a run's non-document subject, for task and process pages."""
    if run is None or run.document_id is not None:
        return None
    subject = subject_load(run.process.data.get("subject"))
    adapter = adapter_for(subject)
    if adapter is None:
        return None
    return str(subject), adapter.url(subject) if adapter.url else ""
