"""Issue 14 part 4 in the browser: a user ends a session of another browser from the sessions
page, and a locked-out login shows its message on the login page."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from edoc.models import AuditEntry
from identity.models import UserSession
from tests.browser_support import login, submit
from tests.conftest import assert_no_csp_violations, watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ending_a_session_from_another_browser_signs_it_out(
    page, browser, live_server, users, screenshots
):
    other_context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    other_context.set_default_timeout(15_000)
    violations = watch_csp(other_context)
    other = other_context.new_page()
    try:
        login(other, "vanthu")
        expect(other.locator("#header-user")).to_be_visible()
        login(page, "vanthu")
        page.click("#nav-account")
        expect(page.locator("h1")).to_have_text("Phiên đăng nhập")
        rows = page.locator("#sessions-table tbody tr")
        expect(rows).to_have_count(2)
        expect(page.locator("#session-current")).to_have_count(1)

        mine = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
        other_row = UserSession.objects.exclude(session_key=mine).get()
        submit(page, f"#btn-end-session-{other_row.pk}")
        expect(page.locator("#messages")).to_contain_text("Đã kết thúc phiên đăng nhập")
        expect(page.locator("#sessions-table tbody tr")).to_have_count(1)
        page.screenshot(path=os.path.join(screenshots, "identity-sessions.png"), full_page=True)

        # The other browser is signed out at its next request.
        other.reload()
        expect(other.locator("#login-form")).to_be_visible()
        assert AuditEntry.objects.filter(action="auth.session_ended").count() == 1
    finally:
        other_context.close()
    assert_no_csp_violations(violations)


def test_a_locked_out_login_shows_its_message(page, users, settings, screenshots):
    settings.EDOC_LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        login(page, "vanthu", "sai-mat-khau")
    expect(page.locator("#lockout-message")).to_contain_text("Đăng nhập sai quá nhiều lần")
    login(page, "vanthu")  # the right password, refused while locked
    expect(page.locator("#lockout-message")).to_contain_text("15 phút")
    expect(page.locator("#login-form")).to_be_visible()
    page.screenshot(path=os.path.join(screenshots, "identity-lockout.png"), full_page=True)
    assert AuditEntry.objects.filter(action="auth.lockout").count() == 1
