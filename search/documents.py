"""From a registry document to the record every search backend indexes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, TextChoices
from django.utils import timezone

from edoc.models import Assignment, Document, DocumentFile, DocumentGrant, FileText
from edoc.models.documents import Direction, Status
from edoc.selectors.access import document_access_facts

from .backends.base import IndexRecord
from .text import symbol_key

INDEX_RELATED = (
    "document_type",
    "urgency",
    "confidentiality",
    "owner_unit",
)


def document_body(document: Document) -> str:
    """Text of every file version, newest first: the PDF text layer, then the OCR of scanned
    pages (edoc's FileText, the one home of a version's text)."""
    parts = []
    # document.files.all(): the versions index_records prefetched with their texts.
    for document_file in sorted(document.files.all(), key=lambda f: -f.version):
        try:
            parts.append(document_file.file_text.text)
        except FileText.DoesNotExist:
            continue
    return "\n".join(part for part in parts if part)


def document_date(document: Document):
    """The date a document is searched and sorted by: its issue date, else its arrival."""
    if document.issue_date:
        return document.issue_date
    moment = document.received_at or document.created_at
    return timezone.localdate(moment) if moment else None


def index_record(document: Document) -> IndexRecord:
    """Everything the index needs about one document, access facts included."""
    facts = document_access_facts(document)
    date = document_date(document)
    body = document_body(document)
    urgency = document.urgency
    record = IndexRecord(
        id=document.pk,
        agency_id=document.agency_id,
        direction=document.direction,
        status=document.status,
        symbol=document.symbol,
        symbol_key=symbol_key(document.number, document.notation),
        number=document.number,
        notation=document.notation,
        subject=document.subject,
        issuer=document.issuer,
        body=body,
        type_code=str(document.document_type_id or ""),
        type_label=document.document_type.name if document.document_type_id else "",
        year=date.year if date else None,
        date=date,
        unit_id=document.owner_unit_id,
        unit_name=document.owner_unit.name,
        urgency=urgency.code,
        urgency_label=urgency.name,
        # The choices' labels directly: get_FOO_display hashes every choice's lazy label (a
        # translation lookup each) per call, a sixth of a rebuild's Python time.
        status_label=_label(Status, document.status),
        direction_label=_label(Direction, document.direction),
        confidentiality_level=facts["confidentiality_level"],
        owner_unit_id=facts["owner_unit_id"],
        participant_user_ids=facts["participant_user_ids"],
        participant_unit_ids=facts["participant_unit_ids"],
        granted_user_ids=facts["granted_user_ids"],
    )
    return record


def _label(choices: type[TextChoices], value: str) -> str:
    """The label of `value` in the active language (the value itself if it is not a choice)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def index_records(ids: Iterable[int] | None = None, *, chunk: int = 200) -> Iterator[IndexRecord]:
    """Records of these documents (all when ids is None), loaded in chunks."""
    documents = (
        Document.objects.select_related(*INDEX_RELATED)
        .prefetch_related(
            Prefetch("files", queryset=DocumentFile.objects.select_related("file_text")),
            # The access facts (edoc.selectors.access.document_access_facts): once a chunk.
            Prefetch(
                "assignments", queryset=Assignment.objects.only("document_id", "user_id", "unit_id")
            ),
            Prefetch("grants", queryset=DocumentGrant.objects.only("document_id", "user_id")),
        )
        .order_by("pk")
    )
    if ids is not None:
        documents = documents.filter(pk__in=list(ids))
    for document in documents.iterator(chunk_size=chunk):
        yield index_record(document)
