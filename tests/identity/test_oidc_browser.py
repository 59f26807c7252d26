"""The demo relying party (tools/oidc_demo_rp.py) in Chromium: a user who signed in at eDoc
reaches the relying party without typing a password again, and logs out of both."""

from __future__ import annotations

import socket
import threading

import pytest

from edoc.models import AuditEntry
from identity.oidc import AUDIT_GRANT
from tests.browser_support import login, submit
from tests.identity.conftest import EVERY_SCOPE, SECRET, make_client
from tools.oidc_demo_rp import QuietHandler, RelyingParty, make_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def demo_rp(live_server, users):
    """The demo relying party on a loopback port, registered as one of the agency's apps."""
    from wsgiref.simple_server import make_server

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    application = make_client(
        "Ứng dụng thử nghiệm",
        internal=True,
        redirect_uri=f"{base}/callback",
        post_logout_redirect_uri=f"{base}/",
    )
    rp = RelyingParty(
        f"{live_server.url}/o", application.client_id, SECRET, f"{base}/callback", EVERY_SCOPE
    )
    server = make_server("127.0.0.1", port, make_app(rp, base), handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_signed_in_at_edoc_the_user_reaches_the_relying_party_without_a_password(
    page, live_server, users, demo_rp, screenshots
):
    login(page, "giamdoc")  # the one time the password is typed
    page.goto(f"{demo_rp}/")
    with page.expect_navigation(url=f"{demo_rp}/"):
        page.click("#rp-login")
    try:
        page.wait_for_selector("#rp-claims")
    except Exception:
        page.screenshot(path=f"{screenshots}/oidc-rp.png")
        raise
    assert page.locator("input[type=password]").count() == 0
    assert page.inner_text("#rp-user") == "Xin chào Trần Văn Hùng"
    claims = page.inner_text("#rp-claims")
    assert '"unit_name": "Ban Giám đốc Sở"' in claims and '"roles": [' in claims
    assert '"agency_code": "000.00.23.H19"' in claims
    assert AuditEntry.objects.filter(action=AUDIT_GRANT, actor=users["director"]).count() == 1

    # RP-initiated logout: eDoc asks (in Vietnamese), then both sessions are over.
    page.click("#rp-logout")
    page.wait_for_selector("#btn-oidc-logout")
    assert "yêu cầu đăng xuất bạn khỏi eDoc" in page.inner_text("#oidc-logout")
    submit(page, "#btn-oidc-logout")
    page.wait_for_selector("#rp-login")
    assert page.url.startswith(demo_rp)
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url


def test_a_user_not_signed_in_signs_in_at_edoc_on_the_way(page, users, demo_rp):
    page.goto(f"{demo_rp}/")
    page.click("#rp-login")
    page.wait_for_selector("#login-form")
    page.fill("input[name=username]", "chuyenvien")
    page.fill("input[name=password]", "pw-chuyenvien")
    page.click("#btn-login")
    page.wait_for_selector("#rp-claims")
    assert page.inner_text("#rp-user") == "Xin chào Võ Thành Nam"
