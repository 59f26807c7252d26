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


def canvas_is_drawn(page) -> bool:
    """Some pixels of the first page's canvas in the task page's PDF viewer are dark: pdf.js
    drew the document's text on it."""
    return page.evaluate(
        """() => {
          const canvas = document.querySelector("#pdf-viewer canvas[data-drawn]");
          if (!canvas) return false;
          const context = canvas.getContext("2d");
          const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
          let dark = 0;
          for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3] > 0 && data[i] < 128 && data[i + 1] < 128 && data[i + 2] < 128) dark++;
          }
          return dark > 500;
        }"""
    )


def draft_and_submit(page, *, type_label: str, subject: str, signer_pk: int, pdf_path) -> None:
    """The drafter composes an outgoing document with its PDF ("Soạn văn bản đi"), saves the
    draft and submits it from the document page."""
    page.click("#nav-compose")
    page.select_option("#outgoing-form select[name=document_type]", label=type_label)
    page.fill("#outgoing-form textarea[name=subject]", subject)
    page.select_option("#outgoing-form select[name=signer]", str(signer_pk))
    page.set_input_files("#outgoing-form input[name=file]", str(pdf_path))
    submit(page, "#btn-save-draft")
    submit(page, "#btn-submit")
