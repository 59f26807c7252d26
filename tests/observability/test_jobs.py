"""Failed background jobs: kept when a task fails (secrets left out), listed on the admin page,
sent again with "Thử lại" (audited); the request id travels with the task to a real worker."""

from __future__ import annotations

import logging
import time

import pytest
from celery import shared_task
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from config.celery import app
from edoc.models import AuditEntry, User
from observability.models import FailedJob
from observability.requests import RequestIdMiddleware

FLAKY_KEY = "tests-observability-flaky-fixed"
task_logger = logging.getLogger("tests.observability.task")


@shared_task(name="tests.observability.flaky")
def flaky(document_id: int, *, note: str = "", api_token: str = "") -> int:
    """Fails until the test "fixes" it (a flag in the cache), then succeeds."""
    if not cache.get(FLAKY_KEY):
        raise ConnectionError("upload to redis://edoc:hunter2@10.0.0.5:6379/0 refused")
    return document_id


@shared_task(name="tests.observability.log_hello")
def log_hello() -> str:
    task_logger.info("hello from the task")
    return "ok"


@pytest.fixture
def worker_like():
    """Failures as a worker has them: caught and reported through the signals, not raised."""
    app.conf.task_eager_propagates = False
    cache.delete(FLAKY_KEY)
    yield
    app.conf.task_eager_propagates = True
    cache.delete(FLAKY_KEY)


@pytest.fixture
def admin_client(client, units):
    admin = User.objects.create_superuser(
        username="quantri", password="pw-quantri-1A!", unit=units["office"]
    )
    client.force_login(admin)
    client.user = admin
    return client


@pytest.mark.django_db
def test_a_failed_task_is_kept_without_its_secrets(worker_like):
    result = flaky.apply_async(args=[42], kwargs={"note": "báo cáo"})
    assert result.failed()
    job = FailedJob.objects.get()
    assert job.task_name == "tests.observability.flaky"
    assert job.task_id == result.id
    assert job.args == [42] and job.kwargs == {"note": "báo cáo"}
    assert job.retryable
    assert job.exception.startswith("ConnectionError: upload to redis://***@10.0.0.5")
    assert "hunter2" not in job.exception

    flaky.apply_async(args=[7], kwargs={"api_token": "tok-123"})
    secret = FailedJob.objects.get(args=[7])
    assert secret.kwargs == {"api_token": "***"}
    assert not secret.retryable


@pytest.mark.django_db
def test_the_admin_page_lists_failed_jobs_and_retries_them(admin_client, worker_like):
    flaky.apply_async(args=[42])
    job = FailedJob.objects.get()
    page = admin_client.get("/admin/observability/failedjob/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tác vụ nền lỗi" in text and "tests.observability.flaky" in text and "Thử lại" in text

    cache.set(FLAKY_KEY, True)  # the cause is fixed
    response = admin_client.post(
        "/admin/observability/failedjob/",
        {"action": "retry_selected", "_selected_action": [job.pk]},
        follow=True,
    )
    assert "Đã gửi lại 1 tác vụ" in response.content.decode()
    job.refresh_from_db()
    assert job.retried_at is not None and job.retried_by == admin_client.user
    assert job.retry_task_id
    assert FailedJob.objects.count() == 1  # the retry succeeded: no new failure
    entry = AuditEntry.objects.get(action="jobs.retry")
    assert entry.object_id == str(job.pk) and entry.actor == admin_client.user

    again = admin_client.post(
        "/admin/observability/failedjob/",
        {"action": "retry_selected", "_selected_action": [job.pk]},
        follow=True,
    )
    assert "đã được thử lại" in again.content.decode()
    assert AuditEntry.objects.filter(action="jobs.retry").count() == 1


@pytest.mark.django_db
def test_a_retry_that_fails_again_is_kept_as_a_new_failure(admin_client, worker_like):
    flaky.apply_async(args=[5])
    job = FailedJob.objects.get()
    admin_client.post(
        "/admin/observability/failedjob/",
        {"action": "retry_selected", "_selected_action": [job.pk]},
    )
    assert FailedJob.objects.count() == 2
    newest = FailedJob.objects.exclude(pk=job.pk).get()
    assert newest.task_id == FailedJob.objects.get(pk=job.pk).retry_task_id


@pytest.mark.django_db
def test_a_job_without_its_arguments_is_not_retried(admin_client, worker_like):
    flaky.apply_async(args=[7], kwargs={"api_token": "tok-123"})
    job = FailedJob.objects.get()
    response = admin_client.post(
        "/admin/observability/failedjob/",
        {"action": "retry_selected", "_selected_action": [job.pk]},
        follow=True,
    )
    assert "không được lưu" in response.content.decode()
    job.refresh_from_db()
    assert job.retried_at is None
    assert not AuditEntry.objects.filter(action="jobs.retry").exists()


@pytest.mark.django_db
def test_only_staff_see_failed_jobs(client, users):
    client.force_login(users["specialist"])
    response = client.get("/admin/observability/failedjob/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_requests_id_reaches_the_log_records_of_its_task_on_a_worker():
    """The task runs on a worker thread (its own context: nothing inherited from the request);
    the id comes through the message's header."""
    from celery.contrib.testing.worker import start_worker

    middleware = RequestIdMiddleware(lambda request: (log_hello.delay(), HttpResponse())[1])
    # On the task's logger: the worker's start-up reconfigures the root logger's handlers.
    captured = _Records()
    task_logger.addHandler(captured)
    task_logger.setLevel(logging.INFO)
    app.conf.update(task_always_eager=False)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="INFO"
        ):
            response = middleware(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-abc-123"))
            assert response["X-Request-ID"] == "req-abc-123"
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not captured.records:
                time.sleep(0.1)
    finally:
        app.conf.update(task_always_eager=True)
        task_logger.removeHandler(captured)
    records = captured.records
    assert records, "the task did not run"
    assert [record.request_id for record in records] == ["req-abc-123"]
    assert records[0].threadName != "MainThread"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
