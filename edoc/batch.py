"""Bulk operations in batches (`import_documents`): per-document work that upper apps do after
each commit (search indexing, one write per document) is held back and done once per batch.

The registry only says that it is batching (`batching()`) and when a batch ends
(`edoc.signals.document_batch_done`); what an upper app holds back, and how it catches up, is
its own business (search/signals.py). Thread-local: a background job on another thread is not
part of the batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from edoc.signals import document_batch_done

_state = threading.local()


def batching() -> bool:
    """Whether this thread runs a bulk operation that ends its batches explicitly."""
    return getattr(_state, "depth", 0) > 0


def batch_end() -> None:
    """End the current batch: upper apps do the work they held back since the last one."""
    document_batch_done.send(sender=None)


@contextmanager
def document_batches() -> Iterator[Callable[[], None]]:
    """Run a bulk operation in batches: call the yielded function after each batch; leaving
    the block (also by an exception or Ctrl-C) ends the last one."""
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield batch_end
    finally:
        _state.depth -= 1
        batch_end()
