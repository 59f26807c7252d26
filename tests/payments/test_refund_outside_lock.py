# ruff: noqa: F811 (fixtures imported from tests/payments/test_refunds are parameters here)
"""Issue 12, refunds without a lock held on the wire: the refund is reserved (a pending refund,
its amount counted) in a short transaction, the provider is asked outside any transaction, and
its answer is recorded in a second one. Meanwhile the order's row stays free for its IPNs; a
crash in between leaves a pending refund that the sweep settles by asking the provider."""

from __future__ import annotations

import contextlib
import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from payments import services
from payments.models import OrderState, PaymentOrder, Refund, RefundState
from payments.providers.base import PROVIDERS, register_provider
from payments.providers.vnpay import VnpayProvider
from tests.connectors.test_outbox_claim import SlowPartner
from tests.payments.conftest import momo_at
from tests.payments.standin import VNPAY_SECRET, VNPAY_TMN, PaymentStandIn
from tests.payments.test_refunds import _pay_through, _pay_through_vnpay, counter_head  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@contextlib.contextmanager
def vnpay_api_through(url: str):
    """VNPAY registered with its API (querydr, refund) reached through `url`."""
    before = PROVIDERS["vnpay"]
    register_provider(
        VnpayProvider(
            tmn_code=VNPAY_TMN,
            hash_secret=VNPAY_SECRET,
            payment_url=before.payment_url,
            api_url=url + "/vnpay/merchant_webapi/api/transaction",
            timeout=30,
        )
    )
    try:
        yield
    finally:
        PROVIDERS["vnpay"] = before


def test_the_order_row_is_free_while_the_provider_is_asked(
    client,
    owing,
    vnpay_standin,
    counter_head,
):
    order = _pay_through_vnpay(client, owing, vnpay_standin)
    slow = SlowPartner(vnpay_standin.url)
    outcome: list[object] = []

    def refund() -> None:
        try:
            outcome.append(
                services.order_refund(
                    officer=counter_head, order=order, amount=100_000, reason="Giảm phí"
                )
            )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcome.append(error)
        finally:
            connection.close()

    try:
        with vnpay_api_through(slow.url):
            thread = threading.Thread(target=refund)
            thread.start()
            assert slow.arrived.wait(30)
            with transaction.atomic():  # another connection (an IPN) locks the row at once
                locked = PaymentOrder.objects.select_for_update(nowait=True).get(pk=order.pk)
                assert locked.state == OrderState.PAID
                PaymentOrder.objects.filter(pk=order.pk).update(provider_reference="seen")
            pending = Refund.objects.get()
            assert (pending.state, pending.amount) == (RefundState.PENDING, 100_000)
            # The reservation counts: no more than what is left may be asked meanwhile.
            with pytest.raises(ValidationError) as too_much:
                services.order_refund(officer=counter_head, order=order, amount=260_001, reason="x")
            assert "260.000" in " ".join(too_much.value.messages)
            slow.release.set()
            thread.join(60)
    finally:
        slow.close()
    (refund,) = outcome
    assert isinstance(refund, Refund), refund
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.state == RefundState.DONE and refund.reference
    assert order.state == OrderState.PARTIALLY_REFUNDED


def test_a_refused_refund_releases_its_reservation(
    client,
    owing,
    vnpay_standin,
    counter_head,
):
    order = _pay_through_vnpay(client, owing, vnpay_standin)
    PaymentOrder.objects.filter(pk=order.pk).update(amount=500_000)
    order.refresh_from_db()
    with pytest.raises(ValidationError) as refused:  # more than VNPAY took: it refuses (94)
        services.order_refund(officer=counter_head, order=order, amount=400_000, reason="x")
    assert "Refund refused" in " ".join(refused.value.messages)
    failed = Refund.objects.get()
    assert (failed.state, failed.message) == (RefundState.FAILED, "Refund refused (94)")
    order.refresh_from_db()
    assert order.state == OrderState.PAID and services.order_refunded_sum(order) == 0
    url = reverse("payments:order_refund", args=[order.code])
    client.force_login(counter_head)
    page = client.get(url).content.decode()
    assert "Không thành công" in page and "Refund refused" in page
    # The payer's pages (the receipt's public page) list only the refunds that were made.
    public = client.get(reverse("payments:receipt", args=[order.receipt.code])).content.decode()
    assert 'class="refund-line"' not in public


