"""The citizen pays a dossier's fee through VNPAY (and MoMo) end to end over HTTP: the tracking
page's "Thanh toán", the VNPAY stand-in's payment page (tools/payment_standin), its IPN to our
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
from payments.providers.momo import MomoProvider
from tests.payments.conftest import momo_at
from tests.payments.standin import (
    MOMO_ACCESS_KEY,
    MOMO_PARTNER,
    MOMO_SECRET,
    PaymentStandIn,
    pay_on_page,
)
from tests.payments.test_views import provider_url

pytestmark = pytest.mark.django_db(transaction=True)


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

    url = provider_url(client.post(reverse("payments:pay"), {"method": "vnpay"}))
    assert url.startswith(vnpay_standin.url)
    order = PaymentOrder.objects.get(state=OrderState.PENDING, provider="vnpay")

    answer = pay_on_page(url)  # the payer presses "Thanh toán" at VNPAY
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


def test_a_citizen_pays_the_fee_through_momo(client, owing: Dossier, live_server, settings):
    """MoMo posts its IPN as JSON and expects HTTP 204 back; a replay gets 204 too (nothing to
    send again) and credits nothing."""
    settings.EDOC_PUBLIC_BASE_URL = live_server.url
    with PaymentStandIn() as standin, momo_at(standin):
        client.get(reverse("portal:track_token", args=[tracking_token(owing)]))
        url = provider_url(client.post(reverse("payments:pay"), {"method": "momo"}))
        assert url.startswith(f"{standin.url}/momo/pay/")
        order = PaymentOrder.objects.get(state=OrderState.PENDING, provider="momo")
        assert pay_on_page(url).status_code == 302
        order = _wait_paid(order)
        (ipn,) = standin.state()["ipns"]
    assert ipn["answer"]["status"] == 204
    assert order.state == OrderState.PAID
    owing.refresh_from_db()
    assert owing.fee_status == FeeStatus.PAID
    assert Receipt.objects.get(order=order).method == "momo"
    register_provider(
        MomoProvider(
            partner_code=MOMO_PARTNER,
            access_key=MOMO_ACCESS_KEY,
            secret_key=MOMO_SECRET,
            endpoint="http://127.0.0.1:9",
        )
    )
    try:
        again = requests.post(live_server.url + "/payments/ipn/momo/", json=ipn["sent"], timeout=10)
        forged = requests.post(
            live_server.url + "/payments/ipn/momo/",
            json={**ipn["sent"], "amount": 1},
            timeout=10,
        )
    finally:
        PROVIDERS.pop("momo", None)
    assert again.status_code == 204 and Receipt.objects.count() == 1
    assert forged.status_code == 400
    outcomes = list(CallbackLog.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["00", "02", "97"]
