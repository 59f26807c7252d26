"""Orders, provider callbacks (IPN) and their answers, counter payments, receipts."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from edoc.models import AuditEntry
from onestop import services as onestop_services
from onestop.models import Dossier, FeeStatus
from payments import services
from payments.models import CallbackLog, OrderState, PaymentOrder, Receipt
from tests.payments.conftest import ipn_params

pytestmark = pytest.mark.django_db
Status = Dossier.Status


def _order(dossier: Dossier) -> PaymentOrder:
    return PaymentOrder.objects.get(
        obligation=services.dossier_obligation(dossier), state__in=["created", "pending"]
    )


def _start(order: PaymentOrder, key: str = "testpay") -> PaymentOrder:
    order, where = services.order_start(
        order=order,
        provider_key=key,
        client_ip="203.0.113.5",
        return_url="https://dichvucong.example.vn/payments/return/testpay/",
        ipn_url="https://dichvucong.example.vn/payments/ipn/testpay/",
    )
    assert where.url.startswith("https://gateway.example/pay?")
    assert f"tp_TxnRef={order.code}" in where.url
    return order


def test_asking_for_the_fee_opens_one_order_and_another_amount_replaces_it(owing, officer):
    order = _order(owing)
    assert (order.amount, order.state, order.dossier) == (360_000, OrderState.CREATED, owing)
    assert order.payer_name == "Nguyễn Văn An"
    assert owing.code in order.purpose
    assert services.order_for_dossier(owing) == order  # still payable: the same one
    owing.fee_amount = 400_000
    replaced = services.order_for_dossier(owing)
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert (replaced.amount, replaced.state) == (400_000, OrderState.CREATED)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentOrder.objects.create(
            code="TTDUP",
            agency=owing.agency,
            obligation=replaced.obligation,
            purpose="x",
            payer_name="x",
            amount=1,
            expires_at=timezone.now(),
        )


def test_a_paid_ipn_settles_the_dossier_and_issues_a_receipt_once(owing, testpay):
    order = _start(_order(owing))
    answer = services.callback_process("testpay", ipn_params(order.code, 360_000), "10.0.0.1")
    assert answer.as_vnpay() == {"RspCode": "00", "Message": "Confirm Success"}
    order.refresh_from_db()
    owing.refresh_from_db()
    assert order.state == OrderState.PAID and order.provider_reference == "14123456"
    assert owing.status == Status.PROCESSING and owing.fee_status == FeeStatus.PAID
    receipt = Receipt.objects.get(order=order)
    assert (receipt.number, receipt.amount, receipt.method) == (1, 360_000, "testpay")
    event = owing.events.order_by("-pk").first()
    assert event.internal_note == f"{receipt.reference} 14123456"

    again = services.callback_process("testpay", ipn_params(order.code, 360_000), "10.0.0.1")
    assert again.code == "02"
    assert Receipt.objects.count() == 1
    logs = list(CallbackLog.objects.order_by("pk").values_list("outcome", "order", "remote_ip"))
    assert logs == [("00", order.pk, "10.0.0.1"), ("02", order.pk, "10.0.0.1")]
    actions = list(
        AuditEntry.objects.filter(action__startswith="payment.callback").values_list(
            "action", flat=True
        )
    )
    assert actions == ["payment.callback_accepted", "payment.callback_refused"]


def _refused(owing, params, code: str) -> None:
    order = _order(owing)
    before = (order.state, Receipt.objects.count(), owing.status)
    answer = services.callback_process("testpay", params, "10.0.0.1")
    assert answer.code == code
    order.refresh_from_db()
    owing.refresh_from_db()
    assert (order.state, Receipt.objects.count(), owing.status) == before
    log = CallbackLog.objects.order_by("-pk").first()
    assert log.params == params and log.outcome == code
    entry = AuditEntry.objects.filter(action="payment.callback_refused").order_by("-pk").first()
    assert entry.details["code"] == code


def test_a_forged_signature_is_refused_with_97(owing, testpay):
    order = _start(_order(owing))
    params = ipn_params(order.code, 360_000)
    params["tp_Amount"] = "100"  # changed after signing
    _refused(owing, params, "97")


def test_a_wrong_amount_is_refused_with_04(owing, testpay):
    order = _start(_order(owing))
    _refused(owing, ipn_params(order.code, 36_000), "04")


def test_an_unknown_order_is_refused_with_01(owing, testpay):
    _start(_order(owing))
    _refused(owing, ipn_params("TT000000DEADBEEF", 360_000), "01")


def test_malformed_parameters_are_refused_with_99(owing, testpay):
    order = _start(_order(owing))
    _refused(owing, ipn_params(order.code, 360_000, tp_PayDate="hôm qua"), "99")
    _refused(owing, {"tp_TxnRef": order.code}, "97")


def test_a_callback_outside_the_replay_window_is_refused(owing, testpay):
    order = _start(_order(owing))
    old = timezone.now() - datetime.timedelta(days=3)
    _refused(owing, ipn_params(order.code, 360_000, when=old), "99")


def test_a_refunded_order_is_not_paid_again(owing, testpay):
    order = _start(_order(owing))
    PaymentOrder.objects.filter(pk=order.pk).update(state=OrderState.REFUNDED)
    before = AuditEntry.objects.count()
    answer = services.callback_process("testpay", ipn_params(order.code, 360_000), "10.0.0.1")
    assert answer.code == "02"
    order.refresh_from_db()
    assert order.state == OrderState.REFUNDED and not Receipt.objects.exists()
    assert AuditEntry.objects.count() == before + 1


def test_a_failed_payment_is_recorded_and_a_new_attempt_gets_a_new_order(owing, testpay):
    order = _start(_order(owing))
    answer = services.callback_process(
        "testpay", ipn_params(order.code, 360_000, code="24"), "10.0.0.1"
    )
    assert answer.code == "00"
    order.refresh_from_db()
    owing.refresh_from_db()
    assert order.state == OrderState.FAILED and owing.fee_status == FeeStatus.UNPAID
    fresh = services.order_for_dossier(owing)
    assert fresh != order and fresh.state == OrderState.CREATED


def test_the_officer_takes_cash_or_a_pos_card_payment(owing, officer, users):
    order = _order(owing)
    with pytest.raises(Exception, match="approval code|mã chuẩn chi"):
        services.order_pay_at_counter(officer=officer, order=order, method="pos")
    with pytest.raises(Exception):  # noqa: B017 - not a one-stop officer
        services.order_pay_at_counter(officer=users["clerk"], order=order, method="cash")
    receipt = services.order_pay_at_counter(
        officer=officer, order=order, method="pos", approval_code="A1B2C3"
    )
    owing.refresh_from_db()
    order.refresh_from_db()
    assert owing.status == Status.PROCESSING and owing.fee_status == FeeStatus.PAID
    assert (order.state, order.provider, order.collected_by) == ("paid", "pos", officer)
    assert (receipt.number, receipt.provider_reference, receipt.issued_by) == (1, "A1B2C3", officer)


def test_receipt_numbers_are_gapless_per_series_and_year(
    owing, officer, procedure, applicant, all_files
):
    services.order_pay_at_counter(officer=officer, order=_order(owing), method="cash")
    second = onestop_services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files()
    )
    onestop_services.dossier_request_payment(officer=officer, dossier=second)
    # The officer's own record at the counter goes through the same collector.
    onestop_services.dossier_record_payment(officer=officer, dossier=second, reference="BL-7")
    numbers = list(Receipt.objects.order_by("number").values_list("number", "method"))
    assert numbers == [(1, "cash"), (2, "counter")]


def test_an_exemption_closes_the_open_order_without_a_receipt(owing, officer):
    order = _order(owing)
    onestop_services.dossier_record_payment(officer=officer, dossier=owing, exempt=True)
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED and not Receipt.objects.exists()


def test_a_payment_for_an_order_replaced_meanwhile_is_still_credited(owing, testpay):
    """The payer starts with one gateway, comes back and chooses another (a new order), then
    completes the first payment after all: the money is in, so it settles the fee."""
    from payments.providers.base import PROVIDERS, register_provider
    from tests.payments.conftest import TestPay

    class OtherPay(TestPay):
        key = "otherpay"

    register_provider(OtherPay())
    try:
        _replaced_order_paid(owing)
    finally:
        PROVIDERS.pop("otherpay", None)


def _replaced_order_paid(owing) -> None:
    first = _start(_order(owing))
    second, _where = services.order_start(
        order=first,
        provider_key="otherpay",
        client_ip="203.0.113.5",
        return_url="https://dichvucong.example.vn/r/",
        ipn_url="https://dichvucong.example.vn/i/",
    )
    first.refresh_from_db()
    assert first.state == OrderState.CANCELLED and second.state == OrderState.PENDING
    answer = services.callback_process("testpay", ipn_params(first.code, 360_000), "10.0.0.1")
    assert answer.code == "00"
    first.refresh_from_db()
    second.refresh_from_db()
    owing.refresh_from_db()
    assert first.state == OrderState.PAID and second.state == OrderState.CANCELLED
    assert owing.fee_status == FeeStatus.PAID and Receipt.objects.get().order == first
    # The second one cannot be paid any more: a payment for it would be a second one.
    again = services.callback_process("otherpay", ipn_params(second.code, 360_000), "10.0.0.1")
    assert again.code == "02" and Receipt.objects.count() == 1


def test_cash_at_the_counter_while_an_online_payment_is_pending(owing, officer, testpay):
    """The online order keeps its provider and code (its IPN may still come); the cash gets
    an order of its own. A late online payment is then a second payment: answered 02 and
    left for a refund, never credited twice."""
    online = _start(_order(owing))
    receipt = services.order_pay_at_counter(officer=officer, order=online, method="cash")
    online.refresh_from_db()
    assert (online.state, online.provider) == (OrderState.CANCELLED, "testpay")
    assert receipt.order != online and receipt.order.provider == "cash"
    answer = services.callback_process("testpay", ipn_params(online.code, 360_000), "10.0.0.1")
    assert answer.code == "02"
    online.refresh_from_db()
    assert online.state == OrderState.CANCELLED and Receipt.objects.count() == 1
