"""Backend registry: `get_backend()` returns the one SEARCH_BACKEND selects."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import (
    BackendUnavailable,
    FacetBucket,
    Hit,
    IndexRecord,
    SearchBackend,
    SearchQuery,
    SearchResult,
)

BACKENDS = {
    "database": "search.backends.database.DatabaseBackend",
    "opensearch": "search.backends.opensearch.OpenSearchBackend",
}


def get_backend(name: str | None = None) -> SearchBackend:
    """The backend called `name`, or the configured one (settings.SEARCH_BACKEND)."""
    name = name or settings.SEARCH_BACKEND
    try:
        path = BACKENDS[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"Unknown search backend {name!r}; choose one of: {', '.join(BACKENDS)}"
        )
    return import_string(path)()


def database_backend() -> SearchBackend:
    """The database backend, always available (the fallback)."""
    return get_backend("database")


__all__ = [
    "BACKENDS",
    "BackendUnavailable",
    "FacetBucket",
    "Hit",
    "IndexRecord",
    "SearchBackend",
    "SearchQuery",
    "SearchResult",
    "database_backend",
    "get_backend",
]
