"""The portal push through a real Celery worker on Redis: the task retries with backoff while
the portal is down and delivers once it is back, once."""

from __future__ import annotations

import time

import pytest

from connectors.models import SyncMessage
from onestop import services


def _wait(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_retries_with_backoff_until_the_portal_is_back(
    connected, settings, officer, procedure, applicant, all_files
):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.EDOC_CONNECTOR_RETRY_SECONDS = 1
    app.conf.update(task_always_eager=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            dossier = services.dossier_receive_at_counter(
                officer=officer, procedure=procedure, applicant=applicant, files=all_files()
            )

            def row() -> SyncMessage:
                return SyncMessage.objects.get(dossier=dossier)

            assert _wait(lambda: row().attempts >= 2)  # the worker retried on its own
            first, second = row().last_attempt_at, None
            assert row().delivered_at is None and "unreachable" in row().last_error
            connected.start()
            assert _wait(lambda: row().delivered_at is not None)
            second = row().last_attempt_at
    finally:
        app.conf.update(task_always_eager=True)
    assert second > first
    assert row().attempts >= 3
    progress = connected.received()["progress"]
    assert [(item["MaHoSo"], item["TrangThai"]) for item in progress] == [(dossier.code, "2")]
