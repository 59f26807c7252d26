"""Slow jobs after the response in the embedded default (Celery eager: no worker process).

With a Celery worker (REDIS_URL set) `run_later(task, *args)` is `task.delay(*args)`. In eager
mode `delay` would run the task inside the request that queued it (OCR of 300 scanned pages: a
minute and a half before the clerk sees the page), so the job goes to this process's background
thread instead: one thread, jobs one after another (two OCR jobs never fight for the CPU),
started when a job arrives and ended when none is left. It is not a daemon thread: a management
command (import_documents, search_reindex --extract) waits for its jobs before exiting.

Each job closes the database connections it opened; a job that raises is logged (the job itself
records its failure where users see it, e.g. the file's text extraction state). A process that
is killed loses its queued jobs; `search_reindex --extract` picks up unfinished extractions.
Tests call `wait_until_idle()`.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

_jobs: deque[tuple[Any, tuple]] = deque()
_lock = threading.Lock()
_changed = threading.Condition(_lock)
_worker: threading.Thread | None = None


def run_later(task: Any, *args: Any) -> None:
    """Queue a Celery task: to the workers, or in eager mode to the background thread. Call it
    once the data the job reads is committed (from a `transaction.on_commit` callback)."""
    global _worker
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        task.delay(*args)
        return
    with _lock:
        _jobs.append((task, args))
        if _worker is None:
            _worker = threading.Thread(target=_work, name="edoc-background", daemon=False)
            _worker.start()


def _work() -> None:
    global _worker
    while True:
        with _lock:
            if not _jobs:
                _worker = None
                _changed.notify_all()
                return
            task, args = _jobs.popleft()
        try:
            task(*args)
        except Exception:
            logger.exception("Background job %s%r failed", getattr(task, "name", task), args)
        finally:
            connections.close_all()  # this thread's connections only


def wait_until_idle(timeout: float | None = None) -> bool:
    """Block until every queued job has run; False when `timeout` seconds passed first."""
    with _lock:
        return _changed.wait_for(lambda: _worker is None and not _jobs, timeout)
