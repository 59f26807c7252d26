"""The citizen pays a dossier's fee through VNPAY end to end over HTTP: the tracking page's
"Thanh toán", the VNPAY stand-in's payment page (tools/payment_standin), its IPN to our
/payments/ipn/vnpay/ (a live server), the payer's return, the receipt; then the same IPN
replayed is answered 02 and credits nothing."""

from __future__ import annotations

import time
import urllib.parse

import pytest
import requests
from django.urls import reverse

from onestop.models import Dossier, FeeStatus
from onestop.selectors import tracking_token
from payments.models import CallbackLog, OrderState, PaymentOrder, Receipt
from payments.providers.base import PROVIDERS, register_provider
from payments.providers.vnpay import VnpayProvider
from tests.payments.standin import VNPAY_SECRET, VNPAY_TMN, PaymentStandIn, pay_on_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def vnpay_standin(live_server, settings):
    settings.EDOC_PUBLIC_BASE_URL = live_server.url
    with PaymentStandIn(vnpay_ipn_url=live_server.url + "/payments/ipn/vnpay/") as standin:
        before = PROVIDERS.get("vnpay")
        register_provider(
            VnpayProvider(
                tmn_code=VNPAY_TMN,
                hash_secret=VNPAY_SECRET,
                payment_url=f"{standin.url}/vnpay/paymentv2/vpcpay.html",
                api_url=f"{standin.url}/vnpay/merchant_webapi/api/transaction",
                timeout=10,
            )
        )
        yield standin
        if before is None:
            PROVIDERS.pop("vnpay", None)
        else:
            PROVIDERS["vnpay"] = before


def _wait_paid(order: PaymentOrder) -> PaymentOrder:
    for _attempt in range(100):
        order.refresh_from_db()
        if order.state != OrderState.PENDING:
            return order
        time.sleep(0.1)
    return order


def test_a_citizen_pays_the_fee_through_vnpay(client, owing: Dossier, vnpay_standin, live_server):
    client.get(reverse("portal:track_token", args=[tracking_token(owing)]))
    page = client.get(reverse("portal:dossier")).content.decode()
    assert 'value="vnpay"' in page

    response = client.post(reverse("payments:pay"), {"method": "vnpay"})
    assert response.status_code == 302
    assert response["Location"].startswith(vnpay_standin.url)
    order = PaymentOrder.objects.get(state=OrderState.PENDING, provider="vnpay")

    answer = pay_on_page(response["Location"])  # the payer presses "Thanh toán" at VNPAY
    assert answer.status_code == 302
    back = urllib.parse.urlsplit(answer.headers["Location"])
    assert back.path == reverse("payments:return", args=["vnpay"])

    order = _wait_paid(order)
    assert order.state == OrderState.PAID
    assert order.provider_reference
    (ipn,) = vnpay_standin.state()["ipns"]
    assert '"RspCode": "00"' in ipn["answer"]["body"]

    returned = client.get(f"{back.path}?{back.query}").content.decode()
    assert 'data-state="paid"' in returned and 'id="btn-payment-receipt"' in returned
    owing.refresh_from_db()
    assert owing.status == Dossier.Status.PROCESSING and owing.fee_status == FeeStatus.PAID
    receipt = Receipt.objects.get(order=order)
    assert receipt.method == "vnpay" and receipt.provider_reference == order.provider_reference
    assert (
        reverse("payments:receipt_pdf", args=[receipt.code])
        in client.get(reverse("portal:dossier")).content.decode()
    )

    # VNPAY sends the same IPN again: "already confirmed", nothing credited twice.
    assert CallbackLog.objects.get().params == ipn["sent"]
    again = requests.get(live_server.url + "/payments/ipn/vnpay/", params=ipn["sent"], timeout=10)
    assert again.json() == {"RspCode": "02", "Message": "Order already confirmed"}
    assert Receipt.objects.count() == 1
    assert list(CallbackLog.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "00",
        "02",
    ]
