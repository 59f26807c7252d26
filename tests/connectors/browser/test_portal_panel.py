"""The dossier page's public-service portal panel in Debian Chromium: a push that could not
reach the portal is shown pending with its error; "Gửi ngay" sends it once the portal is back."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from onestop import services
from tests.browser_support import login, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_sees_the_sync_state_and_sends_now(
    page, connected, officer, procedure, applicant, all_files, screenshots
):
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files()
    )  # committed; its push found the portal down
    login(page, officer.username)
    page.goto(f"/onestop/dossiers/{dossier.pk}/")
    panel = page.locator("#dossier-portal-sync")
    expect(panel).to_contain_text("Cổng dịch vụ công")
    expect(panel.locator("tr.portal-push")).to_have_count(1)
    expect(panel.locator("tr.portal-push")).to_contain_text("Chờ gửi")
    expect(panel.locator("tr.portal-push")).to_contain_text("Connection refused")
    page.screenshot(path=os.path.join(screenshots, "portal-panel-pending.png"), full_page=True)

    connected.start()
    submit(page, "#portal-sync-now")
    expect(page.locator("body")).to_contain_text("Đã gửi 1 gói tin")
    row = page.locator("#dossier-portal-sync tr.portal-push")
    expect(row).to_have_attribute("data-delivered", "yes")
    expect(page.locator("#portal-sync-now")).to_have_count(0)
    page.screenshot(path=os.path.join(screenshots, "portal-panel-sent.png"), full_page=True)
    assert connected.received()["dossiers"][dossier.code]["TrangThaiHoSo"] == "2"
