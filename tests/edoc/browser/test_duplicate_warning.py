"""Issue 9 #4 in Chromium: choosing a PDF that is already in the book shows the warning with a
link to the earlier entry before "Vào sổ"; registering it needs the confirmation box."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from edoc.models import Document
from edoc.pdfgen import render_pdf, sample_document
from tests.browser_support import login, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_clerk_is_warned_before_registering_a_duplicate(page, users, tmp_path, screenshots):
    pdf = tmp_path / "ke-hoach-15.pdf"
    pdf.write_bytes(render_pdf(sample_document()))
    file_input = "#register-form input[name=file]"

    login(page, "vanthu")
    page.goto("/incoming/register/")
    page.set_input_files(file_input, str(pdf))
    expect(page.locator("#file-ok")).to_be_visible()
    expect(page.locator("#duplicate-proposal")).to_have_count(0)
    submit(page, "#btn-register")
    expect(page.locator("#incoming-number")).to_have_text("1")
    first = Document.objects.get()

    # The same PDF again: warned on the proposal, with the earlier entry one click away.
    page.goto("/incoming/register/")
    page.set_input_files(file_input, str(pdf))
    warning = page.locator("#duplicate-proposal")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Có thể trùng")
    expect(warning.locator("a.duplicate-link")).to_have_attribute("href", f"/documents/{first.pk}/")
    expect(warning.locator("a.duplicate-link")).to_contain_text("Số đến 1")
    page.screenshot(path=os.path.join(screenshots, "edoc-duplicate-warning.png"), full_page=True)

    # "Vào sổ" without ticking the box: refused, no number used.
    submit(page, "#btn-register")
    expect(page.locator("#field-confirm_duplicate .field-error")).to_be_visible()
    assert Document.objects.count() == 1

    # Chosen again (browsers do not keep a file across pages), confirmed: number 2.
    page.set_input_files(file_input, str(pdf))
    expect(page.locator("#file-ok")).to_be_visible()  # the proposal is back
    expect(page.locator("#duplicate-proposal")).to_be_visible()
    page.check("#id_confirm_duplicate")
    submit(page, "#btn-register")
    expect(page.locator("#incoming-number")).to_have_text("2")
    expect(page.locator("#duplicate-warning")).to_be_visible()
