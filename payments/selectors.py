"""Reads of the payments app, filtered by who may see them."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from edoc.models import User
from edoc.text import nfc
from onestop import access as onestop_access
from onestop.models import Dossier, FeeStatus
from payments import access as payments_access
from payments.models import (
    OPEN_STATES,
    PAID_STATES,
    OrderState,
    PaymentOrder,
    Receipt,
    StatementTransfer,
    TransferOutcome,
)
from payments.providers.base import PROVIDERS, Provider
from payments.services import CASH, COUNTER_METHODS, POS, dossier_obligation
from workflows.calendar import VN_TZ


def payment_methods() -> list[Provider]:
    """The providers a payer may choose (registered ones), by label."""
    return sorted(PROVIDERS.values(), key=lambda provider: provider.label)


def dossier_orders(dossier: Dossier) -> QuerySet[PaymentOrder]:
    """Every order of a dossier's fee, newest first, with its receipt."""
    return (
        PaymentOrder.objects.filter(obligation=dossier_obligation(dossier))
        .select_related("receipt")
        .prefetch_related("refunds__created_by")
    )


def dossier_open_order(dossier: Dossier) -> PaymentOrder | None:
    return dossier_orders(dossier).filter(state__in=OPEN_STATES).first()


def dossier_payable(dossier: Dossier) -> bool:
    """Whether the citizen can pay the dossier's fee online now."""
    return (
        dossier.fee_status == FeeStatus.UNPAID
        and dossier.status == Dossier.Status.FINANCIAL
        and dossier.fee_amount > 0
    )


def dossier_receipts(dossier: Dossier) -> QuerySet[Receipt]:
    return Receipt.objects.filter(order__obligation=dossier_obligation(dossier)).select_related(
        "order"
    )


def receipt_by_code(code: str) -> Receipt | None:
    """A receipt by its verification code (public: anyone holding the code)."""
    if not code or len(code) > 32:
        return None
    return Receipt.objects.select_related("order", "order__agency").filter(code=code).first()


def order_for_officer(user: User, code: str) -> PaymentOrder | None:
    """An order a one-stop officer of its agency may collect at the counter."""
    order = PaymentOrder.objects.select_related("dossier", "agency").filter(code=code).first()
    if order is None or not onestop_access.is_onestop_officer(user, order.agency_id):
        return None
    return order


def cash_book(officer: User, day: datetime.date) -> dict:
    """What `officer` collected at the counter on `day` (local time): the orders, in the order
    paid, with totals per method."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=VN_TZ)
    orders = (
        PaymentOrder.objects.filter(
            collected_by=officer,
            provider__in=COUNTER_METHODS,
            state__in=[OrderState.PAID, OrderState.REFUNDED, OrderState.PARTIALLY_REFUNDED],
            paid_at__gte=start,
            paid_at__lt=start + datetime.timedelta(days=1),
        )
        .select_related("receipt", "dossier")
        .order_by("paid_at", "pk")
    )

    def total(methods: tuple[str, ...]) -> int:
        return orders.filter(provider__in=methods).aggregate(sum=Sum("amount"))["sum"] or 0

    return {
        "orders": orders,
        "cash": total((CASH, "counter")),
        "pos": total((POS,)),
        "total": total(COUNTER_METHODS),
    }


def local_today() -> datetime.date:
    return timezone.localtime(timezone.now(), VN_TZ).date()


def transfers_to_review() -> QuerySet[StatementTransfer]:
    """Imported bank transfers that paid no order (partial, excess, unmatched, refused)."""
    return StatementTransfer.objects.exclude(outcome=TransferOutcome.MATCHED).select_related(
        "order"
    )


def refundable_orders(user: User, query: str = "") -> QuerySet[PaymentOrder]:
    """The paid orders of the agency `user` may refund (none when they may not), newest paid
    first; `query` finds an order by its code, its receipt's number, the payer or the
    provider's reference."""
    if not user.is_authenticated or not user.unit_id:
        return PaymentOrder.objects.none()
    agency_id = user.unit.agency_id
    if not payments_access.can_refund(user, agency_id):
        return PaymentOrder.objects.none()
    orders = PaymentOrder.objects.filter(agency_id=agency_id, state__in=PAID_STATES)
    query = nfc(query).strip()
    if query:
        found = (
            Q(code__iexact=query)
            | Q(code__istartswith=query)
            | Q(payer_name__icontains=query)
            | Q(provider_reference__iexact=query)
        )
        if query.isdigit():
            found |= Q(receipt__number=int(query))
        orders = orders.filter(found)
    return orders.select_related("receipt", "dossier").order_by("-paid_at", "-pk")


def order_for_refunder(user: User, code: str) -> PaymentOrder | None:
    """A paid order `user` may refund, with its refunds."""
    return refundable_orders(user).prefetch_related("refunds").filter(code=code).first()
