"""CI smoke test of the production deployment without containers (issue 17): the production
profile served by gunicorn (2 workers) with a Celery worker and Celery beat on Redis, a fresh
PostgreSQL database brought up by `migrate`, OpenSearch, and moto's S3 server as the
S3-compatible store; deploy/smoke.py then logs in, registers an incoming document with a PDF,
searches it, downloads it and finds its bytes in the bucket. Everything is stopped afterwards.

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
def fresh_database():
    """A new, empty PostgreSQL database of its own, dropped afterwards."""
    name = f"{database_name('smoke')}_{secrets.token_hex(3)}"
    _admin_sql(f'create database "{name}"')
    yield database_url(name)
    _admin_sql(f'drop database if exists "{name}" with (force)')


def test_production_deployment_smoke(fresh_database, collected_static, tmp_path):
    started = time.monotonic()
    s3_port, web_port = free_port(), free_port()
    bucket, index = "edoc-smoke", f"edoc-smoke-{secrets.token_hex(4)}"
    s3 = {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "edoc-smoke",
        "AWS_SECRET_ACCESS_KEY": "edoc-smoke-secret",
    }
    environment = production_environment(
        DATABASE_URL=fresh_database,
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
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        **s3,
    )
    processes = Processes(tmp_path, environment)
    try:
        # The local S3-compatible server (moto) and the bucket the administrator creates.
        processes.start("s3", str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port))
        assert wait_for(lambda: _answers(s3["AWS_S3_ENDPOINT_URL"]), 30), processes.logs()
        boto3.client(
            "s3",
            endpoint_url=s3["AWS_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id=s3["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=s3["AWS_SECRET_ACCESS_KEY"],
        ).create_bucket(Bucket=bucket)

        # deploy/README.md's install steps, in the production profile.
        manage = (sys.executable, "manage.py")
        processes.run(*manage, "identity_keys", "ensure")
        processes.run(*manage, "migrate", "--no-input")
        processes.run(*manage, "seed_demo", "--organisation-only")
        processes.run(*manage, "search_reindex", "--backend", "opensearch")
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
            + ["--search-seconds", "30"],
            cwd=ROOT,
            env={**environment, "EDOC_SMOKE_PASSWORD": "demo12345"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        print(smoke.stdout)
        assert smoke.returncode == 0, smoke.stdout + smoke.stderr + processes.logs()
        for step in ("readiness", "login", "register", "search", "download", "stored in S3"):
            assert f"OK {step} " in smoke.stdout, smoke.stdout
        assert "backend opensearch" in smoke.stdout
        # The document was indexed by the Celery worker, not in the web process.
        assert "search.tasks.index_document_task" in processes.log("worker"), processes.logs()
        assert "beat: Starting..." in processes.log("beat"), processes.log("beat")
        assert web.poll() is None and worker.poll() is None and beat.poll() is None
        print(
            f"prepared in {prepared:.1f} s, smoke passed after {time.monotonic() - started:.1f} s"
        )
    finally:
        processes.stop()
        requests.delete(f"{os.environ['OPENSEARCH_URL']}/{index}-*", timeout=30)
