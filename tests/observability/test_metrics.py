"""/metrics: who may scrape it, and that its numbers follow real actions."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from edoc.services.documents import incoming_register
from edoc.services.files import pdf_validate
from search.services import index_document
from search.tasks import flush_index_queue_task

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def scrape(client, settings):
    settings.EDOC_METRICS_TOKEN = TOKEN

    def read() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
        }

    return read


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def document(users, catalogs, pdf_bytes):
    return incoming_register(
        user=users["clerk"],
        subject="Báo cáo giám sát dịch bệnh",
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        pdf=pdf_validate(io.BytesIO(pdf_bytes(["Báo cáo giám sát"])), "bc.pdf"),
        start_process=False,
    )


@pytest.mark.django_db
def test_metrics_refuses_scrapers_without_the_token_or_an_allowed_address(client, settings):
    settings.EDOC_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200

    settings.EDOC_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403
    settings.EDOC_METRICS_ALLOWED_IPS = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.21.3.4").status_code == 403


@pytest.mark.django_db
def test_request_latency_is_counted_by_view(client, scrape, users):
    before = scrape()
    client.force_login(users["clerk"])
    assert client.get("/accounts/login/").status_code in {200, 302}
    assert client.get("/no-such-page-here/").status_code == 404
    after = scrape()
    name = "edoc_http_request_duration_seconds_count"
    login = {"view": "login", "method": "GET"}
    assert value(after, name, **login, status="2xx") + value(
        after, name, **login, status="3xx"
    ) == (
        value(before, name, **login, status="2xx") + value(before, name, **login, status="3xx") + 1
    )
    missing = {"view": "unresolved", "method": "GET", "status": "4xx"}
    assert value(after, name, **missing) == value(before, name, **missing) + 1
    assert not any("no-such-page" in str(key) for key in after)


@pytest.mark.django_db
def test_the_index_queue_length_follows_an_engine_that_is_down(scrape, settings, document):
    before = value(scrape(), "edoc_search_index_queue_length")
    settings.SEARCH_BACKEND = "opensearch"
    settings.OPENSEARCH_URL = "http://127.0.0.1:9"  # down: the update waits in the queue
    settings.OPENSEARCH_TIMEOUT = 0.5
    index_document(document.pk)
    assert value(scrape(), "edoc_search_index_queue_length") == before + 1


@pytest.mark.django_db
def test_a_refused_signature_is_counted(client, scrape, users, document):
    before = value(scrape(), "edoc_signing_failures_total", reason="not_your_step")
    client.force_login(users["specialist"])  # not the signer of this document
    response = client.post(f"/signing/documents/{document.pk}/sign/", {})
    assert response.status_code == 403
    after = value(scrape(), "edoc_signing_failures_total", reason="not_your_step")
    assert after == before + 1


@pytest.mark.django_db
def test_overdue_tasks_are_counted(scrape, users, units):
    from edoc.models import User
    from edoc.models.organisation import Role
    from workflows.models import WorkItem
    from workflows.services.definitions import definition_create, version_publish
    from workflows.services.processes import process_start

    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    graph = {
        "start": "handle",
        "steps": [
            {
                "id": "handle",
                "name": "Xử lý",
                "type": "user",
                "assignee": {"rule": "initiator"},
                "deadline": {"days": 2},
                "next": "done",
            },
            {"id": "done", "type": "end", "name": "Xong"},
        ],
    }
    definition = definition_create(user=admin, key="han", name="Hạn xử lý", graph=graph)
    version_publish(user=admin, definition=definition)
    run = process_start(user=users["specialist"], definition=definition)
    assert value(scrape(), "edoc_workflow_tasks_overdue") == 0
    # Three days later (the deadline moved back rather than the clock forward).
    run.work_items.update(deadline=timezone.now() - datetime.timedelta(days=1))
    assert WorkItem.objects.filter(status="open").count() == 1
    assert value(scrape(), "edoc_workflow_tasks_overdue") == 1


@pytest.mark.django_db
def test_celery_task_runs_are_counted(scrape):
    name = "edoc_celery_tasks_total"
    labels = {"task": "search.tasks.flush_index_queue_task", "outcome": "succeeded"}
    before = value(scrape(), name, **labels)
    flush_index_queue_task.delay()
    assert value(scrape(), name, **labels) == before + 1


@pytest.mark.django_db
def test_outbox_lengths_are_reported(scrape):
    samples = scrape()
    assert ("edoc_outbox_pending", (("outbox", "exchange"),)) in samples
    assert ("edoc_outbox_pending", (("outbox", "portal_sync"),)) in samples
