"""Issue 13: a district officer adds a chronic condition to a record by searching the ICD-10
catalogue with words typed without diacritics, sees it on the page without a reload (htmx),
and adds a vaccination by hand that lands on the timeline."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from edoc.models import AuditEntry
from tests.browser_support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_adds_a_chronic_condition_through_the_icd10_search(
    page, people, officers, codes, facility, screenshots
):
    an = people["an"]
    login(page, officers["bien_hoa"].username)
    page.goto(f"/health/people/{an.pk}/")
    expect(page.locator("#conditions")).to_contain_text("Chưa ghi nhận")
    page.click("#btn-add-condition")
    box = page.locator("#form-condition input[name=icd10]")
    box.press_sequentially("tang huyet", delay=30)
    choice = page.locator("#form-condition .icd10-choice", has_text="I10")
    expect(choice).to_have_count(1)
    page.screenshot(path=os.path.join(screenshots, "health-icd10-search.png"), full_page=True)
    choice.click()
    expect(box).to_have_value("I10")
    page.fill("#form-condition input[name=since]", "2015-04-01")
    page.click("#btn-save-condition")
    expect(page.locator("#form-condition")).to_have_count(0)
    conditions = page.locator("#conditions li")
    expect(conditions).to_have_count(1)
    expect(conditions.first).to_contain_text("I10")
    expect(conditions.first).to_contain_text("Bệnh lý tăng huyết áp")
    expect(conditions.first).to_contain_text("01/04/2015")

    page.click("#btn-add-vaccination")
    page.select_option("#form-vaccination select[name=vaccine]", label="Vắc xin sởi - rubella (MR)")
    page.fill("#form-vaccination input[name=dose_number]", "1")
    page.fill("#form-vaccination input[name=given_on]", "1991-06-01")
    page.click("#btn-save-vaccination")
    timeline = page.locator("#timeline li")
    expect(timeline).to_have_count(1)
    expect(timeline.first).to_contain_text("Vắc xin sởi - rubella (MR)")
    expect(timeline.first).to_contain_text("nhập tay")
    page.screenshot(path=os.path.join(screenshots, "health-edited.png"), full_page=True)

    page.reload()
    expect(page.locator("#conditions li").first).to_contain_text("I10")

    # The printable summary carries part II and the timeline, in Vietnamese, without the
    # editing buttons; printed (print media), the print button is gone too.
    page.fill("#id_reason", "Chuyển tuyến điều trị")
    with page.expect_popup() as popup_info:
        page.click("#summary-form button")
    summary = popup_info.value
    expect(summary.locator("#record-history")).to_contain_text("Tiền sử và các yếu tố")
    expect(summary.locator("#conditions")).to_contain_text("Bệnh lý tăng huyết áp vô căn")
    expect(summary.locator("#timeline")).to_contain_text("Vắc xin sởi - rubella (MR), mũi 1")
    expect(summary.locator("#btn-add-condition")).to_have_count(0)
    summary.emulate_media(media="print")
    expect(summary.locator("#btn-print")).to_be_hidden()
    summary.pdf(path=os.path.join(screenshots, "health-summary-print.pdf"))
    assert an.conditions.get().icd10 == codes["I10"]
    assert AuditEntry.objects.filter(action="health.history_added").count() == 1
    assert AuditEntry.objects.filter(action="health.vaccination_added").count() == 1
