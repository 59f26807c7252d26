"""`/healthz` and `/readyz`: whether the process runs, and whether the services it needs answer.

The core checks (database, cache, Celery broker, file storage) are registered here; the apps
above add theirs (search: its engine) through observability.registry. An answer names each
check with "ok" or "error", its latency in milliseconds and, on error, only the exception's
class: never a URL, host, credential or exception text (those go to the server's log, with
credentials in URLs masked).
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from kombu import Connection

from observability.redaction import without_credentials
from observability.registry import readiness_checks, register_readiness_check

logger = logging.getLogger(__name__)
PROBE_KEY = "edoc:readyz"


def check_database() -> None:
    """One round trip to the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    """A value written to and read back from the cache (Redis in services mode)."""
    cache.set(PROBE_KEY, "1", 10)
    if cache.get(PROBE_KEY) != "1":
        raise RuntimeError("the cache did not keep a value")


def check_broker() -> None:
    """A connection to the Celery broker (in-process runs need none)."""
    url = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER or url.startswith("memory://"):
        return
    timeout = settings.EDOC_READYZ_TIMEOUT
    with Connection(
        url, connect_timeout=timeout, transport_options={"socket_timeout": timeout}
    ) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)


def check_storage() -> None:
    """The stored files' place: a writable folder, or an S3 bucket that answers."""
    if isinstance(default_storage, FileSystemStorage):
        location = default_storage.location
        if not (os.path.isdir(location) and os.access(location, os.W_OK)):
            raise PermissionError("the media folder is missing or not writable")
        return
    default_storage.exists(".readyz")  # a HEAD request; a missing object is fine


def run_check(check: Any) -> dict[str, Any]:
    """One check's answer: status, latency in ms and, on failure, the exception's class."""
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # whatever the client library raises means "not ready"
        elapsed = (time.perf_counter() - started) * 1000
        logger.warning(
            "readiness: %s failed: %s",
            getattr(check, "__name__", check),
            without_credentials(f"{type(exc).__name__}: {exc}"),
        )
        return {"status": "error", "latency_ms": round(elapsed, 1), "error": type(exc).__name__}
    elapsed = (time.perf_counter() - started) * 1000
    return {"status": "ok", "latency_ms": round(elapsed, 1)}


def readiness() -> tuple[bool, dict[str, Any]]:
    """Every registered check's answer, and whether all are ok."""
    results = {name: run_check(check) for name, check in readiness_checks().items()}
    ready = all(result["status"] == "ok" for result in results.values())
    return ready, {"status": "ok" if ready else "error", "checks": results}


def register_core_checks() -> None:
    """The checks of the services every installation has."""
    register_readiness_check("database", check_database)
    register_readiness_check("cache", check_cache)
    register_readiness_check("broker", check_broker)
    register_readiness_check("storage", check_storage)
