"""Headless Debian Chromium driven by Playwright against Django's live server."""

from __future__ import annotations

import os
import tempfile

import pytest

from tests.conftest import CHROMIUM

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test thread; the ORM calls made
    # by fixtures and assertions in that thread are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="vi-VN", viewport={"width": 1400, "height": 1000}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshots():
    """Where a failing browser test leaves its screenshots."""
    path = os.environ.get("EDOC_SCREENSHOTS", tempfile.gettempdir())
    os.makedirs(path, exist_ok=True)
    return path


def login(page, username: str, password: str | None = None) -> None:
    """Log in through the real login form (fixtures use the password "pw-<username>")."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password or f"pw-{username}")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state("networkidle")


def submit(page, selector: str) -> None:
    """Click a button that posts a form and wait for the resulting page, so that what the
    server did is in the database before the test looks."""
    with page.expect_navigation():
        page.click(selector)
