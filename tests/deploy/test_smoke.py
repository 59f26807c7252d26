"""CI smoke test of the production deployment without containers (issue 17), on
deploy/README.md's path for a new server that takes over yesterday's data: "yesterday's"
installation (its own PostgreSQL database and bucket, migrated, the demo organisation and one
registered document with a PDF) is backed up with `manage.py backup`; the new installation (an
empty database, an empty bucket) restores it with `manage.py restore`, runs the README's steps,
and is served by the production profile with gunicorn (2 workers), a Celery worker and Celery
beat on Redis, OpenSearch, and moto's S3 server as the S3-compatible store. deploy/smoke.py
then checks /healthz, /readyz (every service ok), logs in as a restored user, finds and
downloads the restored document (SHA-256 as backed up), registers, searches and downloads a
new one, finds its bytes in the bucket, and reads /metrics with the scraper's token.
Everything is stopped afterwards.

Needs DATABASE_URL (PostgreSQL), REDIS_URL and OPENSEARCH_URL: skipped without them, failed
under REQUIRE_SERVICES=1 (tests/conftest.py). Signing is not part of it (see deploy/README.md).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import requests

from tests.connectors.instances import (
    _admin_sql,
    database_name,
    database_url,
    free_port,
    wait_for,
)
from tests.deploy.production_env import HOST, production_environment

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
pytestmark = [pytest.mark.smoke, pytest.mark.postgres, pytest.mark.redis, pytest.mark.opensearch]


class Processes:
    """Started processes, each logging to its own file; stopped in reverse order."""

    def __init__(self, home: Path, environment: dict[str, str]) -> None:
        self.home, self.environment, self.started = home, environment, []

    def start(self, name: str, *command: str) -> subprocess.Popen:
        log = open(self.home / f"{name}.log", "wb")  # noqa: SIM115 (closed in stop)
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append((name, process, log))
        return process

    def run(self, *command: str, timeout: float = 900) -> str:
        result = subprocess.run(
            command, cwd=ROOT, env=self.environment, capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        return result.stdout

    def log(self, name: str) -> str:
        return (self.home / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.log(name)[-2500:]}" for name, _, _ in self.started)

    def stop(self) -> None:
        for _name, process, _log in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process, log in reversed(self.started):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            log.close()


def _answers(url: str, **headers: str) -> bool:
    try:
        return requests.get(url, headers=headers, timeout=2).status_code < 500
    except requests.RequestException:
        return False


@pytest.fixture
def new_database():
    """Makes new, empty PostgreSQL databases, dropped afterwards."""
    names = []

    def make() -> str:
        names.append(f"{database_name('smoke')}_{secrets.token_hex(3)}")
        _admin_sql(f'create database "{names[-1]}"')
        return database_url(names[-1])

    yield make
    for name in names:
        _admin_sql(f'drop database if exists "{name}" with (force)')


# Yesterday's clerk registers one incoming document with a PDF (run by `manage.py shell`);
# prints the file's SHA-256.
YESTERDAY = """
import io
from edoc.models import Confidentiality, Urgency, User
from edoc.services.documents import incoming_register
from edoc.services.files import pdf_validate
from deploy.smoke import one_page_pdf
pdf = one_page_pdf("Ma kiem tra WORD")
document = incoming_register(
    user=User.objects.get(username="vanthu"),
    subject="Hồ sơ ngày hôm qua WORD",
    urgency=Urgency.objects.get(code="normal"),
    confidentiality=Confidentiality.objects.get(code="normal"),
    pdf=pdf_validate(io.BytesIO(pdf), "WORD.pdf"),
)
print(document.files.get().sha256)
"""


def test_production_deployment_smoke(new_database, collected_static, tmp_path):
    started = time.monotonic()
    s3_port, web_port = free_port(), free_port()
    bucket, index = "edoc-smoke", f"edoc-smoke-{secrets.token_hex(4)}"
    yesterday_bucket, word = "edoc-yesterday", f"homqua{secrets.token_hex(4)}"
    metrics_token = secrets.token_urlsafe(24)
    s3 = {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "edoc-smoke",
        "AWS_SECRET_ACCESS_KEY": "edoc-smoke-secret",
    }
    environment = production_environment(
        DATABASE_URL=new_database(),
        REDIS_URL=os.environ["REDIS_URL"],
        SEARCH_BACKEND="opensearch",
        OPENSEARCH_URL=os.environ["OPENSEARCH_URL"],
        OPENSEARCH_INDEX=index,
        STATIC_ROOT=str(collected_static),
        MEDIA_ROOT=str(tmp_path / "media"),
        EDOC_OIDC_KEY_DIR=str(tmp_path / "oidc-keys"),
        EDOC_OIDC_PRIVATE_KEY=None,
        EDOC_BIND=f"127.0.0.1:{web_port}",
        EDOC_WEB_WORKERS="2",
        EDOC_METRICS_TOKEN=metrics_token,
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        **s3,
    )
    # Yesterday's server: its own database and bucket, the database search backend, tasks run
    # in the calling process (no worker of its own).
    yesterday = Processes(
        tmp_path,
        {
            **environment,
            "DATABASE_URL": new_database(),
            "AWS_STORAGE_BUCKET_NAME": yesterday_bucket,
            "SEARCH_BACKEND": "database",
            "CELERY_TASK_ALWAYS_EAGER": "true",
        },
    )
    processes = Processes(tmp_path, environment)
    try:
        # The local S3-compatible server (moto) and the bucket the administrator creates.
        processes.start("s3", str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port))
        assert wait_for(lambda: _answers(s3["AWS_S3_ENDPOINT_URL"]), 30), processes.logs()
        client = boto3.client(
            "s3",
            endpoint_url=s3["AWS_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id=s3["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=s3["AWS_SECRET_ACCESS_KEY"],
        )
        client.create_bucket(Bucket=bucket)
        client.create_bucket(Bucket=yesterday_bucket)
        manage = (sys.executable, "manage.py")

        # Yesterday's backup.
        archive = tmp_path / "edoc-backup-yesterday.tar"
        yesterday.run(*manage, "migrate", "--no-input")
        yesterday.run(*manage, "seed_demo", "--organisation-only")
        sha256 = yesterday.run(*manage, "shell", "-c", YESTERDAY.replace("WORD", word)).split()[-1]
        assert "Backup written to" in yesterday.run(*manage, "backup", "--output", str(archive))
        backed_up = time.monotonic() - started

        # deploy/README.md's "Restoring yesterday's backup onto a new server", command by command.
        restored = processes.run(*manage, "restore", str(archive))
        assert "audit chain of" in restored and "Search index rebuilt" in restored, restored
        processes.run(*manage, "migrate", "--no-input")
        assert "entries verified" in processes.run(*manage, "verify_audit")
        processes.run(*manage, "identity_keys", "ensure")
        processes.run(*manage, "check", "--deploy", "--fail-level", "WARNING")
        prepared = time.monotonic() - started

        web = processes.start(
            "web", str(BIN / "gunicorn"), "config.wsgi:application", "-c", "deploy/gunicorn.conf.py"
        )
        worker = processes.start(
            "worker", str(BIN / "celery"), "-A", "config", "worker", "--pool", "solo",
            "--loglevel", "INFO", "--without-gossip", "--without-mingle",
        )  # fmt: skip
        beat = processes.start(
            "beat", str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "INFO",
            "--schedule", str(tmp_path / "beat-schedule"),
        )  # fmt: skip
        base = f"http://127.0.0.1:{web_port}"
        login = f"{base}/accounts/login/"
        up = wait_for(lambda: _answers(login, Host=HOST, **{"X-Forwarded-Proto": "https"}), 60)
        assert up, processes.logs()
        assert wait_for(lambda: "ready." in processes.log("worker"), 60), processes.logs()
        assert processes.log("web").count("Booting worker") == 2, processes.log("web")

        smoke = subprocess.run(
            [sys.executable, "deploy/smoke.py", base, "--username", "vanthu"]
            + ["--host", HOST, "--forwarded-proto", "https", "--s3-bucket", bucket]
            + ["--search-seconds", "30", "--expect-document", word, "--expect-sha256", sha256]
            + ["--expect-metric", "edoc_celery_tasks"],
            cwd=ROOT,
            env={**environment, "EDOC_SMOKE_PASSWORD": "demo12345"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        print(smoke.stdout)
        assert smoke.returncode == 0, smoke.stdout + smoke.stderr + processes.logs()
        steps = ("liveness", "readiness", "login", "existing document", "existing download")
        steps += ("register", "search", "download", "stored in S3", "metrics")
        for step in steps:
            assert f"OK {step} " in smoke.stdout, smoke.stdout
        for service in ("database", "cache", "broker", "search", "storage"):
            assert f" {service} ok " in smoke.stdout, smoke.stdout
        assert f"SHA-256 {sha256[:12]}" in smoke.stdout
        assert "backend opensearch" in smoke.stdout
        # The document was indexed by the Celery worker, not in the web process.
        assert "search.tasks.index_document_task" in processes.log("worker"), processes.logs()
        assert "beat: Starting..." in processes.log("beat"), processes.log("beat")
        assert web.poll() is None and worker.poll() is None and beat.poll() is None
        print(
            f"backed up after {backed_up:.1f} s, restored after {prepared:.1f} s, "
            f"smoke passed after {time.monotonic() - started:.1f} s"
        )
    finally:
        processes.stop()
        requests.delete(f"{os.environ['OPENSEARCH_URL']}/{index}-*", timeout=30)
