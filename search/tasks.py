"""Celery entry points of search: load by id, call a service. (Text extraction and OCR are
edoc's tasks: edoc.tasks.)"""

from __future__ import annotations

from celery import shared_task


@shared_task
def index_document_task(document_id: int) -> None:
    from search.services import index_document

    index_document(document_id)


@shared_task
def flush_index_queue_task() -> int:
    """Celery beat, every minute: replay index updates kept while the external engine was down."""
    from search.services import flush_index_queue

    return flush_index_queue()
