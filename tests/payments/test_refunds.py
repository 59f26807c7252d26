"""Issue 12, refunds: the head of the one-stop counter's unit (or the agency's administrator)
gives a paid order's money back, fully or partly, with a reason — through the provider's refund
API (VNPAY, MoMo: their stand-in here) or recorded as paid back by hand (cash, POS, VietQR) with
its reference. The refunds' sum never exceeds the amount; a refusal changes nothing; an IPN for
a refunded order is answered "already confirmed" and changes nothing; every step is audited."""

from __future__ import annotations

import datetime
import threading

import pytest
import requests
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from edoc.models import AuditEntry
from edoc.models.organisation import Role
from onestop.selectors import tracking_token
from payments import selectors, services
from payments.models import OrderState, PaymentOrder, Receipt, Refund
from payments.providers.vnpay import secure_hash, vnpay_time
from tests.conftest import _user
from tests.payments.conftest import ipn_params, momo_at
from tests.payments.standin import (
    VNPAY_SECRET,
    VNPAY_TMN,
    PaymentStandIn,
    pay_on_page,
)
from tests.payments.test_attempts import _start
from tests.payments.test_views import provider_url
from tests.payments.test_vnpay_flow import _wait_paid

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter_head(units, officer):
    """The head of the unit the one-stop counter sits in (Chánh Văn phòng)."""
    return _user(
        "chanhvanphong", units["office"], Role.UNIT_HEAD, "Chánh Văn phòng", "Thắng", "Bùi"
    )


@pytest.fixture
def admin(units):
    return _user("quantri", units["office"], Role.ADMIN, "Quản trị hệ thống", "Bảo", "Hoàng")


def _open(owing) -> PaymentOrder:
    return PaymentOrder.objects.get(
        obligation=services.dossier_obligation(owing), state__in=["created", "pending"]
    )


def _paid_in_cash(owing, officer) -> PaymentOrder:
    return services.order_pay_at_counter(officer=officer, order=_open(owing), method="cash").order


def test_who_may_refund(owing, officer, counter_head, admin, users):
    order = _paid_in_cash(owing, officer)
    for who in (officer, users["director"], users["head"], users["clerk"]):
        with pytest.raises(PermissionDenied):
            services.order_refund(
                officer=who, order=order, amount=1000, reason="Thu nhầm", reference="PC-01"
            )
    assert not Refund.objects.exists()
    # The counter's head and the administrator may (the officer's unit head, even outside the
    # one-stop group; the head of another unit may not, see users["head"] above).
    services.order_refund(
        officer=counter_head, order=order, amount=1000, reason="Thu nhầm", reference="PC-01"
    )
    services.order_refund(
        officer=admin, order=order, amount=2000, reason="Thu nhầm", reference="PC-02"
    )
    assert Refund.objects.count() == 2


def test_a_cash_payment_is_refunded_by_hand_partly_then_fully(owing, officer, counter_head):
    order = _paid_in_cash(owing, officer)
    with pytest.raises(ValidationError) as missing:
        services.order_refund(officer=counter_head, order=order, amount=60_000, reason="Thu thừa")
    assert "reference" in missing.value.message_dict
    with pytest.raises(ValidationError) as no_reason:
        services.order_refund(
            officer=counter_head, order=order, amount=60_000, reason="  ", reference="PC-1"
        )
    assert "reason" in no_reason.value.message_dict
    for typo in ("60.5", "-1", "0", "1e5", "6O.000"):
        with pytest.raises(ValidationError) as bad:
            services.order_refund(
                officer=counter_head, order=order, amount=typo, reason="x", reference="PC-1"
            )
        assert "amount" in bad.value.message_dict

    refund = services.order_refund(
        officer=counter_head,
        order=order,
        amount=60_000,
        reason="Thu thừa phí",
        reference="PC-0001",
    )
    order.refresh_from_db()
    assert order.state == OrderState.PARTIALLY_REFUNDED
    assert (refund.amount, refund.method, refund.reference) == (60_000, "cash", "PC-0001")
    assert refund.created_by == counter_head

    with pytest.raises(ValidationError) as too_much:
        services.order_refund(
            officer=counter_head, order=order, amount=300_001, reason="x", reference="PC-2"
        )
    assert "300.000" in " ".join(too_much.value.messages)
    order.refresh_from_db()
    assert order.state == OrderState.PARTIALLY_REFUNDED and Refund.objects.count() == 1

    services.order_refund(
        officer=counter_head, order=order, amount=300_000, reason="Hủy hồ sơ", reference="PC-2"
    )
    order.refresh_from_db()
    assert order.state == OrderState.REFUNDED
    with pytest.raises(ValidationError):
        services.order_refund(
            officer=counter_head, order=order, amount=1, reason="x", reference="PC-3"
        )
    entries = AuditEntry.objects.filter(action="payment.refunded").order_by("pk")
    assert [entry.details["amount"] for entry in entries] == [60_000, 300_000]
    assert entries[1].details["state"] == "refunded"


