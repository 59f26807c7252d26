"""Issue 12, reconciliation: the officer opens "Đối soát" from the cash book, uploads VNPAY's
settlement file of a day and sees each transaction in its category; a bad file gets the
form's message."""

from __future__ import annotations

import datetime
import os

import pytest
from playwright.sync_api import expect

from payments.models import ReconciliationRun
from tests.browser_support import login, submit
from workflows.calendar import VN_TZ

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AT = datetime.datetime(2026, 12, 5, 10, 15, tzinfo=VN_TZ)


def test_the_officer_reconciles_a_vnpay_file(page, officer, make_order, screenshots):
    matched = make_order(360_000, "vnpay", paid_at=AT, reference="14000001")
    differs = make_order(100_000, "vnpay", paid_at=AT, reference="14000002")
    absent = make_order(50_000, "vnpay", paid_at=AT, reference="14000003")
    rows = [
        "CỔNG THANH TOÁN VNPAY - DANH SÁCH GIAO DỊCH;;;;",
        "Mã GD VNPAY;Mã đơn hàng;Số tiền (VND);Thời gian thanh toán;Trạng thái",
        f"14000001;{matched.code};360.000;05/12/2026 10:20:00;Thành công",
        f"14000002;{differs.code};120.000;05/12/2026 10:21:00;Thành công",
        "14000009;TT261205ABCDEF01;75.000;05/12/2026 11:00:00;Thành công",
    ]
    csv = "\n".join(rows).encode("utf-8")

    login(page, officer.username)
    page.click("#nav-cash-book")
    page.click("#link-reconciliations")
    page.select_option("#id_provider", "vnpay")
    page.fill("#id_day", "2026-12-05")
    page.set_input_files(
        "#id_file", files=[{"name": "empty.csv", "mimeType": "text/csv", "buffer": b""}]
    )
    submit(page, "#btn-reconcile")
    expect(page.locator("#field-file .field-error")).to_contain_text("rỗng")
    assert not ReconciliationRun.objects.exists()

    page.fill("#id_day", "2026-12-05")
    page.set_input_files(
        "#id_file", files=[{"name": "vnpay-05-12.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    submit(page, "#btn-reconcile")
    expect(page.locator("#count-matched")).to_have_text("1")
    expect(page.locator("#count-amount_mismatch")).to_have_text("1")
    expect(page.locator("#count-missing_ours")).to_have_text("1")
    expect(page.locator("#count-missing_theirs")).to_have_text("1")
    expect(page.locator("#section-matched")).to_contain_text(matched.code)
    expect(page.locator("#section-amount_mismatch")).to_contain_text("120.000 đ")
    expect(page.locator("#section-missing_ours")).to_contain_text("TT261205ABCDEF01")
    expect(page.locator("#section-missing_theirs")).to_contain_text(absent.code)
    page.screenshot(path=os.path.join(screenshots, "payments-reconciliation.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#btn-reconciliation-xlsx")
    assert download.value.suggested_filename == "doi-soat-vnpay-20261205.xlsx"
