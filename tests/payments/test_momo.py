"""MoMo captureWallet (API v2): MoMo's published sample signature, the documented raw-signature
orders (recomputed here with hmac), and create → payment page → IPN → redirect, query and
refund through the stand-in over HTTP."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict

from payments.providers.api import ProviderApiError
from payments.providers.base import CallbackRejected, PaymentRequest, Provider
from payments.providers.momo import MomoProvider
from tests.payments.standin import (
    MOMO_ACCESS_KEY,
    MOMO_PARTNER,
    MOMO_SECRET,
    PaymentStandIn,
    Recorder,
    pay_on_page,
)

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
IPN_ORDER = (
    "accessKey amount extraData message orderId orderInfo orderType partnerCode payType "
    "requestId responseTime resultCode transId"
)


def _provider(endpoint: str = "http://127.0.0.1:9", secret: str = MOMO_SECRET) -> MomoProvider:
    return MomoProvider(
        partner_code=MOMO_PARTNER,
        access_key=MOMO_ACCESS_KEY,
        secret_key=secret,
        endpoint=endpoint,
        timeout=10,
    )


def _request(ipn_url: str = "http://127.0.0.1:8000/payments/ipn/momo/") -> PaymentRequest:
    return PaymentRequest(
        order_code="TT2026000777",
        amount=75_000,
        description="Phí cấp chứng chỉ hành nghề dược",
        created_at=NOW,
        expires_at=NOW + timedelta(minutes=15),
        return_url="http://127.0.0.1:8000/payments/return/momo/",
        ipn_url=ipn_url,
        client_ip="203.113.0.7",
    )


def _hmac(raw: str, secret: str = MOMO_SECRET) -> str:
    return hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()


def _ipn(**changes) -> dict:
    body = {
        "partnerCode": MOMO_PARTNER,
        "orderId": "TT2026000777",
        "requestId": "5f1b0a51-5c1e-4b6b-9d7c-0a5b3c2d1e0f",
        "amount": 75000,
        "orderInfo": "Phí cấp chứng chỉ hành nghề dược",
        "orderType": "momo_wallet",
        "transId": 4088878653,
        "resultCode": 0,
        "message": "Thành công.",
        "payType": "qr",
        "responseTime": 1796544000000,
        "extraData": "",
    }
    body.update(changes)
    values = {**body, "accessKey": MOMO_ACCESS_KEY}
    raw = "&".join(f"{name}={values[name]}" for name in IPN_ORDER.split())
    return {**body, "signature": _hmac(raw)}


def test_momo_published_sample_signature():
    """MoMo's sample request (momo-wallet/payment, API v1 docs) with its public test keys:
    the raw string signed as it is (no URL-encoding) gives the published signature."""
    sample = MomoProvider(
        partner_code="MOMO",
        access_key="F8BBA842ECF85",
        secret_key="K951B6PE1waDMi640xX08PD3vg6EkVlz",
        endpoint="https://test-payment.momo.vn",
    )
    v1_order = (
        "partnerCode",
        "accessKey",
        "requestId",
        "amount",
        "orderId",
        "orderInfo",
        "returnUrl",
        "notifyUrl",
        "extraData",
    )
    values = {
        "partnerCode": "MOMO",
        "requestId": "MM1540456472575",
        "amount": "150000",
        "orderId": "MM1540456472575",
        "orderInfo": "SDK team.",
        "returnUrl": "https://momo.vn",
        "notifyUrl": "https://momo.vn",
        "extraData": "email=abc@gmail.com",
    }
    assert (
        sample.sign(values, v1_order)
        == "996ed81d68a1b05c99516835e404b2d0146d9b12fbcecbf80c7e51df51cac85e"
    )
    assert "K951B6PE1waDMi640xX08PD3vg6EkVlz" not in repr(sample)
    assert isinstance(sample, Provider)


def test_create_query_and_refund_are_signed_in_the_documented_orders():
    with Recorder() as recorder:
        provider = _provider(endpoint=recorder.url)
        for call in (
            lambda: provider.start(_request()),
            lambda: provider.query("TT2026000777"),
            lambda: provider.refund("TT2026000777", 5000, "4088878653", description="Hoàn phí"),
        ):
            with pytest.raises(ProviderApiError):  # the recorder answers 204 without JSON
                call()
    create, query, refund = (item["data"] for item in recorder.received)
    orders = {
        "create": "accessKey amount extraData ipnUrl orderId orderInfo partnerCode redirectUrl "
        "requestId requestType",
        "query": "accessKey orderId partnerCode requestId",
        "refund": "accessKey amount description orderId partnerCode requestId transId",
    }
    for body, operation in ((create, "create"), (query, "query"), (refund, "refund")):
        values = {**body, "accessKey": MOMO_ACCESS_KEY}
        raw = "&".join(f"{name}={values[name]}" for name in orders[operation].split())
        assert body["signature"] == _hmac(raw), operation
    assert create["requestType"] == "captureWallet" and create["amount"] == 75000
    assert create["orderInfo"] == "Phí cấp chứng chỉ hành nghề dược"
    assert refund["transId"] == 4088878653 and refund["orderId"].startswith("TT2026000777-R")


def test_an_ipn_signed_by_the_documented_order_is_accepted():
    result = _provider().verify_callback(_ipn())
    assert (result.order_code, result.amount, result.success) == ("TT2026000777", 75_000, True)
    assert result.provider_reference == "4088878653" and result.response_code == "0"
    assert result.paid_at == datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    failed = _provider().verify_callback(_ipn(resultCode=1006, message="Bị từ chối"))
    assert not failed.success and failed.response_code == "1006"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**_ipn(), "amount": 750000}, "97"),
        ({**_ipn(), "resultCode": 0, "message": "changed"}, "97"),
        ({**_ipn(), "signature": ""}, "97"),
        ({key: value for key, value in _ipn().items() if key != "signature"}, "97"),
        (_ipn(partnerCode="OTHER"), "99"),
        (_ipn(amount="75.000"), "99"),
        (_ipn(transId=""), "99"),
        (_ipn(orderId=""), "99"),
        (_ipn(amount=0), "04"),
    ],
)
def test_bad_ipns_are_rejected(body, code):
    with pytest.raises(CallbackRejected) as rejected:
        _provider().verify_callback(body)
    assert rejected.value.code == code


def test_an_ipn_checked_with_another_secret_is_rejected():
    with pytest.raises(CallbackRejected) as rejected:
        _provider(secret="another-secret").verify_callback(_ipn())
    assert rejected.value.code == "97"


def test_pay_through_the_standin_ipn_and_redirect_verify():
    with Recorder() as recorder, PaymentStandIn() as standin:
        provider = _provider(endpoint=f"{standin.url}/momo")
        redirect = provider.start(_request(ipn_url=recorder.url))
        assert redirect.url.startswith(f"{standin.url}/momo/pay/")
        answer = pay_on_page(redirect.url)
        assert answer.status_code == 302
        location = urlsplit(answer.headers["Location"])
        assert location.path == "/payments/return/momo/"

        assert recorder.arrived.wait(10)
        (ipn,) = recorder.received
        assert ipn["method"] == "POST"
        for params in (ipn["data"], QueryDict(location.query)):
            result = provider.verify_callback(params)
            assert result.success and result.order_code == "TT2026000777"
            assert result.amount == 75_000
        assert standin.state()["ipns"][0]["answer"]["status"] == 204

        with pytest.raises(CallbackRejected) as rejected:
            provider.verify_callback({**ipn["data"], "amount": 1000})
        assert rejected.value.code == "97"
        with pytest.raises(CallbackRejected):
            _provider(secret="wrong-secret").verify_callback(ipn["data"])

        record = provider.query("TT2026000777")
        assert record.success and record.amount == 75_000
        assert record.provider_reference == str(ipn["data"]["transId"])
        with pytest.raises(ProviderApiError) as unknown:
            provider.query("TT2026999999")
        assert unknown.value.code == "42"

        refund = provider.refund("TT2026000777", 25_000, record.provider_reference)
        assert refund.accepted and refund.provider_reference
        (kept,) = standin.state()["refunds"]
        assert kept["amount"] == 25_000 and kept["transId"] == ipn["data"]["transId"]
        assert not provider.refund("TT2026000777", 25_000, "1").accepted  # no such payment
        assert not provider.refund("TT2026000777", 90_000, record.provider_reference).accepted


def test_cancel_on_the_standin_is_a_signed_failure():
    with Recorder() as recorder, PaymentStandIn() as standin:
        provider = _provider(endpoint=f"{standin.url}/momo")
        pay_on_page(provider.start(_request(ipn_url=recorder.url)).url, choice="cancel")
        assert recorder.arrived.wait(10)
        result = provider.verify_callback(recorder.received[0]["data"])
        assert not result.success and result.response_code == "1006"


def test_the_standin_refuses_a_create_signed_with_another_secret():
    with PaymentStandIn() as standin:
        provider = _provider(endpoint=f"{standin.url}/momo", secret="not-the-merchant-secret")
        with pytest.raises(ProviderApiError) as refused:
            provider.start(_request())
        assert refused.value.code == "13"


@pytest.mark.parametrize("order_code", ["TT 2026", "-TT2026", "TT2026#1", ""])
def test_an_order_code_momo_refuses_is_refused_before_calling_it(order_code):
    request = _request()
    with pytest.raises(ValueError, match="orderId"):
        _provider().create_body(PaymentRequest(**{**request.__dict__, "order_code": order_code}))