def test_an_ipn_for_a_refunded_order_changes_nothing(owing, testpay, counter_head):
    order, _where = _start(_open(owing), "testpay")
    assert services.callback_process("testpay", ipn_params(order.code, 360_000), "").code == "00"
    # testpay has no refund API: the money went back by bank transfer, recorded by hand.
    services.order_refund(
        officer=counter_head, order=order, amount=360_000, reason="Trùng", reference="UNC-77"
    )
    answer = services.callback_process("testpay", ipn_params(order.code, 360_000), "")
    assert answer.as_vnpay() == {"RspCode": "02", "Message": "Order already confirmed"}
    order.refresh_from_db()
    assert order.state == OrderState.REFUNDED and Receipt.objects.count() == 1
    refused = AuditEntry.objects.filter(action="payment.callback_refused").get()
    assert refused.details["code"] == "02"


def _pay_through(client, owing, method: str) -> PaymentOrder:
    """The citizen pays the dossier's fee on the stand-in's page of `method`; the paid order."""
    client.get(reverse("portal:track_token", args=[tracking_token(owing)]))
    url = provider_url(client.post(reverse("payments:pay"), {"method": method}))
    assert pay_on_page(url).status_code == 302
    return _wait_paid(PaymentOrder.objects.get(provider=method))


def _pay_through_vnpay(client, owing, standin) -> PaymentOrder:
    return _pay_through(client, owing, "vnpay")


@pytest.mark.django_db(transaction=True)
def test_a_vnpay_payment_is_refunded_through_vnpay(
    client, owing, vnpay_standin, counter_head, live_server
):
    order = _pay_through_vnpay(client, owing, vnpay_standin)
    services.order_refund(officer=counter_head, order=order, amount=100_000, reason="Giảm phí")
    services.order_refund(officer=counter_head, order=order, amount=260_000, reason="Rút hồ sơ")
    order.refresh_from_db()
    assert order.state == OrderState.REFUNDED
    partly, rest = vnpay_standin.state()["refunds"]
    assert (partly["vnp_TransactionType"], partly["vnp_Amount"]) == ("03", "10000000")
    assert (rest["vnp_TransactionType"], rest["vnp_Amount"]) == ("03", "26000000")
    assert partly["vnp_TxnRef"] == order.code
    assert partly["vnp_TransactionNo"] == order.provider_reference
    assert partly["vnp_CreateBy"] == counter_head.username
    assert [r.method for r in order.refunds.all()] == ["vnpay", "vnpay"]

    # The stand-in's IPN again: "already confirmed", the order stays refunded.
    (ipn,) = vnpay_standin.state()["ipns"]
    again = requests.get(f"{live_server.url}/payments/ipn/vnpay/", params=ipn["sent"], timeout=10)
    assert again.json()["RspCode"] == "02"
    order.refresh_from_db()
    assert order.state == OrderState.REFUNDED


