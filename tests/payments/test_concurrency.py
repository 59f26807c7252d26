"""Two identical IPNs at the same moment on PostgreSQL: one credits, the other is answered
"already confirmed"; one receipt, one settlement."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from onestop.models import FeeStatus
from payments import services
from payments.models import CallbackLog, OrderState, PaymentOrder, Receipt
from tests.payments.conftest import ipn_params

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_ipns_credit_once(owing, testpay):
    order = PaymentOrder.objects.get(obligation=services.dossier_obligation(owing))
    order, _where = services.order_start(
        order=order,
        provider_key="testpay",
        client_ip="203.0.113.5",
        return_url="https://dichvucong.example.vn/r/",
        ipn_url="https://dichvucong.example.vn/i/",
    )
    params = ipn_params(order.code, order.amount)
    barrier = threading.Barrier(2)
    answers: list[str] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait(timeout=10)
            answers.append(services.callback_process("testpay", params, "10.0.0.1").code)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(answers) == ["00", "02"]
    order.refresh_from_db()
    owing.refresh_from_db()
    assert order.state == OrderState.PAID and owing.fee_status == FeeStatus.PAID
    assert Receipt.objects.count() == 1
    assert owing.events.filter(kind="payment_recorded").count() == 1
    assert sorted(CallbackLog.objects.values_list("outcome", flat=True)) == ["00", "02"]
