"""The production profile refuses to start without the settings it needs, naming each missing
one on its own line, all at once (issue 17). Each case loads the real settings module in a
subprocess; a complete profile passes `check --deploy` (tests/test_settings.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.production_env import PRODUCTION_VARIABLES, production_environment

ROOT = Path(__file__).resolve().parents[2]
LOAD_SETTINGS = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"


def _load(**overrides: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", LOAD_SETTINGS],
        cwd=ROOT,
        env=production_environment(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _refused(result: subprocess.CompletedProcess) -> list[str]:
    """The names of the settings the refusal lists (its "  - NAME: …" lines)."""
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "The production profile (config.settings.production) cannot start" in result.stderr
    return re.findall(r"^  - ([A-Z0-9_]+): ", result.stderr, flags=re.MULTILINE)


def test_a_complete_profile_loads():
    result = _load()
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_an_empty_environment_names_every_missing_setting_at_once():
    result = _load(**dict.fromkeys(PRODUCTION_VARIABLES), EDOC_OIDC_ISSUER=None)
    assert _refused(result) == [
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "EDOC_PUBLIC_BASE_URL",
    ]
    assert "postgres://" in result.stderr and "redis://" in result.stderr


@pytest.mark.parametrize(
    ("overrides", "named", "explained"),
    [
        ({"DJANGO_SECRET_KEY": "short"}, ["DJANGO_SECRET_KEY"], "at least 50 characters"),
        (
            {"DJANGO_SECRET_KEY": "insecure-" + "x" * 60},
            ["DJANGO_SECRET_KEY"],
            "at least 50 characters",
        ),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, ["DJANGO_ALLOWED_HOSTS"], "'*' is refused"),
        ({"DATABASE_URL": "sqlite:////tmp/edoc.sqlite3"}, ["DATABASE_URL"], "runs on PostgreSQL"),
        ({"CELERY_BROKER_URL": "memory://"}, ["CELERY_BROKER_URL"], "loses tasks"),
        (
            {"SEARCH_BACKEND": "opensearch"},
            ["OPENSEARCH_URL"],
            "SEARCH_BACKEND=opensearch needs",
        ),
        ({"SEARCH_BACKEND": "elastic"}, ["SEARCH_BACKEND"], "'database' or 'opensearch'"),
        (
            {"AWS_STORAGE_BUCKET_NAME": "edoc"},
            ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
            "chooses S3 storage",
        ),
        (
            {"AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_ACCESS_KEY_ID": "edoc"},
            ["AWS_STORAGE_BUCKET_NAME"],
            "no bucket",
        ),
        (
            {"EDOC_PUBLIC_BASE_URL": "http://edoc.example.gov.vn"},
            ["EDOC_PUBLIC_BASE_URL"],
            "https://",
        ),
        ({"EDOC_PAYMENT_TEST_PROVIDERS": "1"}, ["EDOC_PAYMENT_TEST_PROVIDERS"], "demo"),
    ],
)
def test_each_missing_or_unsafe_setting_is_named(overrides, named, explained):
    result = _load(**overrides)
    assert _refused(result) == named
    assert explained in result.stderr


def test_opensearch_and_s3_settings_when_chosen_complete_the_profile():
    result = _load(
        SEARCH_BACKEND="opensearch",
        OPENSEARCH_URL="http://127.0.0.1:9200",
        AWS_STORAGE_BUCKET_NAME="edoc",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_ACCESS_KEY_ID="edoc",
        AWS_SECRET_ACCESS_KEY="secret-key-of-the-test",
    )
    assert result.returncode == 0, result.stderr[-3000:]
