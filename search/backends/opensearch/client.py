"""Talking to the OpenSearch node: one pooled client per process, bulk writes, and the
client's errors as BackendUnavailable."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from opensearchpy import OpenSearch, helpers

from ..base import BackendUnavailable

logger = logging.getLogger(__name__)

BULK_CHUNK = 500
#: Bulk requests stay well under http.max_content_length (100 MB) even with OCR-long texts.
BULK_MAX_BYTES = 20 * 1024 * 1024
#: Connections kept per process (web server threads, Celery workers share one client).
POOL_SIZE = 16
#: A bulk request the node answers with 429 (a circuit breaker tripped by heap not yet
#: collected, a full write queue) is sent again after 2, 4, 8 … s (at most 60 s apart): a
#: rebuild of a million documents on a small heap meets it (docs/benchmarks.md, issue 16).
RETRY_FIRST_WAIT = 2
RETRY_LONGEST_WAIT = 60

_clients: dict[tuple[str, float], OpenSearch] = {}
_clients_lock = threading.Lock()


def client_for(url: str, timeout: float) -> OpenSearch:
    """One client (and connection pool) per URL and timeout for the whole process."""
    key = (url, timeout)
    with _clients_lock:
        if key not in _clients:
            _clients[key] = OpenSearch(
                hosts=[url],
                timeout=timeout,
                max_retries=0,
                retry_on_timeout=False,
                pool_maxsize=POOL_SIZE,
            )
        return _clients[key]


def unavailable(exc: Exception) -> BackendUnavailable:
    """A client error as the BackendUnavailable the search services expect."""
    return BackendUnavailable(f"OpenSearch: {type(exc).__name__}: {exc}"[:500])


def bulk(
    client: OpenSearch, actions: Iterable[dict[str, Any]], *, timeout: float, retries: int = 0
) -> int:
    """Send actions; returns how many were applied. Version conflicts (an older copy) are
    expected and skipped; refused writes the engine may accept later raise BackendUnavailable,
    permanently invalid documents are logged. `retries`: how many times a request or document
    refused with 429 (too busy) is sent again, waiting longer each time, before giving up."""
    applied = 0
    retry_later: list[Any] = []
    for ok, item in helpers.streaming_bulk(
        client,
        actions,
        chunk_size=BULK_CHUNK,
        max_chunk_bytes=BULK_MAX_BYTES,
        raise_on_error=False,
        raise_on_exception=True,
        max_retries=retries,
        initial_backoff=RETRY_FIRST_WAIT,
        max_backoff=RETRY_LONGEST_WAIT,
        request_timeout=timeout,
    ):
        if ok:
            applied += 1
            continue
        (operation, result), *_ = item.items()
        status = result.get("status", 0)
        if status == 409 or (operation == "delete" and status == 404):
            continue
        if status == 429 or status >= 500:
            retry_later.append(result)
        else:
            logger.error(
                "OpenSearch refused %s of document %s: %s",
                operation,
                result.get("_id"),
                result.get("error"),
            )
    if retry_later:
        raise BackendUnavailable(
            f"OpenSearch refused {len(retry_later)} writes: {retry_later[0]}"[:500]
        )
    return applied
