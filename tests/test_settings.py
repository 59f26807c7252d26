"""The production profile: `collectstatic` passes, the pages and static files are served, Django's
deployment checklist passes, and it fails when the static files were not collected (issue 9 #16).
Each runs `manage.py` (or the WSGI application) in a subprocess with the real production
settings."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.deploy.production_env import HOST, production_environment

ROOT = Path(__file__).resolve().parent.parent


def _production_env(static_root: Path, **env: str) -> dict[str, str]:
    return production_environment(STATIC_ROOT=str(static_root), **env)


def _manage(*args: str, static_root: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_production_env(static_root, **env),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def collected(collected_static) -> Path:
    """STATIC_ROOT after the README's deployment step `manage.py collectstatic --noinput`."""
    return collected_static


def test_production_collectstatic_writes_the_manifest(collected):
    manifest = collected / "staticfiles.json"
    assert manifest.exists()
    text = manifest.read_text()
    for name in (
        "img/favicon.svg",
        "css/edoc.css",
        "vendor/htmx/htmx.min.js",
        "admin/css/base.css",
    ):
        assert f'"{name}"' in text, name


def test_production_settings_pass_check_deploy(collected):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", static_root=collected)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_when_static_files_were_not_collected(tmp_path):
    result = _manage("check", "--deploy", static_root=tmp_path)
    assert result.returncode != 0
    assert "edoc.E001" in result.stderr
    assert "collectstatic" in result.stderr


def test_check_deploy_fails_when_the_manifest_misses_files(collected, tmp_path):
    """A manifest from an older release (a static file added since) fails too."""
    stale = tmp_path / "static"
    stale.mkdir()
    manifest = (collected / "staticfiles.json").read_text()
    (stale / "staticfiles.json").write_text(manifest.replace('"css/edoc.css"', '"css/old.css"'))
    result = _manage("check", "--deploy", static_root=stale)
    assert result.returncode != 0
    assert "edoc.E002" in result.stderr
    assert "css/edoc.css" in result.stderr


SERVER = textwrap.dedent(
    """
    import sys
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from config.wsgi import application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, application, handler_class=Quiet)
    print(server.server_port, flush=True)
    server.serve_forever()
    """
)


@pytest.fixture
def production_server(collected, tmp_path):
    """The WSGI application of the production profile behind a stdlib HTTP server."""
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        cwd=ROOT,
        env=_production_env(collected, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = process.stdout.readline().strip()
        assert port.isdigit(), process.stderr.read()
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    """GET as a browser behind the TLS-terminating proxy would (HTTPS, the public host)."""
    headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback http)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
        except ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_production_serves_the_login_page_and_its_static_files(production_server):
    status, headers, body = _get(f"{production_server}/accounts/login/")
    assert status == 200, body[-2000:]
    page = body.decode()
    assert 'id="login-form"' in page
    favicon = re.search(r'href="(/static/img/favicon\.[0-9a-f]{12}\.svg)"', page)
    stylesheet = re.search(r'href="(/static/css/edoc\.[0-9a-f]{12}\.css)"', page)
    assert favicon and stylesheet, "static URLs are not the manifest's hashed names"

    status, headers, body = _get(production_server + favicon.group(1))
    assert status == 200
    assert headers["Content-Type"].startswith("image/svg+xml")
    assert body.startswith(b"<svg") or b"<svg" in body[:200]
    assert "immutable" in headers.get("Cache-Control", "")

    status, headers, body = _get(production_server + stylesheet.group(1))
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
