"""Issue 9, item 13, in Chromium at 390×844 (a phone): the staff header folds into a menu, the
search box takes the whole width, and the task list and document lists show each row as a card
in which the subject and the deadline are on screen."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from edoc.models import User
from edoc.models.organisation import Role
from edoc.services.documents import outgoing_create
from edoc.services.handling import document_assign
from tests.browser_support import login
from tests.edoc.ui.conftest import incoming as incoming  # the fixture
from workflows.shipped import install_shipped_definitions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _on_screen(locator) -> dict:
    """The element's box; it must be shown and lie within the phone's width."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, box
    return box


def _cell(page, table: str, row: str, heading: str):
    """The cell of `row` under the column headed `heading` (found by its position)."""
    headings = page.locator(f"{table} thead th").evaluate_all(
        "cells => cells.map(cell => cell.textContent.trim())"
    )
    index = headings.index(heading)
    return page.locator(f"{table} tbody tr{row} > td").nth(index)


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


@pytest.fixture
def documents(users, units, catalogs, incoming):
    deadline = timezone.localdate() + datetime.timedelta(days=9)
    received = incoming("Về việc rà soát danh sách cơ sở khám bệnh, chữa bệnh năm 2026")
    document_assign(
        user=users["director"], document=received, lead_user=users["specialist"], deadline=deadline
    )
    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    install_shipped_definitions(admin=admin, office=units["office"])
    draft = outgoing_create(
        user=users["specialist"],
        subject="Kế hoạch kiểm tra công tác phòng chống dịch năm 2027",
        document_type=catalogs["types"]["KH"],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        signer=users["director"],
    )
    return received, draft, deadline


def test_staff_pages_fit_a_phone(page, users, documents, screenshots):
    received, draft, deadline = documents
    page.set_viewport_size(PHONE)
    login(page, "chuyenvien")

    # The task list: the header is two short rows, the search box spans the width.
    page.goto("/workflows/tasks/")
    header = _on_screen(page.locator("#topbar"))
    assert header["height"] <= 112
    search = _on_screen(page.locator("#search-q"))
    assert search["width"] >= 260
    assert not page.locator("#btn-logout").is_visible()  # folded into the menu
    _no_sideways_scroll(page)
    task = page.locator("#inbox-table tbody tr").first
    _on_screen(task.locator(".task-link"))
    deadline_cell = _cell(page, "#inbox-table", ":first-child", "Hạn xử lý")
    _on_screen(deadline_cell)
    expect(deadline_cell).to_contain_text(":")  # a time and a date
    assert deadline_cell.evaluate("td => getComputedStyle(td, '::before').content") == '"Hạn xử lý"'
    page.screenshot(path=f"{screenshots}/edoc-phone-tasks.png", full_page=True)

    # The menu opens from the toggle, holds the pages and the logout button, and closes.
    page.click("#menu-toggle")
    expect(page.locator("#nav-incoming")).to_be_in_viewport(ratio=1)  # slid in
    _on_screen(page.locator("#nav-incoming"))
    _on_screen(page.locator("#btn-logout-menu"))
    page.screenshot(path=f"{screenshots}/edoc-phone-menu.png")
    page.keyboard.press("Escape")
    expect(page.locator("#menu-toggle")).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#nav-incoming")).not_to_be_in_viewport()

    # Incoming and outgoing lists: each document is a card with its subject and deadline.
    page.goto("/incoming/")
    _no_sideways_scroll(page)
    row = f"[data-document='{received.pk}']"
    _on_screen(page.locator(f"#document-table tr{row} .subject"))
    cell = _on_screen(page.locator(f"#document-table tr{row} td.col-deadline"))
    assert cell["height"] > 0
    expect(page.locator(f"#document-table tr{row} td.col-deadline")).to_contain_text(
        deadline.strftime("%d/%m/%Y")
    )
    page.screenshot(path=f"{screenshots}/edoc-phone-incoming.png", full_page=True)

    page.goto("/outgoing/")
    _no_sideways_scroll(page)
    row = f"[data-document='{draft.pk}']"
    _on_screen(page.locator(f"#document-table tr{row} .subject"))
    _on_screen(page.locator(f"#document-table tr{row} td.col-deadline"))
    assert _on_screen(page.locator("#search-q"))["width"] >= 260

    # The pending page too.
    page.goto("/")
    _no_sideways_scroll(page)
