"""Issue 9, item 12, in Chromium at 1366 px: the process diagram is readable (every label at
least 11 px on screen, measured with getBoundingClientRect), names steps instead of ids, writes
conditions in words, and zooms and pans."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from edoc.models import User
from edoc.models.organisation import Role
from tests.browser_support import login
from tests.edoc.ui.conftest import incoming as incoming  # the fixture
from workflows.models import ProcessRun
from workflows.shipped import incoming_graph, install_shipped_definitions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = """svg => Array.from(svg.querySelectorAll('text')).map(t => ({
    text: t.textContent,
    size: parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a,
    height: t.getBoundingClientRect().height,
}))"""
CONDITION_WORDS = "Xử lý chính được giao cho cá nhân"


def _labels(page) -> list[dict]:
    return page.locator("#diagram svg").evaluate(MEASURE)


def _assert_readable(labels: list[dict]) -> None:
    assert len(labels) > 20
    small = [label for label in labels if label["size"] < 11 or label["height"] < 11]
    assert small == []
    drawn = " ".join(label["text"] for label in labels)
    assert "Lãnh đạo Sở phân công" in drawn and "Trưởng phòng" in drawn
    assert all(word in drawn for word in CONDITION_WORDS.split())
    step_ids = [step["id"] for step in incoming_graph()["steps"]]
    assert [i for i in step_ids if i in drawn.split()] == []
    assert "lead_is_person" not in drawn and "!=" not in drawn


@pytest.fixture
def designer(units) -> User:
    return User.objects.create_user(
        username="quantri", password="pw-quantri", unit=units["office"], role=Role.ADMIN
    )


def test_the_process_diagram_is_readable_and_zooms(
    page,
    users,
    units,
    catalogs,
    designer,
    incoming,
    screenshots,
):
    (definition, _outgoing) = install_shipped_definitions(admin=designer, office=units["office"])
    document = incoming()
    run = ProcessRun.objects.get(document=document)
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, "quantri")

    page.goto(f"/workflows/processes/{run.pk}/")
    expect(page.locator("[data-diagram-tools]")).to_be_visible()
    # The current step is brought into view.
    current = page.locator("#diagram .is-current").bounding_box()
    frame_box = page.locator("#diagram").bounding_box()
    assert frame_box["x"] <= current["x"]
    assert current["x"] + current["width"] <= frame_box["x"] + frame_box["width"]
    page.screenshot(path=f"{screenshots}/edoc-process-diagram-1366.png", full_page=True)
    _assert_readable(_labels(page))

    # Zoom in and out around the middle, back to the actual size, and the whole diagram.
    frame = page.locator("#diagram")
    page.click("[data-zoom=in]")
    expect(page.locator("[data-diagram-scale]")).to_have_text("125%")
    assert min(label["size"] for label in _labels(page)) >= 15
    page.click("[data-zoom=reset]")
    expect(page.locator("[data-diagram-scale]")).to_have_text("100%")
    page.click("[data-zoom=fit]")
    fitted = frame.evaluate(
        "f => [f.querySelector('svg').getBoundingClientRect().width, f.clientWidth]"
    )
    assert fitted[0] <= fitted[1]
    page.click("[data-zoom=reset]")

    # Drag to the right part of the diagram.
    box = frame.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 40, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    assert frame.evaluate("f => f.scrollLeft") > 300

    # The designer draws the same diagram, as readable.
    page.goto(f"/workflows/designer/{definition.pk}/")
    page.screenshot(path=f"{screenshots}/edoc-designer-diagram-1366.png")
    _assert_readable(_labels(page))
    expect(page.locator("#steps-table")).to_contain_text(CONDITION_WORDS)
