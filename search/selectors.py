"""Search reads: result rows for the page, API and CLI; extraction states for the document page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from edoc.models import Document, DocumentFile, FileText, User
from edoc.selectors.access import visible_documents

from .backends import SearchResult
from .documents import document_date


def result_documents(result: SearchResult, user: User) -> list[tuple[Document, object]]:
    """(document, hit) in rank order. Documents are loaded through visible_documents again, so
    a stale external index can never show a document the user may no longer see."""
    ids = [hit.document_id for hit in result.hits]
    documents = visible_documents(user).select_related("document_type").in_bulk(ids)
    return [
        (documents[hit.document_id], hit) for hit in result.hits if hit.document_id in documents
    ]


def result_rows(result: SearchResult, user: User) -> list[dict]:
    """JSON-ready rows: id, symbol, subject, issuer, date, type, status, score, highlights."""
    rows = []
    for document, hit in result_documents(result, user):
        date = document_date(document)
        rows.append(
            {
                "id": document.pk,
                "symbol": document.symbol,
                "subject": document.subject,
                "issuer": document.issuer,
                "date": date.isoformat() if date else None,
                "type": document.document_type.name if document.document_type_id else "",
                "status": document.status,
                "direction": document.direction,
                "score": hit.score,
                "highlights": hit.highlights,
            }
        )
    return rows


STATE_LABELS = {
    FileText.State.PENDING: _("Waiting for text extraction"),
    FileText.State.RUNNING: _("Extracting text"),
    FileText.State.OCR: _("Text layer extracted, OCR of scanned pages pending"),
    FileText.State.DONE: _("Text extracted"),
    FileText.State.FAILED: _("Text extraction failed"),
}


def file_text_states(document: Document) -> list[dict]:
    """Extraction/OCR state of each file version of a document the caller may already see."""
    texts = {t.file_id: t for t in FileText.objects.filter(file__document=document)}
    states = []
    for document_file in DocumentFile.objects.filter(document=document).order_by("-version"):
        text = texts.get(document_file.pk)
        states.append(
            {
                "file": document_file,
                "text": text,
                "state": text.state if text else FileText.State.PENDING,
                "label": STATE_LABELS[text.state if text else FileText.State.PENDING],
                "chars": len(text.pdf_text) + len(text.ocr_text) if text else 0,
            }
        )
    return states
