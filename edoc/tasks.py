"""Celery entry points: load by id, call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task
def file_text_extract_task(document_file_id: int) -> str:
    """Read the text layer of one stored file version (queues its OCR when pages lack one)."""
    from edoc.services.text import file_text_extract

    return file_text_extract(document_file_id)


@shared_task
def file_ocr_task(document_file_id: int) -> str:
    """OCR the pages without a text layer of one file version."""
    from edoc.services.text import file_text_ocr

    return file_text_ocr(document_file_id)


@shared_task(ignore_result=True)
def audit_anchor_task() -> int | None:
    """Celery beat: anchor the audit chain's head (edoc.services.audit_anchors). A missing or
    failing notary is logged, not retried: the next run anchors everything up to then."""
    import logging

    from edoc.services.audit_anchors import AnchorUnavailable, audit_anchor_create

    try:
        anchor = audit_anchor_create()
    except AnchorUnavailable as error:
        logging.getLogger(__name__).warning("audit chain not anchored: %s", error)
        return None
    return anchor.pk if anchor else None
