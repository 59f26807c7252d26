"""Part 2 of issue 14 against a real provider: a second eDoc instance (its own process and
database) is the external OpenID Connect provider, this test run's live server the eDoc whose
users sign in through it. Chromium goes through the whole flow: the button on the login page,
the provider's own login form, the code sent back, the ID token checked, the account linked by
its verified e-mail address."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from edoc.models import AuditEntry
from identity.models import ExternalAccount

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
PASSED_ON = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "VIRTUAL_ENV")
EMAIL = "lanhdao@syt.dongnai.gov.vn"
PASSWORD = "Mat-khau-cua-nha-cung-cap-1"  # noqa: S105 (a test user of the provider)
SECRET = "bi-mat-cua-ung-dung-khach-" + "x" * 20  # noqa: S105


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Provider:
    """A second eDoc on loopback, acting as the identity provider (SQLite, no services)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.url}/o"
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        passed = {name: os.environ[name] for name in PASSED_ON if name in os.environ}
        return {
            **passed,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": f"sqlite:///{self.home / 'provider.sqlite3'}",
            "MEDIA_ROOT": str(self.home / "media"),
            "EDOC_OIDC_KEY_DIR": str(self.home / "keys"),
            "EDOC_OIDC_ISSUER": self.issuer,
            "EDOC_2FA_POLICY": "0",
            "SEARCH_BACKEND": "database",
            "LOG_LEVEL": "WARNING",
        }

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start(self) -> None:
        self.manage("migrate", "-v0")
        self.manage("identity_keys", "ensure")
        log = open(self.home / "server.log", "ab")  # noqa: SIM115 (the process keeps it)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                "--noreload",
                "--insecure",
                f"127.0.0.1:{self.port}",
            ],  # fmt: skip
            cwd=BASE_DIR,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.issuer + "/.well-known/openid-configuration", timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        raise AssertionError(
            "the provider did not start: " + (self.home / "server.log").read_text()
        )

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=20)

    def register(self, redirect_uri: str) -> str:
        """A user with a verified e-mail and a client application for eDoc; its client id."""
        code = f"""
import json
from oauth2_provider.models import Application
from edoc.models import User
from identity.models import ClientPolicy
User.objects.create_user("lanhdao", email={EMAIL!r}, password={PASSWORD!r},
                         first_name="Hùng", last_name="Trần Văn")
app = Application.objects.create(
    name="eDoc Sở Y tế", client_type=Application.CLIENT_CONFIDENTIAL,
    authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    redirect_uris={redirect_uri!r}, client_secret={SECRET!r},
    algorithm=Application.RS256_ALGORITHM, skip_authorization=True)
ClientPolicy.objects.create(application=app, allowed_scopes="openid profile email")
print(json.dumps(app.client_id))
"""
        return json.loads(self.manage("shell", "--no-imports", "-c", code).strip().splitlines()[-1])


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    provider = Provider(tmp_path_factory.mktemp("provider"))
    try:
        provider.start()
        yield provider
    finally:
        provider.stop()


def test_a_user_signs_in_through_another_edoc_as_identity_provider(
    page, live_server, users, provider, settings, screenshots
):
    client_id = provider.register(f"{live_server.url}/identity/external/callback/")
    settings.EDOC_OIDC_LOGIN_ISSUER = provider.issuer
    settings.EDOC_OIDC_LOGIN_CLIENT_ID = client_id
    settings.EDOC_OIDC_LOGIN_CLIENT_SECRET = SECRET
    settings.EDOC_OIDC_LOGIN_NAME = "Cổng định danh tỉnh"
    director = users["director"]
    director.email = EMAIL
    director.save()

    callbacks: list[str] = []
    page.on(
        "request",
        lambda request: (
            callbacks.append(request.url) if "/identity/external/callback/" in request.url else None
        ),
    )
    page.goto("/accounts/login/")
    assert page.inner_text("#btn-login-external") == "Đăng nhập bằng Cổng định danh tỉnh"
    page.click("#btn-login-external")
    page.wait_for_url(f"{provider.url}/accounts/login/**")  # the provider's own login form
    page.fill("input[name=username]", "lanhdao")
    page.fill("input[name=password]", PASSWORD)
    page.click("#btn-login")
    try:
        page.wait_for_url(f"{live_server.url}/**", timeout=20_000)
        page.wait_for_load_state("networkidle")
    except Exception:
        page.screenshot(path=os.path.join(screenshots, "external-idp.png"), full_page=True)
        raise
    assert "/accounts/login/" not in page.url and "/identity/external/" not in page.url
    link = ExternalAccount.objects.get()
    assert (link.user, link.issuer, link.linked_by) == (director, provider.issuer, "email")
    assert AuditEntry.objects.filter(action="identity.external_sign_in", actor=director).exists()
    assert AuditEntry.objects.filter(action="identity.external_account_linked").count() == 1
    assert "Trần Văn Hùng" in page.inner_text("header") or "Hùng" in page.inner_text("body")

    # The same answer of the provider again (its code and state, in a new browser session):
    # refused, audited, nobody signed in.
    assert callbacks, "the provider never sent the browser back"
    page.context.clear_cookies()
    replay = page.goto(callbacks[0])
    assert replay.status == 400
    assert AuditEntry.objects.filter(action="identity.external_sign_in_refused").exists()
    assert ExternalAccount.objects.count() == 1
