# ruff: noqa: F401, F811 (fixtures imported from tests/onestop are parameters here)
"""Payments fixtures: the one-stop fixtures, a dossier waiting for its fee, and a test double
of a third-party gateway ("testpay") that signs like VNPAY (HMAC-SHA512 over the sorted,
URL-encoded parameters) — registered through `register_provider` like the real ones."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import urllib.parse
from collections.abc import Mapping
from datetime import datetime

import pytest
from django.utils import timezone

from onestop import services as onestop_services
from onestop.models import Dossier
from payments.providers.base import (
    PROVIDERS,
    CallbackRejected,
    CallbackResult,
    PaymentRequest,
    Redirect,
    register_provider,
)
from payments.providers.momo import MomoProvider
from payments.providers.vnpay import VnpayProvider
from tests.onestop.conftest import (
    _media,
    all_files,
    applicant,
    officer,
    papers,
    procedure,
    upload,
)
from tests.payments.standin import (
    MOMO_ACCESS_KEY,
    MOMO_PARTNER,
    MOMO_SECRET,
    VNPAY_SECRET,
    VNPAY_TMN,
    PaymentStandIn,
)
from workflows.calendar import VN_TZ

SECRET = "TESTPAYSECRET"


def _query(params: Mapping[str, str]) -> str:
    return urllib.parse.urlencode(sorted(params.items()))


def sign(params: Mapping[str, str]) -> str:
    return hmac.new(SECRET.encode(), _query(params).encode(), hashlib.sha512).hexdigest()


class TestPay:
    """A gateway's documented behaviour, as its test double: a signed redirect, a signed IPN."""

    key = "testpay"
    label = "Cổng thử nghiệm"

    def start(self, request: PaymentRequest) -> Redirect:
        params = {
            "tp_TxnRef": request.order_code,
            "tp_Amount": str(request.amount * 100),
            "tp_ReturnUrl": request.return_url,
        }
        return Redirect(f"https://gateway.example/pay?{_query(params)}&tp_Hash={sign(params)}")

    def verify_callback(self, params: Mapping[str, str]) -> CallbackResult:
        fields = {k: v for k, v in params.items() if k != "tp_Hash"}
        if not hmac.compare_digest(sign(fields), params.get("tp_Hash", "")):
            raise CallbackRejected("97", "Invalid signature")
        try:
            amount = int(fields["tp_Amount"]) // 100
            paid_at = datetime.strptime(fields["tp_PayDate"], "%Y%m%d%H%M%S").replace(tzinfo=VN_TZ)
            code, reference = fields["tp_ResponseCode"], fields["tp_TransactionNo"]
            order_code = fields["tp_TxnRef"]
        except (KeyError, ValueError):
            raise CallbackRejected("99", "Malformed parameters") from None
        return CallbackResult(
            order_code=order_code,
            amount=amount,
            success=code == "00",
            provider_reference=reference,
            response_code=code,
            paid_at=paid_at,
            raw=dict(params),
        )


def ipn_params(order_code: str, amount: int, *, code: str = "00", when=None, **extra) -> dict:
    """A signed IPN of the test gateway."""
    when = timezone.localtime(when or timezone.now(), VN_TZ)
    params = {
        "tp_TxnRef": order_code,
        "tp_Amount": str(amount * 100),
        "tp_ResponseCode": code,
        "tp_TransactionNo": "14123456",
        "tp_PayDate": when.strftime("%Y%m%d%H%M%S"),
        **extra,
    }
    return {**params, "tp_Hash": sign(params)}


@pytest.fixture
def testpay():
    gateway = TestPay()
    register_provider(gateway)
    yield gateway
    PROVIDERS.pop(gateway.key, None)


@pytest.fixture
def owing(procedure, applicant, officer, all_files) -> Dossier:
    """A dossier in status 6, its fee (360.000 đ) asked for: the collector opened its order."""
    dossier = onestop_services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files()
    )
    onestop_services.dossier_request_payment(officer=officer, dossier=dossier)
    dossier.refresh_from_db()
    return dossier


@contextlib.contextmanager
def vnpay_at(standin: PaymentStandIn):
    """VNPAY registered against the stand-in for the block (the one before restored)."""
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
    try:
        yield standin
    finally:
        if before is None:
            PROVIDERS.pop("vnpay", None)
        else:
            PROVIDERS["vnpay"] = before


@contextlib.contextmanager
def momo_at(standin: PaymentStandIn):
    """MoMo registered against the stand-in for the block."""
    register_provider(
        MomoProvider(
            partner_code=MOMO_PARTNER,
            access_key=MOMO_ACCESS_KEY,
            secret_key=MOMO_SECRET,
            endpoint=f"{standin.url}/momo",
            timeout=10,
        )
    )
    try:
        yield standin
    finally:
        PROVIDERS.pop("momo", None)


@pytest.fixture
def vnpay_standin(live_server, settings):
    """The VNPAY stand-in (tools/payment_standin) sending its IPNs to the live server, and
    VNPAY registered against it; the public base URL is the live server's."""
    settings.EDOC_PUBLIC_BASE_URL = live_server.url
    ipn_url = live_server.url + "/payments/ipn/vnpay/"
    with PaymentStandIn(vnpay_ipn_url=ipn_url) as standin, vnpay_at(standin):
        yield standin


@pytest.fixture
def make_order(agency):
    """Make an order of the agency in a given state, method and payment time (a known set of
    orders for reconciliations and reports); `dossier` ties it to a dossier's procedure."""
    from payments import services
    from payments.models import PaymentOrder

    made = iter(range(1, 10_000))

    def make(amount, provider, *, state="paid", paid_at=None, dossier=None, reference=""):
        order = services.order_create(
            agency=agency,
            obligation=f"test-fee:{next(made)}",
            purpose="Phí thẩm định",
            payer_name="Nguyễn Văn An",
            amount=amount,
            dossier=dossier,
        )
        PaymentOrder.objects.filter(pk=order.pk).update(
            state=state,
            provider=provider,
            provider_reference=reference,
            paid_at=paid_at if state in ("paid", "refunded", "partially_refunded") else None,
        )
        order.refresh_from_db()
        return order

    return make
