# ruff: noqa: F811 (the phone fixture, 375×812 with CSP violations failing the test, is onestop's)
"""Issue 12, citizen side, VietQR half, in Debian Chromium: on a phone-sized screen the citizen
chooses VietQR on the tracking page of a dossier waiting for its fee and sees the QR (drawn on
the server by segno) with the bank, account, amount and transfer content written out; the
one-stop officer imports the bank's statement (CSV) holding that transfer; the citizen's
tracking page then shows the fee paid, the receipt downloads, and the dossier is out of status 6.
Both browsers are watched for Content-Security-Policy violations."""

from __future__ import annotations

import os

import pytest
import segno
from playwright.sync_api import expect

from onestop.models import Dossier, FeeStatus
from onestop.selectors import tracking_token
from payments.models import OrderState, PaymentOrder
from payments.providers.base import PROVIDERS, register_provider
from payments.providers.vietqr import VietQrProvider, build_payload, decode_payload
from tests.browser_support import login, submit
from tests.onestop.browser.test_onestop_flow import _fits_the_screen, phone  # noqa: F401
from tests.payments.browser.test_pay_on_a_phone import paid_and_receipt_downloads

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def vietqr():
    register_provider(
        VietQrProvider(
            bank_bin="970436", account_number="0071000123456", account_name="SO Y TE DONG NAI"
        )
    )
    yield
    PROVIDERS.pop("vietqr", None)


def test_a_citizen_pays_the_fee_on_a_phone_by_vietqr(
    phone, page, owing: Dossier, vietqr, officer, screenshots, tmp_path
):
    phone.goto(f"/portal/t/{tracking_token(owing)}/")
    expect(phone.locator("#payment-form")).to_contain_text("VietQR")
    phone.check("#payment-form input[value=vietqr]")
    with phone.expect_navigation():
        phone.click("#btn-pay")

    order = PaymentOrder.objects.get(state=OrderState.PENDING)
    assert order.provider == "vietqr"
    expect(phone.locator("#payment-qr-image")).to_be_visible()
    box = phone.locator("#payment-qr-image").bounding_box()
    assert box["width"] >= 200 and box["x"] + box["width"] <= 375
    expect(phone.locator("#transfer-bank")).to_have_text("Vietcombank")
    expect(phone.locator("#transfer-account")).to_have_text("0071000123456")
    expect(phone.locator("#transfer-holder")).to_have_text("SO Y TE DONG NAI")
    expect(phone.locator("#transfer-amount")).to_have_text("360.000 đ")
    expect(phone.locator("#transfer-content")).to_have_text(order.code)
    # The image is the QR of exactly this payload (bank BIN, account, amount, order code),
    # drawn by segno on the server: a data URI, no script, nothing fetched from elsewhere.
    payload = build_payload("970436", "0071000123456", 360_000, order.code)
    fields = decode_payload(payload)
    assert fields["54"] == "360000" and fields["62"]["08"] == order.code
    source = phone.locator("#payment-qr-image").get_attribute("src")
    assert source == segno.make(payload, error="m").svg_data_uri(scale=6)
    _fits_the_screen(phone)
    phone.screenshot(path=os.path.join(screenshots, "payments-vietqr-1-qr.png"), full_page=True)

    # The citizen transfers from their bank's app; the agency's statement shows it. The
    # officer imports it.
    statement = tmp_path / "sao-ke-06-12-2026.csv"
    statement.write_text(
        "Ngày giao dịch;Số tham chiếu;Số tiền ghi nợ;Số tiền ghi có;Nội dung\n"
        f"06/12/2026 09:41:07;FT26340812345;;360.000;NGUYEN VAN AN chuyen tien {order.code}\n"
        "06/12/2026 10:02:00;FT26340899999;;50.000;Ung ho quy khuyen hoc\n",
        encoding="utf-8",
    )
    login(page, officer.username)
    page.goto("/payments/statements/")
    page.set_input_files("#statement-file", str(statement))
    submit(page, "#btn-import-statement")
    expect(page.locator("#messages")).to_contain_text("1 giao dịch khớp")
    expect(page.locator("#transfers-to-review .statement-transfer")).to_have_count(1)
    page.screenshot(path=os.path.join(screenshots, "payments-vietqr-2-import.png"), full_page=True)

    order.refresh_from_db()
    assert order.state == OrderState.PAID and order.provider_reference == "FT26340812345"
    with phone.expect_navigation():
        phone.click("text=Về trang tra cứu hồ sơ")
    expect(phone.locator("#payment-state")).to_contain_text("VietQR")
    receipt = paid_and_receipt_downloads(
        phone, os.path.join(screenshots, "payments-vietqr-3-paid.png")
    )

    owing.refresh_from_db()
    assert owing.status == Dossier.Status.PROCESSING and owing.fee_status == FeeStatus.PAID
    assert receipt.method == "vietqr" and receipt.amount == 360_000
