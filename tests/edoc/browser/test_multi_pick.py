"""Issue 9, item 15, in Chromium: a leader picks coordinating units among many by typing part of
a name (with or without diacritics) and ticking, instead of Ctrl-clicking a list box."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from edoc.models import Unit
from edoc.models.organisation import UnitKind
from tests.browser_support import login, submit
from tests.edoc.ui.conftest import incoming  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_filters_and_ticks_units(page, users, units, catalogs, incoming):  # noqa: F811
    for number in range(1, 23):  # 28 units, as in the demo agency
        Unit.objects.create(
            agency=units["office"].agency,
            name=f"Trung tâm Y tế huyện số {number}",
            short_name=f"TTYT{number}",
            kind=UnitKind.HEALTH_CENTRE,
        )
    document = incoming()
    login(page, "giamdoc")
    page.goto(f"/documents/{document.pk}/")
    picker = page.locator("#field-coordinator_units")
    expect(picker.locator("input[type=checkbox]")).to_have_count(28)
    assert page.locator("select[multiple]").count() == 0

    # Without diacritics, two words in any order: only the pharmacy department stays.
    picker.locator("[data-multi-pick-filter]").fill("duoc phong")
    visible = picker.locator("[data-multi-pick-option]:visible")
    expect(visible).to_have_count(1)
    expect(visible).to_contain_text("Phòng Nghiệp vụ Dược")
    visible.locator("input").check()
    expect(picker.locator("[data-multi-pick-count]")).to_have_text("Đã chọn: 1")

    picker.locator("[data-multi-pick-filter]").fill("không có đơn vị này")
    expect(picker.locator("[data-multi-pick-none]")).to_be_visible()
    picker.locator("[data-multi-pick-filter]").fill("Biên Hòa")
    picker.locator("[data-multi-pick-option]:visible input").check()
    expect(picker.locator("[data-multi-pick-count]")).to_have_text("Đã chọn: 2")
    # Enter in the filter box does not send the form.
    picker.locator("[data-multi-pick-filter]").press("Enter")
    assert not document.assignments.exists()

    page.select_option("#assign-form select[name=lead_unit]", str(units["medical"].pk))
    submit(page, "#btn-assign")
    coordinating = set(
        document.assignments.filter(role="coordinator").values_list("unit_id", flat=True)
    )
    assert coordinating == {units["pharmacy"].pk, units["centre"].pk}
