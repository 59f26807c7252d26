"""Orders past their expiry: a pending one is first asked about at its provider (VNPAY's
querydr through the stand-in) — a payment whose IPN never arrived is credited — and
otherwise expires; the sweep runs from `manage.py payments_expire` and Celery beat."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from onestop.models import FeeStatus
from payments import services
from payments.models import CallbackLog, OrderState, PaymentOrder, Receipt
from tests.payments.conftest import vnpay_at
from tests.payments.standin import PaymentStandIn, pay_on_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_ipns():
    """The VNPAY stand-in whose IPNs reach nobody (the merchant was down)."""
    dead = "http://127.0.0.1:9/payments/ipn/vnpay/"
    with PaymentStandIn(vnpay_ipn_url=dead) as standin, vnpay_at(standin):
        yield standin


def _start(order: PaymentOrder) -> tuple[PaymentOrder, str]:
    order, where = services.order_start(
        order=order,
        provider_key="vnpay",
        client_ip="203.0.113.5",
        return_url="http://127.0.0.1:9/payments/return/vnpay/",
        ipn_url="http://127.0.0.1:9/payments/ipn/vnpay/",
    )
    return order, where.url


def _later(monkeypatch, minutes: int) -> None:
    moment = timezone.now() + datetime.timedelta(minutes=minutes)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def test_a_payment_whose_ipn_was_lost_is_credited_by_the_sweep(owing, lost_ipns, monkeypatch):
    order, url = _start(PaymentOrder.objects.get())
    assert pay_on_page(url).status_code == 302
    (ipn,) = lost_ipns.state()["ipns"]
    assert ipn["answer"]["status"] == 0  # nobody answered
    order.refresh_from_db()
    assert order.state == OrderState.PENDING

    assert services.orders_expire() == {"paid": 0, "expired": 0}  # not expired yet
    _later(monkeypatch, 60)
    assert services.orders_expire() == {"paid": 1, "expired": 0}
    order.refresh_from_db()
    owing.refresh_from_db()
    assert order.state == OrderState.PAID and order.provider_reference
    assert owing.fee_status == FeeStatus.PAID and Receipt.objects.get().order == order
    log = CallbackLog.objects.get()
    assert (log.provider, log.outcome, log.message) == ("vnpay", "00", "querydr")


def test_unpaid_orders_expire(owing, lost_ipns, monkeypatch):
    order, _url = _start(PaymentOrder.objects.get())  # the payer never pays
    _later(monkeypatch, 60)
    call_command("payments_expire")
    order.refresh_from_db()
    owing.refresh_from_db()
    assert order.state == OrderState.EXPIRED and owing.fee_status == FeeStatus.UNPAID
    assert not Receipt.objects.exists()
    # The citizen can still pay: a fresh order.
    fresh = services.order_for_dossier(owing)
    assert fresh != order and fresh.state == OrderState.CREATED
