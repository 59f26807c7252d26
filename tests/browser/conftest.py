"""Helpers for browser tests (the `browser` and `page` fixtures live in tests/conftest.py)."""

from __future__ import annotations


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
