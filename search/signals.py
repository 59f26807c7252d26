"""Keep the index current: reindex a document after any change to it, its files or its access
(assignments, grants, status), once per transaction, after commit; extract each new file version."""

from __future__ import annotations

import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save

_pending = threading.local()


def schedule_index(document_id: int | None) -> None:
    """Reindex the document after the current transaction commits (deduplicated)."""
    if not document_id:
        return
    ids = getattr(_pending, "ids", None)
    if ids is None:
        ids = _pending.ids = set()
    ids.add(document_id)
    transaction.on_commit(_flush_pending)


def _flush_pending() -> None:
    ids = getattr(_pending, "ids", None) or set()
    _pending.ids = set()
    if not ids:
        return
    from search.tasks import index_document_task

    for document_id in sorted(ids):
        index_document_task.delay(document_id)


def _document_saved(sender, instance, **kwargs) -> None:
    schedule_index(instance.pk)


def _related_saved(sender, instance, **kwargs) -> None:
    schedule_index(instance.document_id)


def _file_saved(sender, instance, created: bool, **kwargs) -> None:
    if created:
        from search.tasks import file_text_extract_task

        file_id = instance.pk
        transaction.on_commit(lambda: file_text_extract_task.delay(file_id))
    schedule_index(instance.document_id)


def _document_action(sender, document, **kwargs) -> None:
    schedule_index(document.pk)


def connect() -> None:
    """Connected from SearchConfig.ready()."""
    from edoc.models import Assignment, Document, DocumentFile, DocumentGrant
    from edoc.signals import document_action, document_created

    post_save.connect(_document_saved, sender=Document, dispatch_uid="search-document")
    post_delete.connect(_document_saved, sender=Document, dispatch_uid="search-document-del")
    post_save.connect(_file_saved, sender=DocumentFile, dispatch_uid="search-file")
    for model in (Assignment, DocumentGrant):
        post_save.connect(_related_saved, sender=model, dispatch_uid=f"search-{model.__name__}")
        post_delete.connect(
            _related_saved, sender=model, dispatch_uid=f"search-{model.__name__}-del"
        )
    document_action.connect(_document_action, dispatch_uid="search-action")
    document_created.connect(_document_action, dispatch_uid="search-created")
