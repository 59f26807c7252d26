"""Celery entry points: load by id, call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, max_retries=3, default_retry_delay=30)
def document_file_extract_text_task(self, document_file_id: int) -> int:
    """Store the full text layer of a file version (used by search and the document page)."""
    from edoc.services.text import document_file_extract_text

    return document_file_extract_text(document_file_id)
