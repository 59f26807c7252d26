"""VNPAY v2.1.0: the redirect's checksum against the documented rule (computed here with hmac, not
by our module), VNPAY's documented example URL, and the whole path through the stand-in over
HTTP: payment page, IPN, return URL, querydr and refund."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote_plus, urlsplit

import pytest
import requests
from django.http import QueryDict

from payments.providers.api import ProviderApiError
from payments.providers.base import CallbackRejected, PaymentRequest, Provider, Redirect
from payments.providers.vnpay import VnpayProvider, hash_data, ipn_answer
from tests.payments.standin import VNPAY_SECRET, VNPAY_TMN, PaymentStandIn, Recorder, pay_on_page

CREATED = datetime(2026, 12, 6, 8, 0, 0, tzinfo=UTC)


def _request(**overrides) -> PaymentRequest:
    values = {
        "order_code": "TT2026000123",
        "amount": 150_000,
        "description": "Phí thẩm định hồ sơ: Đăng ký hành nghề",
        "created_at": CREATED,
        "expires_at": CREATED + timedelta(minutes=15),
        "return_url": "http://127.0.0.1:8000/payments/return/vnpay/",
        "ipn_url": "http://127.0.0.1:8000/payments/ipn/vnpay/",
        "client_ip": "203.113.0.7",
    }
    values.update(overrides)
    return PaymentRequest(**values)


def _provider(standin: PaymentStandIn | None = None, secret: str = VNPAY_SECRET) -> VnpayProvider:
    base = standin.url if standin else "http://127.0.0.1:9"
    return VnpayProvider(
        tmn_code=VNPAY_TMN,
        hash_secret=secret,
        payment_url=f"{base}/vnpay/paymentv2/vpcpay.html",
        api_url=f"{base}/vnpay/merchant_webapi/api/transaction",
        timeout=10,
    )


def _sign(params: dict[str, str], secret: str = VNPAY_SECRET) -> str:
    """The documented rule, written out: sorted names, quote_plus values, HMAC-SHA512 hex."""
    data = "&".join(f"{name}={quote_plus(params[name])}" for name in sorted(params))
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def test_redirect_carries_the_documented_parameters_and_checksum():
    redirect = _provider().start(_request())
    assert isinstance(redirect, Redirect)
    params = dict(parse_qsl(urlsplit(redirect.url).query))
    signed = params.pop("vnp_SecureHash")
    assert params == {
        "vnp_Version": "2.1.0",
        "vnp_Command": "pay",
        "vnp_TmnCode": VNPAY_TMN,
        "vnp_Amount": "15000000",
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": "TT2026000123",
        "vnp_OrderInfo": "Phi tham dinh ho so: Dang ky hanh nghe",
        "vnp_OrderType": "other",
        "vnp_Locale": "vn",
        "vnp_ReturnUrl": "http://127.0.0.1:8000/payments/return/vnpay/",
        "vnp_IpAddr": "203.113.0.7",
        "vnp_CreateDate": "20261206150000",  # 08:00 UTC is 15:00 GMT+7
        "vnp_ExpireDate": "20261206151500",
    }
    assert signed == _sign(params)
    # The query itself is the signed string (sorted, quote_plus) followed by the checksum.
    data = "&".join(f"{name}={quote_plus(params[name])}" for name in sorted(params))
    assert urlsplit(redirect.url).query == f"{data}&vnp_SecureHash={signed}"
    assert "vnp_OrderInfo=Phi+tham+dinh+ho+so%3A+Dang+ky+hanh+nghe" in redirect.url
    assert isinstance(_provider(), Provider)
    assert VNPAY_SECRET not in repr(_provider())


def test_the_documented_example_url_is_encoded_as_we_encode():
    """VNPAY's documentation example (sandbox.vnpayment.vn/apis/docs): its query before
    vnp_SecureHash is exactly what `hash_data` builds from its parameters. (The example's
    secret is not published, so only the encoding can be checked against it.)"""
    documented = (
        "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND"
        "&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5"
        "&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl"
        "&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
    )
    params = dict(parse_qsl(documented))
    assert params["vnp_OrderInfo"] == "Thanh toan don hang :5"
    assert hash_data(params) == documented


def _callback(**changes: str) -> dict[str, str]:
    params = {
        "vnp_Amount": "15000000",
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14000001",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Phi tham dinh ho so",
        "vnp_PayDate": "20261206151002",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": VNPAY_TMN,
        "vnp_TransactionNo": "14000001",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "TT2026000123",
    }
    params.update(changes)
    return {**params, "vnp_SecureHash": _sign(params)}


def test_a_callback_signed_by_the_documented_rule_is_accepted():
    result = _provider().verify_callback(_callback())
    assert (result.order_code, result.amount, result.success) == ("TT2026000123", 150_000, True)
    assert result.provider_reference == "14000001"
    assert result.paid_at == datetime(2026, 12, 6, 8, 10, 2, tzinfo=UTC)
    # vnp_SecureHashType (sent by older versions) is not part of the signed data.
    with_type = {**_callback(), "vnp_SecureHashType": "HmacSHA512"}
    assert _provider().verify_callback(with_type).success


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({**_callback(), "vnp_Amount": "150000000"}, "97"),  # tampered amount
        ({**_callback(), "vnp_TxnRef": "TT2026000124"}, "97"),  # tampered order
        ({**_callback(), "vnp_SecureHash": ""}, "97"),
        ({key: value for key, value in _callback().items() if key != "vnp_SecureHash"}, "97"),
        ({}, "97"),
        (_callback(vnp_Amount="15000050"), "04"),  # not a whole number of VND
        (_callback(vnp_Amount="15x"), "99"),
        (_callback(vnp_PayDate="2026-12-06"), "99"),
        (_callback(vnp_TmnCode="OTHERTMN"), "99"),
        (_callback(vnp_ResponseCode=""), "99"),
    ],
)
def test_bad_callbacks_are_rejected_with_vnpay_codes(params, code):
    with pytest.raises(CallbackRejected) as rejected:
        _provider().verify_callback(params)
    assert rejected.value.code == code


def test_a_callback_checked_with_another_secret_is_rejected():
    with pytest.raises(CallbackRejected) as rejected:
        _provider(secret="another-secret").verify_callback(_callback())
    assert rejected.value.code == "97"


def test_ipn_answers():
    assert ipn_answer("00") == {"RspCode": "00", "Message": "Confirm Success"}
    assert ipn_answer("97") == {"RspCode": "97", "Message": "Invalid Checksum"}
    assert ipn_answer("xx")["RspCode"] == "xx"


def test_pay_through_the_standin_ipn_and_return_verify():
    with Recorder() as recorder, PaymentStandIn(vnpay_ipn_url=recorder.url) as standin:
        provider = _provider(standin)
        now = datetime.now(UTC)
        request = _request(created_at=now, expires_at=now + timedelta(minutes=15))
        answer = pay_on_page(provider.start(request).url)
        assert answer.status_code == 302
        location = urlsplit(answer.headers["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == request.return_url
        returned = dict(parse_qsl(location.query, keep_blank_values=True))

        assert recorder.arrived.wait(10)
        (ipn,) = recorder.received
        assert ipn["method"] == "GET"
        for params in (ipn["data"], returned, QueryDict(location.query)):
            result = provider.verify_callback(params)
            assert result.success and result.order_code == "TT2026000123"
            assert result.amount == 150_000 and result.response_code == "00"
        # The stand-in kept the merchant's answer to the IPN.
        assert '"RspCode": "00"' in standin.state()["ipns"][0]["answer"]["body"]

        with pytest.raises(CallbackRejected) as rejected:
            provider.verify_callback({**ipn["data"], "vnp_Amount": "100"})
        assert rejected.value.code == "97"
        with pytest.raises(CallbackRejected):
            _provider(standin, secret="wrong-secret").verify_callback(ipn["data"])

        # querydr: VNPAY's record of the payment, answer signed and checked.
        record = provider.query("TT2026000123", now)
        assert record.success and record.amount == 150_000
        assert record.provider_reference == ipn["data"]["vnp_TransactionNo"]
        with pytest.raises(ProviderApiError) as unknown:
            provider.query("TT2026999999", now)
        assert unknown.value.code == "91"
        with pytest.raises(ProviderApiError):  # a stand-in's answer under another secret
            _provider(standin, secret="wrong-secret").query("TT2026000123", now)

        # refund: partial, then more than was paid (refused by the provider).
        refund = provider.refund(
            "TT2026000123",
            50_000,
            now,
            full=False,
            created_by="ketoan",
            transaction_no=record.provider_reference,
        )
        assert refund.accepted and refund.response_code == "00"
        (kept,) = standin.state()["refunds"]
        assert (kept["vnp_Amount"], kept["vnp_TransactionType"]) == ("5000000", "03")
        too_much = provider.refund("TT2026000123", 200_000, now, full=True, created_by="ketoan")
        assert not too_much.accepted and too_much.response_code == "94"


def test_cancel_on_the_standin_is_a_signed_failure():
    with Recorder() as recorder, PaymentStandIn(vnpay_ipn_url=recorder.url) as standin:
        provider = _provider(standin)
        now = datetime.now(UTC)
        answer = pay_on_page(
            provider.start(_request(created_at=now, expires_at=now + timedelta(minutes=5))).url,
            choice="cancel",
        )
        assert answer.status_code == 302
        assert recorder.arrived.wait(10)
        result = provider.verify_callback(recorder.received[0]["data"])
        assert not result.success and result.response_code == "24"


def test_the_standin_refuses_a_redirect_signed_with_another_secret():
    with PaymentStandIn() as standin:
        now = datetime.now(UTC)
        request = _request(created_at=now, expires_at=now + timedelta(minutes=5))
        url = _provider(standin, secret="not-the-merchant-secret").start(request).url
        page = requests.get(url, timeout=10)
        assert page.status_code == 400 and "97" in page.text


def test_querydr_and_refund_checksums_follow_the_documented_field_order():
    """Each request's vnp_SecureHash, recomputed here from VNPAY's documented "|" order."""
    with Recorder() as recorder:
        provider = _provider()
        provider.api_url = recorder.url
        with pytest.raises(ProviderApiError):  # the recorder answers 204 without JSON
            provider.query("TT2026000123", CREATED, client_ip="10.0.0.1")
        with pytest.raises(ProviderApiError):
            provider.refund("TT2026000123", 1000, CREATED, full=False, created_by="kt")
    query, refund = (item["data"] for item in recorder.received)
    order = {
        "querydr": "RequestId Version Command TmnCode TxnRef TransactionDate CreateDate IpAddr "
        "OrderInfo",
        "refund": "RequestId Version Command TmnCode TransactionType TxnRef Amount TransactionNo "
        "TransactionDate CreateBy CreateDate IpAddr OrderInfo",
    }
    for body in (query, refund):
        data = "|".join(str(body[f"vnp_{name}"]) for name in order[body["vnp_Command"]].split())
        expected = hmac.new(VNPAY_SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()
        assert body["vnp_SecureHash"] == expected
    assert query["vnp_TransactionDate"] == "20261206150000" and query["vnp_IpAddr"] == "10.0.0.1"
    assert (refund["vnp_Amount"], refund["vnp_TransactionType"]) == ("100000", "03")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"order_code": "TT 1"}, "vnp_TxnRef"),
        ({"order_code": "T" * 101}, "vnp_TxnRef"),
        ({"amount": 0}, "positive"),
        ({"amount": 1500.5}, "positive"),
        ({"created_at": datetime(2026, 12, 6, 8, 0)}, "timezone-aware"),
    ],
)
def test_a_request_vnpay_cannot_take_is_refused_before_redirecting(changes, message):
    with pytest.raises(ValueError, match=message):
        _provider().start(_request(**changes))


def test_english_locale_passes_and_others_fall_back_to_vietnamese():
    for locale, expected in (("en", "en"), ("fr", "vn")):
        url = _provider().start(_request(locale=locale)).url
        assert dict(parse_qsl(urlsplit(url).query))["vnp_Locale"] == expected
