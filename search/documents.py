"""From a registry document to the record every search backend indexes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import TextChoices
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


def document_body(document: Document, texts: list[tuple[int, str]] | None = None) -> str:
    """Text of every file version, newest first: the PDF text layer, then the OCR of scanned
    pages (edoc's FileText, the one home of a version's text). `texts`: (version, text) pairs
    read beforehand (index_records), else the document's files are read."""
    if texts is None:
        texts = [(version_file.version, version_file.text) for version_file in document.files.all()]
    return "\n".join(text for _version, text in sorted(texts, key=lambda pair: -pair[0]) if text)


def document_date(document: Document):
    """The date a document is searched and sorted by: its issue date, else its arrival."""
    if document.issue_date:
        return document.issue_date
    moment = document.received_at or document.created_at
    return timezone.localdate(moment) if moment else None


def index_record(document: Document, related: dict[str, Any] | None = None) -> IndexRecord:
    """Everything the index needs about one document, access facts included. `related`: its
    assignments, grants and file texts as index_records reads them per batch (else read)."""
    related = related or {}
    facts = document_access_facts(
        document,
        assignments=related.get("assignments"),
        grant_user_ids=related.get("grant_user_ids"),
    )
    date = document_date(document)
    body = document_body(document, related.get("texts"))
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
    """Records of these documents (all when ids is None), loaded in chunks: the documents with
    their catalogs, then per chunk three plain queries (assignments, grants, file texts)."""
    documents = Document.objects.select_related(*INDEX_RELATED).order_by("pk")
    if ids is not None:
        documents = documents.filter(pk__in=list(ids))
    batch: list[Document] = []
    for document in documents.iterator(chunk_size=chunk):
        batch.append(document)
        if len(batch) >= chunk:
            yield from _batch_records(batch)
            batch = []
    if batch:
        yield from _batch_records(batch)


def _batch_records(documents: list[Document]) -> Iterator[IndexRecord]:
    """Records of a chunk of documents, their related rows read as plain values (model
    instances and prefetch querysets for them were half of a rebuild's Python time)."""
    pks = [document.pk for document in documents]
    related: dict[int, dict[str, list]] = {
        pk: {"assignments": [], "grant_user_ids": [], "texts": []} for pk in pks
    }
    rows = Assignment.objects.filter(document_id__in=pks).values_list(
        "document_id", "user_id", "unit_id"
    )
    for document_id, user_id, unit_id in rows:
        related[document_id]["assignments"].append((user_id, unit_id))
    for document_id, user_id in DocumentGrant.objects.filter(document_id__in=pks).values_list(
        "document_id", "user_id"
    ):
        related[document_id]["grant_user_ids"].append(user_id)
    rows = DocumentFile.objects.filter(document_id__in=pks).values_list(
        "document_id", "version", "file_text__pdf_text", "file_text__ocr_text"
    )
    for document_id, version, pdf_text, ocr_text in rows:
        related[document_id]["texts"].append((version, FileText.joined(pdf_text, ocr_text)))
    for document in documents:
        yield index_record(document, related[document.pk])
