"""Issue 13: a district officer finds a person of their district by a name typed without
diacritics, opens the record's timeline, prints the summary with a reason, and is refused
(404) the record of a person of another district."""

from __future__ import annotations

import os
from datetime import date, datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from edoc.models import AuditEntry
from health import services
from tests.browser_support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_district_officer_opens_a_timeline_and_not_another_districts_record(
    page, people, officers, codes, facility, screenshots
):
    an = people["an"]
    services.vaccination_add(
        actor=None,
        person=an,
        vaccine=codes["mr"],
        dose_number=1,
        given_on=date(1991, 6, 1),
        facility=facility,
        source="tcqg.csv",
        row_key="3",
    )
    services.visit_add(
        actor=None,
        person=an,
        facility=facility,
        admitted_at=timezone.make_aware(datetime(2024, 5, 2, 8, 0)),
        main_diagnosis=codes["I10"],
        secondary_diagnoses=[codes["E11"]],
        outcome="2",
        source="his-75001",
        row_key="LK1",
    )
    login(page, officers["bien_hoa"].username)
    page.click("#nav-health")
    page.click("#btn-person-new")
    expect(page.locator("#id_commune option")).not_to_have_count(0)
    page.screenshot(path=os.path.join(screenshots, "health-new.png"), full_page=True)
    page.click("#nav-health")
    page.fill("#people-q", "nguyen van an")
    page.click("#people-search button")
    rows = page.locator("#people .person-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("0751******34")
    rows.get_by_role("link", name="Nguyễn Văn An").click()
    timeline = page.locator("#timeline li")
    expect(timeline).to_have_count(2)
    expect(timeline.first).to_contain_text("02/05/2024")
    expect(timeline.first).to_contain_text("I10")
    expect(timeline.nth(1)).to_contain_text("Vắc xin sởi - rubella (MR)")
    page.screenshot(path=os.path.join(screenshots, "health-person.png"), full_page=True)

    page.fill("#id_reason", "Chuyển tuyến điều trị")
    with page.expect_popup() as popup_info:
        page.click("#summary-form button")
    summary = popup_info.value
    expect(summary.locator(".summary-head")).to_contain_text("HỒ SƠ QUẢN LÝ SỨC KHỎE")
    summary.screenshot(path=os.path.join(screenshots, "health-summary.png"), full_page=True)

    response = page.goto(f"/health/people/{people['binh'].pk}/")
    assert response.status == 404
    assert AuditEntry.objects.filter(action="health.person_viewed").count() == 1
    assert AuditEntry.objects.filter(action="health.person_exported").count() == 1
