# ruff: noqa: F811 (the phone fixture, 375×812 with CSP violations failing the test, is onestop's)
"""Issue 12, citizen side, in Debian Chromium on a phone-sized screen: the citizen opens the
tracking page of a dossier waiting for its fee, presses "Thanh toán", pays on the VNPAY
stand-in's page, comes back to eDoc, sees the payment confirmed and downloads the receipt; the
dossier is back in processing. The stand-in's IPN reaches the live server on its own."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from onestop.models import Dossier, FeeStatus
from onestop.selectors import tracking_token
from payments.models import OrderState, PaymentOrder, Receipt
from tests.onestop.browser.test_onestop_flow import _fits_the_screen, phone  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_pays_the_fee_on_a_phone_through_vnpay(
    phone, owing: Dossier, vnpay_standin, screenshots
):
    phone.goto(f"/portal/t/{tracking_token(owing)}/")
    expect(phone.locator("#payment")).to_be_visible()
    expect(phone.locator("#payment-title")).to_have_text("Thanh toán")
    expect(phone.locator("#payment-form label").first).to_contain_text("VNPAY")
    phone.screenshot(path=os.path.join(screenshots, "payments-1-tracking.png"), full_page=True)
    _fits_the_screen(phone)

    phone.click("#btn-pay")  # through "taking you to VNPAY…", which moves on by itself
    phone.wait_for_url(f"{vnpay_standin.url}/**")  # at the (stand-in) provider
    expect(phone.locator("body")).to_contain_text("THỬ NGHIỆM")
    with phone.expect_navigation():
        phone.click("button[value=pay]")

    # Back on eDoc's return page: paid once the IPN arrived (it may come a moment later).
    assert "/payments/return/vnpay/" in phone.url
    order = PaymentOrder.objects.get(provider="vnpay")
    for _attempt in range(20):
        if phone.locator('#order-state[data-state="paid"]').count():
            break
        phone.wait_for_timeout(250)
        phone.reload()
    expect(phone.locator("#order-state")).to_have_attribute("data-state", "paid")
    expect(phone.locator("#order-code")).to_have_text(order.code)
    _fits_the_screen(phone)
    phone.screenshot(path=os.path.join(screenshots, "payments-2-return.png"), full_page=True)

    with phone.expect_navigation():
        phone.click("#btn-back-dossier")
    paid_and_receipt_downloads(phone, os.path.join(screenshots, "payments-3-receipt.png"))

    order.refresh_from_db()
    owing.refresh_from_db()
    assert order.state == OrderState.PAID
    assert owing.status == Dossier.Status.PROCESSING and owing.fee_status == FeeStatus.PAID


def paid_and_receipt_downloads(phone, screenshot: str) -> Receipt:
    """The tracking page shows the dossier processing and its fee paid, and the receipt's PDF
    downloads under its numbered name; the page fits the phone's screen."""
    expect(phone.locator("#status-name")).to_have_text("Đang xử lý")
    expect(phone.locator("#payment-state")).to_contain_text("Đã thanh toán")
    with phone.expect_download() as download_info:
        phone.click("#btn-payment-receipt")
    receipt = Receipt.objects.get()
    download = download_info.value
    assert download.suggested_filename == f"bien-lai-{receipt.year}-{receipt.number:07d}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    _fits_the_screen(phone)
    phone.screenshot(path=screenshot, full_page=True)
    return receipt
