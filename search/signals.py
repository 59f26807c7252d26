"""Keep the index current: reindex a document after any change to it, its files, their text or
its access (assignments, grants, status) — once per transaction, after commit, however many of
the registry's saves and signals announce it; during a bulk import (`edoc.batch`), once per
batch for all its documents.

One registration is one index write: the version's text is stored in the registration's own
transaction (edoc.services.text), so the write after the commit already holds it. A later
change of the text (read late from storage, OCR of scanned pages) is a change of its own,
announced by edoc's `file_text_changed`.
"""

from __future__ import annotations

import functools
import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from edoc.batch import batching

_pending = threading.local()


def _ids(name: str) -> set[int]:
    ids = getattr(_pending, name, None)
    if ids is None:
        ids = set()
        setattr(_pending, name, ids)
    return ids


def schedule_index(document_id: int | None) -> None:
    """Reindex the document after the current transaction commits (deduplicated: once however
    often the transaction announces it). The id goes with the transaction's own commit
    callback: a transaction that rolls back takes it along, and it is not indexed with the
    next one that commits (it used to be: every id scheduled on the thread was flushed)."""
    if not document_id:
        return
    _ids("ids").add(document_id)
    transaction.on_commit(functools.partial(_flush_one, document_id))


def _flush_one(document_id: int) -> None:
    waiting = _ids("ids")
    if document_id not in waiting:
        return  # already indexed by an earlier callback of this commit
    waiting.discard(document_id)
    if batching():  # a bulk import: indexed when its batch ends (_flush_batch)
        _ids("batch").add(document_id)
        return
    from search.tasks import index_document_task

    index_document_task.delay(document_id)


def _flush_batch(sender, **kwargs) -> None:
    """edoc's `document_batch_done`: index every document the batch changed, in one write."""
    ids = _ids("batch")
    if not ids:
        return
    _pending.batch = set()
    from search.services import index_documents

    index_documents(ids)


def _document_saved(sender, instance, **kwargs) -> None:
    schedule_index(instance.pk)


def _related_saved(sender, instance, **kwargs) -> None:
    schedule_index(instance.document_id)


def _document_action(sender, document, **kwargs) -> None:
    schedule_index(document.pk)


def _file_text_changed(sender, document_file, **kwargs) -> None:
    schedule_index(document_file.document_id)


def _data_restored(sender, **kwargs) -> str:
    """edoc's `data_restored`: a backup was loaded; rebuild the configured index from it."""
    from search.backends import BackendUnavailable
    from search.services import reindex

    try:
        total = reindex()
    except BackendUnavailable as exc:
        return f"Search index NOT rebuilt ({exc}); run: manage.py search_reindex"
    return f"Search index rebuilt: {total} documents."


def connect() -> None:
    """Connected from SearchConfig.ready()."""
    from edoc.models import Assignment, Document, DocumentFile, DocumentGrant
    from edoc.signals import (
        data_restored,
        document_action,
        document_batch_done,
        document_created,
        file_text_changed,
    )

    post_save.connect(_document_saved, sender=Document, dispatch_uid="search-document")
    post_delete.connect(_document_saved, sender=Document, dispatch_uid="search-document-del")
    for model in (DocumentFile, Assignment, DocumentGrant):
        post_save.connect(_related_saved, sender=model, dispatch_uid=f"search-{model.__name__}")
    for model in (Assignment, DocumentGrant):
        post_delete.connect(
            _related_saved, sender=model, dispatch_uid=f"search-{model.__name__}-del"
        )
    document_action.connect(_document_action, dispatch_uid="search-action")
    document_created.connect(_document_action, dispatch_uid="search-created")
    file_text_changed.connect(_file_text_changed, dispatch_uid="search-file-text")
    document_batch_done.connect(_flush_batch, dispatch_uid="search-batch")
    data_restored.connect(_data_restored, dispatch_uid="search-restored")
