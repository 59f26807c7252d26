"""In Chromium: the UBND's clerk finds the Sở Y tế's document under "Văn bản điện tử đến",
opens it with the form filled from the message and registers it; the Sở Y tế's document page
shows 01 and 03 for that recipient. No page breaks the Content-Security-Policy."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from edoc.background import wait_until_idle
from tests.browser_support import login, submit
from tests.connectors.test_exchange import issue_to_ubnd

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_clerk_registers_an_electronic_arrival(
    page, users, catalogs, pdf_bytes, routes, partner, screenshots
):
    letter = issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)

    login(page, "vanthu_ubnd")
    expect(page.locator("#nav-arrivals-count")).to_have_text("1")
    page.click("#nav-arrivals")
    page.click(f"text={letter.subject}")
    expect(page.locator("input[name=number]")).to_have_value(letter.number)
    expect(page.locator("input[name=notation]")).to_have_value(letter.notation)
    expect(page.locator("#proposal-notice")).to_contain_text("gói tin điện tử")
    expect(page.locator("#register-fields .hint-proposed").first).to_have_text(
        "Điền từ gói tin điện tử — vui lòng kiểm tra"
    )
    expect(page.locator("#arrival-signatures")).to_contain_text("Không có chữ ký số")
    page.screenshot(path=os.path.join(screenshots, "connectors-arrival.png"), full_page=True)
    submit(page, "#btn-register")
    expect(page.locator("#incoming-number")).to_have_text("1")
    assert wait_until_idle(60)

    login(page, "vanthu")
    page.goto(f"/documents/{letter.pk}/")
    timeline = page.locator("#exchange .exchange-status")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(0)).to_contain_text("01 — Đã đến")
    expect(timeline.nth(1)).to_contain_text("03 — Đã tiếp nhận")
    page.screenshot(path=os.path.join(screenshots, "connectors-timeline.png"), full_page=True)


def test_the_sender_recalls_and_the_recipient_agrees(
    page, users, catalogs, pdf_bytes, routes, partner, screenshots
):
    letter = issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)

    login(page, "vanthu")
    page.goto(f"/documents/{letter.pk}/")
    page.click("#exchange .exchange-recall summary")
    page.fill("#id_recall_reason", "Gửi nhầm nơi nhận")
    submit(page, "#btn-recall")
    expect(page.locator("#exchange span[id^=recall-]")).to_have_text("Đã yêu cầu thu hồi")
    expect(page.locator("#recall-form")).to_have_count(0)  # recalled from every recipient
    assert wait_until_idle(60)

    login(page, "vanthu_ubnd")
    page.goto("/connectors/arrivals/")
    page.click("#arrivals-waiting .badge-danger + a")
    expect(page.locator("#recall-reason")).to_have_text("Gửi nhầm nơi nhận")
    page.screenshot(path=os.path.join(screenshots, "connectors-recall.png"), full_page=True)
    submit(page, "#btn-recall-agree")
    expect(page.locator("#arrivals-waiting")).to_contain_text("Không có văn bản nào đang chờ")
    assert wait_until_idle(60)

    login(page, "vanthu")
    page.goto(f"/documents/{letter.pk}/")
    expect(page.locator("#exchange .exchange-status").last).to_contain_text("15 — Đồng ý thay đổi")


def test_the_sender_updates_and_the_recipient_agrees(
    page, users, catalogs, pdf_bytes, routes, partner, screenshots
):
    letter = issue_to_ubnd(users, catalogs, pdf_bytes)
    assert wait_until_idle(60)

    login(page, "vanthu")
    page.goto(f"/documents/{letter.pk}/")
    page.click("#exchange .exchange-update summary")
    page.fill("#id_update_reason", "Sửa trích yếu và hạn xử lý")
    page.fill("#id_update_subject", f"{letter.subject} (sửa đổi)")
    page.fill("#id_update_due_date", "2027-01-15")
    page.set_input_files(
        "#id_update_file",
        files=[
            {
                "name": "ban-sua.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes(["Bản sửa đổi"]),
            }
        ],
    )
    submit(page, "#btn-update")
    expect(page.locator("#exchange span[id^=update-]")).to_have_text("Đã gửi cập nhật")
    page.click("#exchange .exchange-replace summary")
    page.screenshot(path=os.path.join(screenshots, "connectors-update-sent.png"), full_page=True)
    assert wait_until_idle(60)

    login(page, "vanthu_ubnd")
    page.goto("/connectors/arrivals/")
    page.click("#arrivals-waiting .badge-warning + a")
    expect(page.locator("#change-reason")).to_have_text("Sửa trích yếu và hạn xử lý")
    expect(page.locator("#update-changes")).to_contain_text("(sửa đổi)")
    page.screenshot(path=os.path.join(screenshots, "connectors-update.png"), full_page=True)
    submit(page, "#btn-change-agree")
    expect(page.locator("#arrivals-waiting")).to_contain_text(f"{letter.subject} (sửa đổi)")
    assert wait_until_idle(60)

    login(page, "vanthu")
    page.goto(f"/documents/{letter.pk}/")
    expect(page.locator("#exchange .exchange-status").last).to_contain_text("15 — Đồng ý thay đổi")
