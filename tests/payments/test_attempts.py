"""Issue 12: pressing "Thanh toán" again while a payment is pending with the same provider. VNPAY
refuses a `vnp_TxnRef` it has seen, so each attempt has its own transaction reference, which
still names the one order: whichever attempt is paid settles it, once."""

from __future__ import annotations

import urllib.parse

import pytest
import requests

from payments import services
from payments.models import OrderState, PaymentAttempt, PaymentOrder, Receipt
from tests.payments.conftest import ipn_params
from tests.payments.standin import pay_on_page
from tests.payments.test_vnpay_flow import _wait_paid

pytestmark = pytest.mark.django_db


def _open(owing) -> PaymentOrder:
    return PaymentOrder.objects.get(
        obligation=services.dossier_obligation(owing), state__in=["created", "pending"]
    )


def _txn_ref(url: str, name: str) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)[name][0]


def _start(order: PaymentOrder, key: str = "testpay"):
    return services.order_start(
        order=order,
        provider_key=key,
        client_ip="203.0.113.5",
        return_url=f"https://dichvucong.example.vn/payments/return/{key}/",
        ipn_url=f"https://dichvucong.example.vn/payments/ipn/{key}/",
    )


def test_each_attempt_at_the_same_provider_has_its_own_reference(owing, testpay):
    order, first = _start(_open(owing))
    again, second = _start(order)
    assert again == order and again.state == OrderState.PENDING  # still the one order
    first_ref, second_ref = _txn_ref(first.url, "tp_TxnRef"), _txn_ref(second.url, "tp_TxnRef")
    assert first_ref != second_ref
    assert PaymentOrder.objects.filter(obligation=order.obligation).count() == 1

    # The payer completes the first attempt after all: it pays the order; the second attempt's
    # payment is a second one ("already confirmed"), never credited twice.
    paid = services.callback_process("testpay", ipn_params(first_ref, 360_000), "10.0.0.1")
    assert paid.code == "00"
    order.refresh_from_db()
    assert order.state == OrderState.PAID and Receipt.objects.get().order == order
    twice = services.callback_process("testpay", ipn_params(second_ref, 360_000), "10.0.0.1")
    assert twice.code == "02" and Receipt.objects.count() == 1
    replayed = services.callback_process("testpay", ipn_params(first_ref, 360_000), "10.0.0.1")
    assert replayed.code == "02"


def test_the_second_attempt_is_credited_to_the_order(owing, testpay):
    order, _first = _start(_open(owing))
    _order, second = _start(order)
    answer = services.callback_process(
        "testpay", ipn_params(_txn_ref(second.url, "tp_TxnRef"), 360_000), "10.0.0.1"
    )
    assert answer.code == "00"
    order.refresh_from_db()
    assert order.state == OrderState.PAID
    # An attempt's reference is no order code of its own, and another provider's IPN naming
    # it finds nothing.
    assert not PaymentOrder.objects.filter(code=_txn_ref(second.url, "tp_TxnRef")).exists()


@pytest.mark.django_db(transaction=True)
def test_paying_again_at_the_vnpay_stand_in_is_not_refused(owing, vnpay_standin, client):
    """The stand-in refuses a vnp_TxnRef it has seen, as VNPAY does."""
    order, first = _start(_open(owing), "vnpay")
    assert requests.get(first.url, timeout=10).status_code == 200  # the payer leaves the page
    order, second = _start(order, "vnpay")
    assert _txn_ref(second.url, "vnp_TxnRef") != _txn_ref(first.url, "vnp_TxnRef")
    assert requests.get(first.url, timeout=10).status_code == 400  # seen before: refused
    assert pay_on_page(second.url).status_code == 302
    assert _wait_paid(order).state == OrderState.PAID
    (ipn,) = vnpay_standin.state()["ipns"]
    assert '"RspCode": "00"' in ipn["answer"]["body"]


def test_an_ipn_finds_and_locks_its_order_in_one_statement(owing, testpay):
    """The attempt named by the IPN's reference is not read on its own (nor its order lazily):
    one SELECT … FOR UPDATE through it finds the order (bench/payments.py: 2 statements fewer
    per IPN)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, _where = _start(PaymentOrder.objects.get(), "testpay")
    second, _where = _start(first, "testpay")  # a second attempt: "TT…-2"
    reference = second.attempts.latest("pk").reference
    assert reference.endswith("-2")
    with CaptureQueriesContext(connection) as queries:
        answer = services.callback_process("testpay", ipn_params(reference, 360_000), "")
    assert answer.code == "00"
    statements = [query["sql"] for query in queries.captured_queries]
    paid = next(
        n for n, sql in enumerate(statements) if sql.startswith('UPDATE "payments_paymentorder"')
    )
    lookups = [
        sql
        for sql in statements[:paid]
        if sql.startswith("SELECT") and ("payments_paymentorder" in sql or "paymentattempt" in sql)
    ]
    assert len(lookups) == 1, lookups
    assert PaymentAttempt.objects.get(reference=reference).paid
