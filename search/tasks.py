"""Celery entry points of search: load by id, call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task
def file_text_extract_task(document_file_id: int) -> str:
    """Extract the text layer of one file version, reindex its document, queue its OCR."""
    from search.extraction import file_text_extract

    return file_text_extract(document_file_id)


@shared_task
def file_ocr_task(document_file_id: int) -> str:
    """OCR the pages without a text layer of one file version, then reindex its document."""
    from search.extraction import file_text_ocr

    return file_text_ocr(document_file_id)


@shared_task
def index_document_task(document_id: int) -> None:
    from search.services import index_document

    index_document(document_id)


@shared_task
def flush_index_queue_task() -> int:
    """Celery beat, every minute: replay index updates kept while the external engine was down."""
    from search.services import flush_index_queue

    return flush_index_queue()
