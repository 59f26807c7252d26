"""Celery entry points: load by id, call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, max_retries=3, default_retry_delay=30)
def document_file_extract_text_task(self, document_file_id: int) -> int:
    """Store the full text layer of a file version (used by search and the document page)."""
    from edoc.services.text import document_file_extract_text

    return document_file_extract_text(document_file_id)


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
