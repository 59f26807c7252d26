"""Keep the index current: reindex a document after any change to it, its files or its access."""

from __future__ import annotations


def connect() -> None:
    """Connected from SearchConfig.ready()."""
