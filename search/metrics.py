"""What search tells the operations endpoints (observability.registry): whether its engine
answers (/readyz) and how many index updates wait (/metrics)."""

from __future__ import annotations

from search.backends import BackendUnavailable, get_backend
from search.models import IndexQueueEntry


def check_search_engine() -> None:
    """The configured engine (the database, or OpenSearch) answers a ping."""
    backend = get_backend()
    if not backend.ping():
        raise BackendUnavailable(f"the {backend.name} search engine does not answer")


def index_queue_length() -> int:
    """Index updates still waiting for the external engine."""
    return IndexQueueEntry.objects.count()


def register() -> None:
    from observability.registry import register_gauge, register_readiness_check

    register_readiness_check("search", check_search_engine)
    register_gauge(
        "search_index_queue_length",
        "Index updates waiting for the search engine (search.IndexQueueEntry).",
        index_queue_length,
    )