def test_a_refund_left_pending_by_a_crash_is_settled_by_the_sweep(
    client,
    owing,
    vnpay_standin,
    counter_head,
):
    """The worker died after VNPAY took the refund and before recording it: the refund stays
    pending (shown "đang chờ xác nhận"), and the sweep asks VNPAY (querydr) and records it."""
    order = _pay_through_vnpay(client, owing, vnpay_standin)
    refund = services.refund_reserve(
        officer=counter_head, order=order, amount=360_000, reason="Rút hồ sơ", reference=""
    )
    answer = services.refund_ask_provider(refund)  # ... and the process dies here
    assert answer.accepted
    client.force_login(counter_head)
    page = client.get(reverse("payments:order_refund", args=[order.code])).content.decode()
    assert "Đang chờ xác nhận" in page
    listed = client.get(reverse("payments:refunds"), {"q": order.code}).content.decode()
    assert 'class="refund-pending"' in listed and "1 khoản hoàn tiền đang chờ xác nhận" in listed
    assert services.refunds_resolve(grace_seconds=0) == {"done": 1, "failed": 0, "pending": 0}
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.state == RefundState.DONE and order.state == OrderState.REFUNDED
    assert services.refunds_resolve(grace_seconds=0) == {"done": 0, "failed": 0, "pending": 0}


def test_a_refund_the_provider_never_got_is_released_by_the_sweep(
    client,
    owing,
    vnpay_standin,
    counter_head,
):
    order = _pay_through_vnpay(client, owing, vnpay_standin)
    services.refund_reserve(
        officer=counter_head, order=order, amount=60_000, reason="Thu thừa", reference=""
    )  # ... and the process dies before asking VNPAY
    assert services.refunds_resolve(grace_seconds=0) == {"done": 0, "failed": 1, "pending": 0}
    refund = Refund.objects.get()
    assert refund.state == RefundState.FAILED
    order.refresh_from_db()
    assert order.state == OrderState.PAID and services.order_refunded_sum(order) == 0


def test_two_refunds_through_vnpay_at_the_same_moment_never_exceed_the_amount(
    client,
    owing,
    vnpay_standin,
    counter_head,
):
    order = _pay_through_vnpay(client, owing, vnpay_standin)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def refund() -> None:
        try:
            barrier.wait(timeout=10)
            services.order_refund(officer=counter_head, order=order, amount=200_000, reason="x")
            outcomes.append("refunded")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=refund) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refunded", "refused"]
    assert len(vnpay_standin.state()["refunds"]) == 1  # VNPAY was asked once
    order.refresh_from_db()
    assert order.state == OrderState.PARTIALLY_REFUNDED
    assert Refund.objects.get().state == RefundState.DONE


def test_a_momo_refund_left_pending_is_settled_by_the_sweep(
    client,
    owing,
    counter_head,
    live_server,
    settings,
):
    """MoMo's refund has its own order id, kept on the refund: the sweep finds it in MoMo's
    query answer (`refundTrans`)."""
    settings.EDOC_PUBLIC_BASE_URL = live_server.url
    with PaymentStandIn() as standin, momo_at(standin):
        order = _pay_through(client, owing, "momo")
        asked = services.refund_reserve(
            officer=counter_head, order=order, amount=100_000, reason="Giảm", reference=""
        )
        assert services.refund_ask_provider(asked).accepted  # ... and the process dies here
        never = services.refund_reserve(
            officer=counter_head, order=order, amount=50_000, reason="Giảm", reference=""
        )  # ... this one dies before MoMo is asked
        assert asked.provider_order_id == f"{order.code}-R{asked.pk}"
        # Two pending refunds of one order: MoMo names each, both are settled.
        assert services.refunds_resolve(grace_seconds=0) == {"done": 1, "failed": 1, "pending": 0}
        (sent,) = standin.state()["refunds"]
    asked.refresh_from_db()
    never.refresh_from_db()
    assert (asked.state, asked.reference) == (RefundState.DONE, str(sent["refundTransId"]))
    assert never.state == RefundState.FAILED
    order.refresh_from_db()
    assert order.state == OrderState.PARTIALLY_REFUNDED
    assert services.order_refunded_sum(order) == 100_000


def test_a_refund_with_no_answer_waits_for_confirmation(client, owing, vnpay_standin, counter_head):
    """VNPAY cannot be reached: whether it got the refund is unknown, so the refund stays
    pending (the page says so); the sweep later asks VNPAY, which has no refund: failed."""
    order = _pay_through_vnpay(client, owing, vnpay_standin)
    client.force_login(counter_head)
    url = reverse("payments:order_refund", args=[order.code])
    with vnpay_api_through("http://127.0.0.1:9"):
        answer = client.post(url, {"amount": "360.000", "reason": "Rút hồ sơ"}, follow=True)
    page = answer.content.decode()
    assert "chờ xác nhận" in page and "Đang chờ xác nhận" in page
    refund = Refund.objects.get()
    assert refund.state == RefundState.PENDING
    order.refresh_from_db()
    assert order.state == OrderState.PAID and services.order_refunded_sum(order) == 360_000
    assert services.refunds_resolve() == {"done": 0, "failed": 0, "pending": 0}  # too recent
    out = io.StringIO()
    call_command("payments_refunds", "--grace", "0", stdout=out)
    assert out.getvalue().strip() == "done: 0, failed: 1, pending: 0"
    refund.refresh_from_db()
    assert refund.state == RefundState.FAILED and services.order_refunded_sum(order) == 0
