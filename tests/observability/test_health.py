"""/healthz and /readyz against the real services: a service that does not answer makes /readyz
answer 503, naming the check without its address or credentials."""

from __future__ import annotations

import json

import pytest

SECRET = "s3cr3t-pw"


def _ready(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")  # no django_db mark: a query would fail the test
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_every_service_with_its_latency(client):
    status, answer = _ready(client)
    assert status == 200, answer
    assert answer["status"] == "ok"
    assert set(answer["checks"]) == {"database", "cache", "broker", "storage", "search"}
    for result in answer["checks"].values():
        assert result["status"] == "ok"
        assert isinstance(result["latency_ms"], float) and result["latency_ms"] >= 0


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_with_redis_as_cache_and_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    status, answer = _ready(client)
    assert status == 200, answer
    assert answer["checks"]["broker"]["status"] == "ok"
    assert answer["checks"]["cache"]["status"] == "ok"


@pytest.mark.django_db
def test_a_broker_on_a_closed_port_makes_readyz_503_without_leaking_its_url(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://:{SECRET}@127.0.0.1:9/0"  # port 9: nothing listens
    settings.EDOC_READYZ_TIMEOUT = 1.0
    response = client.get("/readyz")
    assert response.status_code == 503
    answer = json.loads(response.content)
    assert answer["status"] == "error"
    assert answer["checks"]["broker"]["status"] == "error"
    assert answer["checks"]["broker"]["error"]  # the exception's class only
    assert answer["checks"]["database"]["status"] == "ok"
    body = response.content.decode()
    assert SECRET not in body and "127.0.0.1" not in body and "redis://" not in body


@pytest.mark.django_db
def test_a_cache_that_does_not_answer_makes_readyz_503(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://:{SECRET}@127.0.0.1:9/0",
        }
    }
    status, answer = _ready(client)
    assert status == 503
    assert answer["checks"]["cache"]["status"] == "error"
    assert SECRET not in json.dumps(answer)


@pytest.mark.django_db
def test_a_search_engine_that_does_not_answer_makes_readyz_503(client, settings):
    settings.SEARCH_BACKEND = "opensearch"
    settings.OPENSEARCH_URL = f"http://admin:{SECRET}@127.0.0.1:9"
    settings.OPENSEARCH_TIMEOUT = 1.0
    status, answer = _ready(client)
    assert status == 503
    assert answer["checks"]["search"]["status"] == "error"
    assert answer["checks"]["database"]["status"] == "ok"
    assert SECRET not in json.dumps(answer)


@pytest.mark.opensearch
@pytest.mark.django_db
def test_readyz_asks_a_running_opensearch(client, settings):
    import os

    settings.SEARCH_BACKEND = "opensearch"
    settings.OPENSEARCH_URL = os.environ["OPENSEARCH_URL"]
    status, answer = _ready(client)
    assert status == 200, answer
    assert answer["checks"]["search"]["status"] == "ok"


@pytest.mark.django_db
def test_a_missing_media_folder_makes_readyz_503(client, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "gone")},
        },
    }
    status, answer = _ready(client)
    assert status == 503
    assert answer["checks"]["storage"] == {
        "status": "error",
        "latency_ms": answer["checks"]["storage"]["latency_ms"],
        "error": "PermissionError",
    }


@pytest.mark.django_db
def test_probes_need_no_login_and_skip_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301  # everything else goes to https


def test_the_request_id_is_echoed_or_generated(client):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234.abc")
    assert given["X-Request-ID"] == "lb-1234.abc"
    generated = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert len(generated["X-Request-ID"]) == 32 and " " not in generated["X-Request-ID"]


def test_probes_answer_head_and_refuse_writes(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