@pytest.mark.django_db(transaction=True)
def test_a_refund_the_provider_refuses_changes_nothing(owing, vnpay_standin, counter_head):
    """Paid by an IPN the stand-in never sent (it knows no such transaction): VNPAY answers
    91, the refund is refused with VNPAY's message, audited, and nothing changes."""
    order, _where = _start(_open(owing), "vnpay")
    params = {
        "vnp_Amount": "36000000",
        "vnp_PayDate": vnpay_time(timezone.now()),
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": VNPAY_TMN,
        "vnp_TransactionNo": "99000001",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": order.code,
    }
    params["vnp_SecureHash"] = secure_hash(params, VNPAY_SECRET)
    assert services.callback_process("vnpay", params, "").code == "00"
    with pytest.raises(ValidationError) as refused:
        services.order_refund(officer=counter_head, order=order, amount=360_000, reason="Rút")
    assert "Transaction not found" in " ".join(refused.value.messages)
    order.refresh_from_db()
    # The reservation is released: the refund is kept as failed, with VNPAY's answer.
    assert order.state == OrderState.PAID and services.order_refunded_sum(order) == 0
    failed = Refund.objects.get()
    assert (failed.state, failed.message) == ("failed", "Transaction not found (91)")
    entry = AuditEntry.objects.get(action="payment.refund_refused")
    assert entry.details["code"] == "91" and entry.details["amount"] == 360_000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refunds_at_the_same_moment_never_exceed_the_amount(owing, officer, counter_head):
    order = _paid_in_cash(owing, officer)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def refund(reference: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.order_refund(
                officer=counter_head,
                order=order,
                amount=200_000,
                reason="Trùng",
                reference=reference,
            )
            outcomes.append("refunded")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=refund, args=(f"PC-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refunded", "refused"]
    order.refresh_from_db()
    assert order.state == OrderState.PARTIALLY_REFUNDED and Refund.objects.count() == 1


def test_the_head_refunds_from_the_refunds_page(client, owing, officer, counter_head, admin):
    order = _paid_in_cash(owing, officer)
    client.force_login(officer)
    assert client.get(reverse("payments:refunds")).status_code == 403
    page = client.get(reverse("onestop:dossier_detail", args=[owing.pk])).content.decode()
    assert 'id="nav-refunds"' not in page and 'class="link-refund"' not in page
    client.force_login(counter_head)
    receipt = Receipt.objects.get(order=order)
    found = client.get(reverse("payments:refunds"), {"q": str(receipt.number)}).content.decode()
    assert 'id="nav-refunds"' in found
    assert reverse("payments:order_refund", args=[order.code]) in found
    url = reverse("payments:order_refund", args=[order.code])
    assert f'id="refund-form-{order.code}"' in client.get(url).content.decode()
    answer = client.post(url, {"amount": "400000", "reason": "Thu thừa", "reference": "PC-9"})
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert "360.000" in page and not Refund.objects.exists()
    answer = client.post(url, {"amount": "60.000", "reason": "Thu thừa", "reference": "PC-9"})
    page = client.get(answer["Location"]).content.decode()
    assert 'class="refund-line"' in page and "Thu thừa" in page and "PC-9" in page
    assert Refund.objects.get().amount == 60_000
    public = client.get(reverse("payments:receipt", args=[receipt.code])).content.decode()
    assert 'id="receipt-refunds"' in public and "60.000" in public
    client.get(reverse("portal:track_token", args=[tracking_token(owing)]))
    tracking = client.get(reverse("portal:dossier")).content.decode()
    assert f'id="payment-refunds-{order.code}"' in tracking and "Đã hoàn một phần" in tracking
    # The administrator sees it on the dossier's payment panel, with the way to refund.
    client.force_login(admin)
    page = client.get(reverse("onestop:dossier_detail", args=[owing.pk])).content.decode()
    assert 'class="refund-line"' in page and 'class="link-refund"' in page
    client.force_login(officer)
    assert client.post(url, {"amount": "1", "reason": "x", "reference": "y"}).status_code == 403
    assert Refund.objects.count() == 1


def test_the_admin_refunds_an_other_fee_order(owing, officer, admin):
    """An order that is not a dossier's fee is refunded the same way."""
    order = services.order_create(
        agency=owing.agency,
        obligation="service:copy-42",
        purpose="Sao y bản chính",
        payer_name="Nguyễn Văn An",
        amount=20_000,
    )
    services.order_pay_at_counter(officer=officer, order=order, method="pos", approval_code="A1")
    services.order_refund(officer=admin, order=order, amount=20_000, reason="Sai", reference="X1")
    order.refresh_from_db()
    assert order.state == OrderState.REFUNDED


@pytest.mark.django_db(transaction=True)
def test_a_momo_payment_is_refunded_through_momo(
    client, owing, counter_head, live_server, settings
):
    """MoMo's refund has an order id of its own and names the payment by its transId; more
    than what is left is refused before MoMo is asked."""
    settings.EDOC_PUBLIC_BASE_URL = live_server.url
    with PaymentStandIn() as standin, momo_at(standin):
        order = _pay_through(client, owing, "momo")
        refund = services.order_refund(
            officer=counter_head, order=order, amount=360_000, reason="Rút hồ sơ"
        )
        (sent,) = standin.state()["refunds"]
    order.refresh_from_db()
    assert order.state == OrderState.REFUNDED
    assert (refund.method, refund.amount) == ("momo", 360_000)
    assert str(sent["transId"]) == order.provider_reference and sent["amount"] == 360_000
    assert sent["orderId"].startswith(f"{order.code}-R")
    assert refund.reference == str(sent["refundTransId"])


def test_the_cash_book_shows_the_cash_refunds_of_the_day_and_the_net(
    client, owing, officer, counter_head
):
    """360.000 đ taken in cash today, 60.000 đ of it paid back in cash today: the officer's cash
    book lists the refund and nets the day at 300.000 đ."""
    order = _paid_in_cash(owing, officer)
    services.order_refund(
        officer=counter_head, order=order, amount=60_000, reason="Thu thừa", reference="PC-0007"
    )
    client.force_login(officer)
    book = client.get(reverse("payments:cash_book")).content.decode()
    assert 'class="cash-book-refund"' in book and "PC-0007" in book
    assert 'id="total-cash">360.000 đ<' in book
    assert 'id="refunded-cash">60.000 đ<' in book
    assert 'id="net-cash">300.000 đ<' in book and 'id="net-total">300.000 đ<' in book
    assert "Hoàn trả tiền mặt" in book
    yesterday = (selectors.local_today() - datetime.timedelta(days=1)).isoformat()
    other_day = client.get(reverse("payments:cash_book"), {"day": yesterday}).content.decode()
    assert 'class="cash-book-refund"' not in other_day and 'id="net-cash">0 đ<' in other_day
