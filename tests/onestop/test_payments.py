"""The fee collector interface (onestop.payments): a collector registered the way the payments
app will register its own (from its AppConfig.ready()) hears when a fee is asked for and numbers
the receipt when the fee is settled, at the counter or by a provider's confirmed payment; the
dossier's history, audit and notification stay onestop's."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from edoc.models import AuditEntry, User
from onestop import selectors, services
from onestop.models import Dossier, DossierEvent, FeeStatus
from onestop.payments import (
    COUNTER,
    CounterCash,
    FeePayment,
    fee_collector,
    register_fee_collector,
)
from onestop.signals import dossier_status_changed

pytestmark = pytest.mark.django_db
Status = Dossier.Status


class StandInCollector:
    """A collector as the payments app will write one: an order per fee asked for, receipts
    numbered in a series of its own; it refuses to open an order when told to."""

    def __init__(self) -> None:
        self.orders: list[tuple[str, int, int]] = []
        self.receipts: list[tuple[str, str, str, User | None]] = []
        self.refuse_orders = False

    def fee_requested(self, dossier: Dossier) -> None:
        if self.refuse_orders:
            raise ValidationError("Cổng thanh toán đang bảo trì.", code="provider_down")
        self.orders.append((dossier.code, dossier.fee_amount, dossier.status))

    def fee_settled(self, dossier: Dossier, payment: FeePayment, actor: User | None) -> str:
        self.receipts.append((dossier.code, payment.method, payment.reference, actor))
        return f"BLĐT-{len(self.receipts):04d} {payment.reference}".strip()


@pytest.fixture
def collector():
    stand_in = StandInCollector()
    previous = register_fee_collector(stand_in)
    yield stand_in
    assert register_fee_collector(previous) is stand_in


@pytest.fixture
def received(procedure, applicant, officer, all_files) -> Dossier:
    return services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files()
    )


def _last_event(dossier: Dossier) -> DossierEvent:
    return dossier.events.order_by("-pk").first()


@pytest.fixture
def counter_cash():
    """onestop's own collector (the payments app, when installed, registers its own)."""
    previous = register_fee_collector(CounterCash())
    yield
    register_fee_collector(previous)


def test_counter_cash_collects_at_the_counter(counter_cash, received, officer):
    assert isinstance(fee_collector(), CounterCash)
    services.dossier_record_payment(officer=officer, dossier=received, reference="BL-0012")
    received.refresh_from_db()
    assert received.fee_status == FeeStatus.PAID
    assert _last_event(received).internal_note == "BL-0012"
    entry = AuditEntry.objects.filter(action="dossier.payment_recorded").get()
    assert entry.details["method"] == COUNTER


def test_a_provider_payment_settles_the_fee_through_the_registered_collector(
    collector, received, officer, django_capture_on_commit_callbacks
):
    services.dossier_request_payment(officer=officer, dossier=received, amount=100_000)
    assert collector.orders == [(received.code, 100_000, Status.FINANCIAL)]

    notified = []

    def listener(sender, dossier, event, **kwargs):
        notified.append((event.kind, event.from_status, event.to_status))

    dossier_status_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.dossier_fee_settle(
                dossier=received,
                payment=FeePayment(method="vnpay", amount=100_000, reference="VNP14226112"),
            )
    finally:
        dossier_status_changed.disconnect(listener)

    received.refresh_from_db()
    assert received.status == Status.PROCESSING and received.fee_status == FeeStatus.PAID
    assert collector.receipts == [(received.code, "vnpay", "VNP14226112", None)]
    event = _last_event(received)
    assert (event.kind, event.actor, event.internal_note) == (
        "payment_recorded",
        None,
        "BLĐT-0001 VNP14226112",
    )
    assert selectors.public_timeline(received)[-1].message == "Đã nhận tiền phí, lệ phí."
    assert notified == [("payment_recorded", Status.FINANCIAL, Status.PROCESSING)]
    entry = AuditEntry.objects.filter(action="dossier.payment_recorded").get()
    assert entry.actor is None and entry.details["method"] == "vnpay"

    # The provider's repeated callback credits nothing twice.
    with pytest.raises(ValidationError) as error:
        services.dossier_fee_settle(
            dossier=received, payment=FeePayment(method="vnpay", amount=100_000)
        )
    assert error.value.code == "no_fee" and len(collector.receipts) == 1


def test_a_payment_of_another_amount_is_refused_and_changes_nothing(collector, received, officer):
    services.dossier_request_payment(officer=officer, dossier=received, amount=100_000)
    events = received.events.count()
    with pytest.raises(ValidationError, match="99.000 đồng") as error:
        services.dossier_fee_settle(
            dossier=received, payment=FeePayment(method="momo", amount=99_000, reference="M1")
        )
    assert error.value.code == "amount"
    received.refresh_from_db()
    assert received.status == Status.FINANCIAL and received.fee_status == FeeStatus.UNPAID
    assert received.events.count() == events and collector.receipts == []
    assert not AuditEntry.objects.filter(action="dossier.payment_recorded").exists()


def test_the_officer_records_a_counter_payment_through_the_registered_collector(
    collector, received, officer
):
    services.dossier_record_payment(officer=officer, dossier=received, reference="BL-7")
    received.refresh_from_db()
    assert received.fee_status == FeeStatus.PAID
    assert collector.receipts == [(received.code, COUNTER, "BL-7", officer)]
    assert _last_event(received).internal_note == "BLĐT-0001 BL-7"


def test_a_collector_that_refuses_the_order_refuses_the_request(collector, received, officer):
    collector.refuse_orders = True
    events = received.events.count()
    with pytest.raises(ValidationError, match="bảo trì"):
        services.dossier_request_payment(officer=officer, dossier=received, amount=100_000)
    received.refresh_from_db()
    assert received.status == Status.ACCEPTED and received.fee_amount == 360_000
    assert received.events.count() == events


def test_only_a_fee_collector_can_be_registered():
    before = fee_collector()
    with pytest.raises(TypeError):
        register_fee_collector(object())
    assert fee_collector() is before
