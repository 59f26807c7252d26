"""Search writes and the search entry point: keep indexes current, replay the external queue,
search with a fallback to the database when the external engine is down."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from edoc.models import Document

from .backends import BackendUnavailable, SearchQuery, SearchResult, database_backend, get_backend
from .documents import index_records
from .models import IndexQueueEntry

logger = logging.getLogger(__name__)

FLUSH_BATCH = 500


def external_backend_configured() -> bool:
    """Whether the primary backend is an external engine (fed through the queue)."""
    return settings.SEARCH_BACKEND != "database"


def index_document(document_id: int) -> None:
    """Bring one document up to date in every index (or remove it when it no longer exists).

    The database index is written at once; an external engine gets a queue entry that
    `flush_index_queue` delivers now or, when the engine is down, later.
    """
    index_documents([document_id])


def index_documents(document_ids: Iterable[int]) -> None:
    """`index_document` for many documents at once: one database write and one queue delivery
    for all of them (the batches of a bulk import)."""
    ids = sorted(set(document_ids))
    if not ids:
        return
    existing = set(Document.objects.filter(pk__in=ids).values_list("pk", flat=True))
    gone = [pk for pk in ids if pk not in existing]
    database = database_backend()
    with transaction.atomic():
        if existing:
            database.index(index_records(sorted(existing)))
        if gone:
            database.delete(gone)
        if external_backend_configured():
            IndexQueueEntry.objects.bulk_create(
                IndexQueueEntry(
                    document_id=pk,
                    op=IndexQueueEntry.Op.INDEX if pk in existing else IndexQueueEntry.Op.DELETE,
                )
                for pk in ids
            )
    if external_backend_configured():
        while flush_index_queue() == FLUSH_BATCH:  # a batch larger than one delivery
            pass


def flush_index_queue(limit: int = FLUSH_BATCH) -> int:
    """Deliver queued updates to the external engine, oldest first; returns how many were
    delivered. Entries stay (with the error) when the engine is down: nothing is lost."""
    if not external_backend_configured():
        return 0
    entries = list(IndexQueueEntry.objects.order_by("created_at", "pk")[:limit])
    if not entries:
        return 0
    # The newest operation per document wins; the older entries are delivered with it.
    latest: dict[int, IndexQueueEntry] = {}
    for entry in entries:
        latest[entry.document_id] = entry
    to_index = [pk for pk, entry in latest.items() if entry.op == IndexQueueEntry.Op.INDEX]
    to_delete = [pk for pk, entry in latest.items() if entry.op == IndexQueueEntry.Op.DELETE]
    existing = set(Document.objects.filter(pk__in=to_index).values_list("pk", flat=True))
    to_delete += [pk for pk in to_index if pk not in existing]
    try:
        backend = get_backend()
        if existing:
            backend.index(index_records(sorted(existing)))
        if to_delete:
            backend.delete(to_delete)
    except BackendUnavailable as exc:
        IndexQueueEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
            last_error=str(exc)[:2000], attempts=F("attempts") + 1
        )
        logger.warning("Search engine unavailable; %s index updates kept", len(entries))
        return 0
    IndexQueueEntry.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
    backend.warm_up()  # it answers again, maybe after a restart: before the next search
    return len(entries)


def fallback_notice() -> str:
    return _(
        "The search engine is not available right now: these results come from the database "
        "search and may rank differently."
    )


def search_documents(user, query: SearchQuery) -> SearchResult:
    """Search with the configured backend, falling back to the database one (with a notice)
    when the external engine is down. Permissions are applied inside the backend's query."""
    if not external_backend_configured():
        return database_backend().search(query, user)
    try:
        result = get_backend().search(query, user)
    except BackendUnavailable:
        logger.warning("Search engine unavailable; falling back to the database backend")
        result = database_backend().search(query, user)
        result.notice = fallback_notice()
        return result
    if IndexQueueEntry.objects.exists():
        flush_index_queue()  # the engine answers again: replay what it missed
    return result


def reindex(name: str | None = None, *, show_progress: bool = False) -> int:
    """Rebuild the index of backend `name` (default: the configured one) from every document;
    returns the number of documents. Raises BackendUnavailable when the engine is down."""
    from django.utils import timezone
    from tqdm import tqdm

    from .backends import get_backend

    backend = get_backend(name)
    started = timezone.now()
    if backend.name != "database":
        flush_index_queue()
    total = Document.objects.count()
    with tqdm(total=total, unit="doc", disable=not show_progress, desc=backend.name) as bar:
        backend.reindex(index_records(), total, bar.update)
    if backend.name != "database":
        # A full rebuild covers every update queued before it started.
        IndexQueueEntry.objects.filter(created_at__lte=started).delete()
    return total
