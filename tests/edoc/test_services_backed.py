"""Behaviour that needs the real services: PostgreSQL row locking and a Celery worker on Redis."""

from __future__ import annotations

import io
import threading
import time

import pytest
from django.core.cache import cache
from django.db import close_old_connections, connection

from edoc.models import Document, DocumentFile, RegisterBook
from edoc.services.documents import default_incoming_book, incoming_register
from edoc.services.files import pdf_validate

CONCURRENT_CLERKS = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_gapless_numbers(users, catalogs):
    """50 clerks register into one book at the same moment: numbers are exactly 1..50."""
    clerk = users["clerk"]
    book = default_incoming_book(clerk, confidential=False, year=2026)
    start = threading.Barrier(CONCURRENT_CLERKS)
    errors: list[BaseException] = []

    def register(index: int) -> None:
        try:
            start.wait()
            incoming_register(
                user=clerk,
                register_book=book,
                subject=f"Văn bản đồng thời số {index}",
                urgency=catalogs["normal"],
                confidentiality=catalogs["public"],
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(CONCURRENT_CLERKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(
        Document.objects.filter(register_book=book).values_list("book_number", flat=True)
    )
    assert numbers == list(range(1, CONCURRENT_CLERKS + 1))
    assert RegisterBook.objects.get(pk=book.pk).last_number == CONCURRENT_CLERKS


@pytest.mark.redis
def test_cache_is_redis(settings):
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    cache.set("edoc-test-key", "Sở Y tế", 5)
    assert cache.get("edoc-test-key") == "Sở Y tế"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_text_extraction_runs_on_a_celery_worker(users, catalogs, pdf_bytes):
    """With a broker, the registration's on-commit task travels through Redis to a worker."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.update(task_always_eager=False, broker_url=app.conf.broker_url)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            document = incoming_register(
                user=users["clerk"],
                subject="Kiểm tra trích xuất văn bản",
                urgency=catalogs["normal"],
                confidentiality=catalogs["public"],
                pdf=pdf_validate(io.BytesIO(pdf_bytes(["Kế hoạch chuyển đổi số y tế"])), "kh.pdf"),
            )
            deadline = time.monotonic() + 20
            text = ""
            while time.monotonic() < deadline and not text:
                time.sleep(0.2)
                text = DocumentFile.objects.get(document=document).text
    finally:
        app.conf.update(task_always_eager=True)
    assert "chuyển đổi số" in text
