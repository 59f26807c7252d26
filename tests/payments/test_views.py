"""The payment pages and endpoints: IPN answers over HTTP, the payer's return (display only),
the "Thanh toán" button of the tracking page, the receipt's public page and PDF, the counter
and the cash book."""

from __future__ import annotations

import subprocess
import urllib.parse
from html import unescape

import pytest
from django.urls import reverse

from edoc.pdfium import pdfium_document
from onestop.models import FeeStatus
from onestop.selectors import tracking_token
from payments import services
from payments.models import OrderState, PaymentOrder, Receipt
from payments.pdf import amount_in_words
from tests.onestop import test_portal
from tests.payments.conftest import ipn_params

pytestmark = pytest.mark.django_db


# Empty rate-limit counters around each test (the portal's own fixture).
_fresh_rate_limits = test_portal._fresh_rate_limits


def _open(client, dossier):
    response = client.get(reverse("portal:track_token", args=[tracking_token(dossier)]))
    assert response.status_code == 302


def provider_url(response) -> str:
    """Where the "taking you to the provider" page sends the payer (its refresh and its link:
    not a redirect, which the tracking page's form-action 'self' would block)."""
    assert response.status_code == 200
    html = response.content.decode()
    link = html.split('id="btn-provider"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    refresh = html.split('http-equiv="refresh" content="0;url=', 1)[1].split('"', 1)[0]
    assert link == refresh
    return unescape(link)


def _text(content: bytes) -> str:
    with pdfium_document(content) as document:
        return " ".join(" ".join(page.get_textpage().get_text_range() for page in document).split())


def test_the_citizen_pays_from_the_tracking_page_and_gets_the_receipt(client, owing, testpay):
    _open(client, owing)
    page = client.get(reverse("portal:dossier")).content.decode()
    assert 'id="payment-form"' in page and "Thanh toán" in page
    assert 'value="testpay"' in page

    response = client.post(reverse("payments:pay"), {"method": "testpay"})
    target = urllib.parse.urlsplit(provider_url(response))
    assert target.netloc == "gateway.example"
    order = PaymentOrder.objects.get(state=OrderState.PENDING)
    assert urllib.parse.parse_qs(target.query)["tp_TxnRef"] == [order.code]
    assert order.provider == "testpay"

    # The payer comes back before the IPN: shown as waiting, nothing changes.
    back = ipn_params(order.code, order.amount)
    returned = client.get(reverse("payments:return", args=["testpay"]), back)
    assert returned.status_code == 200
    assert 'id="payment-waiting"' in returned.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.PENDING and not Receipt.objects.exists()

    ipn = client.get(reverse("payments:ipn", args=["testpay"]), back)
    assert ipn.json() == {"RspCode": "00", "Message": "Confirm Success"}
    assert client.get(reverse("payments:ipn", args=["testpay"]), back).json()["RspCode"] == "02"

    page = client.get(reverse("portal:dossier")).content.decode()
    assert "Đã thanh toán" in page.split('id="payment-state"', 1)[1].split("</p>", 1)[0]
    receipt = Receipt.objects.get()
    assert reverse("payments:receipt_pdf", args=[receipt.code]) in page
    pdf = client.get(reverse("payments:receipt_pdf", args=[receipt.code]))
    assert pdf["Content-Type"] == "application/pdf"
    text = _text(pdf.content)
    assert "BIÊN LAI THU TIỀN ĐIỆN TỬ" in text
    assert "Ba trăm sáu mươi nghìn đồng" in text
    assert "360.000 đồng" in text and "Nguyễn Văn An" in text and "14123456" in text
    owing.refresh_from_db()
    assert owing.fee_status == FeeStatus.PAID


def test_a_forged_return_shows_invalid_and_a_forged_ipn_answers_97(client, owing, testpay):
    order = PaymentOrder.objects.get()
    forged = {**ipn_params(order.code, order.amount), "tp_ResponseCode": "00", "tp_Hash": "00"}
    returned = client.get(reverse("payments:return", args=["testpay"]), forged)
    assert returned.status_code == 400 and 'id="payment-invalid"' in returned.content.decode()
    assert client.get(reverse("payments:ipn", args=["testpay"]), forged).json() == {
        "RspCode": "97",
        "Message": "Invalid Checksum",
    }
    assert client.get(reverse("payments:ipn", args=["nosuch"]), forged).json()["RspCode"] == "01"
    order.refresh_from_db()
    assert order.state == OrderState.CREATED


def test_the_receipt_page_shows_its_facts_and_unknown_codes_get_one_rate_limited_404(
    client, owing, officer, settings
):
    order = PaymentOrder.objects.get()
    receipt = services.order_pay_at_counter(officer=officer, order=order, method="cash")
    page = client.get(reverse("payments:receipt", args=[receipt.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert receipt.reference in html and "360.000 đ" in html and "Tiền mặt" in html
    settings.EDOC_PORTAL_LOOKUP_RATE = "2/600"
    first = client.get(reverse("payments:receipt", args=["khong-co"]))
    second = client.get(reverse("payments:receipt", args=[receipt.code[:-1] + "x"]))
    assert first.status_code == second.status_code == 404
    assert first.content == second.content
    assert client.get(reverse("payments:receipt", args=[receipt.code])).status_code == 429


def test_the_officer_takes_a_pos_payment_and_sees_it_in_the_cash_book(client, owing, officer):
    client.force_login(officer)
    detail = client.get(reverse("onestop:dossier_detail", args=[owing.pk])).content.decode()
    assert 'id="counter-pay-form"' in detail
    order = PaymentOrder.objects.get()
    url = reverse("payments:counter_pay", args=[order.code])
    refused = client.post(url, {"method": "pos", "approval_code": ""}, follow=True)
    assert "mã chuẩn chi" in refused.content.decode()
    assert not Receipt.objects.exists()
    client.post(url, {"method": "pos", "approval_code": "A1B2C3"})
    receipt = Receipt.objects.get()
    book = client.get(reverse("payments:cash_book")).content.decode()
    assert receipt.reference in book and "A1B2C3" in book
    assert 'id="total-pos">360.000 đ<' in book and 'id="total-cash">0 đ<' in book
    assert 'id="nav-cash-book"' in book  # in the officer's menu


def test_only_officers_take_counter_payments(client, owing, users):
    client.force_login(users["clerk"])
    order = PaymentOrder.objects.get()
    response = client.post(reverse("payments:counter_pay", args=[order.code]), {"method": "cash"})
    assert response.status_code == 403
    assert client.get(reverse("payments:cash_book")).status_code == 403
    assert not Receipt.objects.exists()


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (360_000, "Ba trăm sáu mươi nghìn đồng"),
        (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
        (105, "Một trăm lẻ năm đồng"),
    ],
)
def test_amounts_in_vietnamese_words(amount, words):
    assert amount_in_words(amount) == words


def test_the_receipt_pdf_renders(client, owing, officer, tmp_path):
    receipt = services.order_pay_at_counter(
        officer=officer, order=PaymentOrder.objects.get(), method="cash"
    )
    content = client.get(reverse("payments:receipt_pdf", args=[receipt.code])).content
    (tmp_path / "receipt.pdf").write_bytes(content)
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", "80", str(tmp_path / "receipt.pdf"), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    assert len(list(tmp_path.glob("page*.png"))) == 1  # one page


def test_a_malformed_json_callback_is_stored_and_refused(client, owing):
    from payments.models import CallbackLog

    response = client.post(
        reverse("payments:ipn", args=["momo"]), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    log = CallbackLog.objects.get()
    assert log.params == {"_malformed": "{not json"} and log.outcome == "01"
    assert PaymentOrder.objects.get().state == OrderState.CREATED
