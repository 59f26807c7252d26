"""In Debian Chromium: an administrator without a second factor is asked to enrol before
reaching the admin, enrols by scanning (here: reading) the key, reaches the admin; next time
the code is asked after the password, and a remembered browser is not asked again."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser_support import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(secret: str, steps_ahead: int = 0) -> str:
    """The TOTP (RFC 6238, 30 s, 6 digits) of the base32 key shown on the enrolment page."""
    text = secret.replace(" ", "")
    key = base64.b32decode(text + "=" * (-len(text) % 8))
    return f"{totp(key, drift=steps_ahead):06d}"


def sign_in(page, username: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    submit(page, "#btn-login")


@pytest.mark.usefixtures("live_server")
def test_an_administrator_enrols_before_reaching_the_admin(page, users, settings, screenshots):
    settings.EDOC_2FA_POLICY = True
    # The admin pages name no icon: Chromium fetches /favicon.ico late, and its 404 page (with
    # the language form's CSRF token) can replace the CSRF cookie of a login form just loaded.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    admin = users["clerk"]
    admin.is_staff = admin.is_superuser = True
    admin.save()

    sign_in(page, "vanthu", "/admin/")
    assert "/identity/2fa/setup/" in page.url
    expect(page.locator("#twofactor-required")).to_be_visible()
    qr = page.locator("#twofactor-qr")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert page.evaluate("document.querySelector('#twofactor-qr').naturalWidth") > 100
    secret = page.locator("#twofactor-secret").inner_text()

    # Not yet: the admin still sends back to the enrolment.
    page.goto("/admin/")
    assert "/identity/2fa/setup/" in page.url

    page.fill("#id_code", code_for(secret))
    submit(page, "#btn-twofactor-confirm")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.screenshot(path=f"{screenshots}/twofactor-recovery-codes.png")
    submit(page, "#btn-recovery-continue")
    assert page.url.endswith("/admin/")
    expect(page.locator("#site-name, #header")).not_to_have_count(0)

    # Next sign-in: the code after the password; this browser is remembered.
    page.context.clear_cookies()
    sign_in(page, "vanthu", "/admin/")
    assert "/identity/2fa/verify/" in page.url
    page.fill("#id_code", code_for(secret, 1))
    page.check("#id_remember")
    submit(page, "#btn-twofactor-verify")
    assert page.url.endswith("/admin/")

    # Signed out but remembered: the password alone is enough for 30 days.
    remembered = [c for c in page.context.cookies() if c["name"] == "edoc_2fa_remember"]
    assert remembered and remembered[0]["httpOnly"]
    page.context.clear_cookies()
    page.context.add_cookies(remembered)
    sign_in(page, "vanthu", "/admin/")
    assert page.url.endswith("/admin/")
