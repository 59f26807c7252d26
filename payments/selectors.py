"""Reads of the payments app, filtered by who may see them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.text import nfc
from onestop import access as onestop_access
from onestop.models import Dossier, FeeStatus
from payments import access as payments_access
from payments.access import finance_agency_id
from payments.fees import payment_fees
from payments.models import (
    OPEN_STATES,
    PAID_STATES,
    OrderState,
    PaymentOrder,
    Receipt,
    ReconciliationCategory,
    ReconciliationRun,
    Refund,
    RefundState,
    StatementTransfer,
    TransferOutcome,
)
from payments.pdf import method_name
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


CASH_METHODS = (CASH, "counter")  # everything else (online, VietQR, POS card) is cashless


def cash_book(officer: User, day: datetime.date) -> dict:
    """What `officer` collected at the counter on `day` (local time): the orders, in the order
    paid, with totals per method; the counter's refunds paid back that day (cash, POS) of the
    orders they collected or recorded by them, and the day's net (collected − refunded)."""
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

    refunds = (
        Refund.objects.filter(
            Q(order__collected_by=officer) | Q(created_by=officer),
            method__in=COUNTER_METHODS,
            state=RefundState.DONE,
            created_at__gte=start,
            created_at__lt=start + datetime.timedelta(days=1),
        )
        .select_related("order__receipt", "created_by")
        .order_by("created_at", "pk")
    )

    def total(rows: QuerySet, field: str, methods: tuple[str, ...]) -> int:
        return rows.filter(**{f"{field}__in": methods}).aggregate(sum=Sum("amount"))["sum"] or 0

    cash, refunded_cash = (
        total(orders, "provider", CASH_METHODS),
        total(refunds, "method", CASH_METHODS),
    )
    collected, refunded = (
        total(orders, "provider", COUNTER_METHODS),
        total(refunds, "method", COUNTER_METHODS),
    )
    return {
        "orders": orders,
        "refunds": refunds,
        "cash": cash,
        "pos": total(orders, "provider", (POS,)),
        "total": collected,
        "refunded_cash": refunded_cash,
        "refunded_pos": total(refunds, "method", (POS,)),
        "net_cash": cash - refunded_cash,
        "net_total": collected - refunded,
    }


def local_today() -> datetime.date:
    return timezone.localtime(timezone.now(), VN_TZ).date()


def transfers_to_review() -> QuerySet[StatementTransfer]:
    """Imported bank transfers that paid no order (partial, excess, unmatched, refused) and
    are not resolved yet."""
    return (
        StatementTransfer.objects.exclude(outcome=TransferOutcome.MATCHED)
        .filter(resolution="")
        .select_related("order")
    )


def transfers_resolved() -> QuerySet[StatementTransfer]:
    """Transfers of the review list resolved by hand, the latest first."""
    return (
        StatementTransfer.objects.exclude(resolution="")
        .select_related("order", "resolved_by")
        .order_by("-resolved_at", "-pk")
    )


def reconciliation_runs(user: User) -> QuerySet[ReconciliationRun]:
    """The agency's reconciliations, newest first (none for who may not see them)."""
    agency_id = finance_agency_id(user)
    if agency_id is None:
        return ReconciliationRun.objects.none()
    return ReconciliationRun.objects.filter(agency_id=agency_id).select_related("created_by")


def reconciliation_get(user: User, pk: int) -> ReconciliationRun | None:
    """One of the agency's reconciliations."""
    return reconciliation_runs(user).filter(pk=pk).first()


def reconciliation_sections(run: ReconciliationRun) -> list[dict]:
    """The run's lines by category, discrepancies first: [{"category", "label", "lines"}]."""
    lines = list(run.lines.select_related("order"))
    order = (
        ReconciliationCategory.AMOUNT_MISMATCH,
        ReconciliationCategory.MISSING_OURS,
        ReconciliationCategory.MISSING_THEIRS,
        ReconciliationCategory.MATCHED,
    )
    return [
        {
            "category": category.value,
            "label": category.label,
            "lines": [line for line in lines if line.category == category],
        }
        for category in order
    ]


@dataclass
class ReportRow:
    """Orders paid in a report's period for one method or procedure: how many, how much, how
    much of it cashless, and what the providers charged for them (VND)."""

    key: str
    label: str
    count: int = 0
    amount: int = 0
    cashless_amount: int = 0
    fee: int = 0
    refund_count: int = 0
    refunded: int = 0

    def add(self, count: int, amount: int, cashless: bool, fee: int) -> None:
        self.count += count
        self.amount += count * amount
        self.cashless_amount += count * amount if cashless else 0
        self.fee += count * fee

    def add_refunds(self, count: int, amount: int) -> None:
        self.refund_count += count
        self.refunded += amount

    @property
    def net(self) -> int:
        """What was paid less what was refunded in the period (VND)."""
        return self.amount - self.refunded

    @property
    def cashless_share(self) -> Decimal | None:
        """The cashless part of the amount, in percent with one decimal (None: nothing paid)."""
        if not self.amount:
            return None
        share = Decimal(self.cashless_amount * 100) / Decimal(self.amount)
        return share.quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class PaymentReport:
    date_from: datetime.date
    date_to: datetime.date
    providers: list[ReportRow]
    procedures: list[ReportRow]
    total: ReportRow

    @property
    def cashless_share(self) -> Decimal | None:
        return self.total.cashless_share


def payment_report(
    user: User, *, date_from: datetime.date, date_to: datetime.date
) -> PaymentReport:
    """The agency's orders paid from `date_from` to `date_to` (local days, both included) per
    method and per procedure (orders of no dossier: "other services"), with the cashless share
    and each provider's fees (EDOC_PAYMENT_FEES, per transaction). The database groups the
    orders by method, procedure and amount; the fees are applied per group. The refunds done
    in the period (by the day they were recorded, whenever the order was paid) are counted per
    method and procedure and subtracted in `net`; fees are not given back."""
    agency_id = payments_access.report_agency_id(user)
    if agency_id is None:
        raise PermissionDenied(_("Only one-stop officers of the agency may do this."))
    fees = payment_fees()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=VN_TZ)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=VN_TZ
    )
    groups = (
        PaymentOrder.objects.filter(
            agency_id=agency_id, state__in=PAID_STATES, paid_at__gte=start, paid_at__lt=end
        )
        .values("provider", "amount", "dossier__procedure_id", "dossier__procedure__name")
        .annotate(count=Count("pk"))
        .order_by()
    )
    providers: dict[str, ReportRow] = {}
    procedures: dict[int | None, ReportRow] = {}
    total = ReportRow("total", _("Total"))

    def rows_of(method: str, procedure_id: int | None, name: str | None) -> list[ReportRow]:
        """The method's row, the procedure's row and the total, which a group adds to."""
        procedure_row = ReportRow(str(procedure_id or ""), name or _("Other services"))
        return [
            providers.setdefault(method, ReportRow(method, method_name(method))),
            procedures.setdefault(procedure_id, procedure_row),
            total,
        ]

    for group in groups:
        method, amount, count = group["provider"], group["amount"], group["count"]
        cashless = method not in CASH_METHODS
        fee = fees[method].of(amount) if method in fees else 0
        procedure = (group["dossier__procedure_id"], group["dossier__procedure__name"])
        for row in rows_of(method, *procedure):
            row.add(count, amount, cashless, fee)
    refunds = (
        Refund.objects.filter(
            order__agency_id=agency_id,
            state=RefundState.DONE,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("method", "order__dossier__procedure_id", "order__dossier__procedure__name")
        .annotate(count=Count("pk"), sum=Sum("amount"))
        .order_by()
    )
    for group in refunds:
        procedure = (
            group["order__dossier__procedure_id"],
            group["order__dossier__procedure__name"],
        )
        for row in rows_of(group["method"], *procedure):
            row.add_refunds(group["count"], group["sum"])
    return PaymentReport(
        date_from=date_from,
        date_to=date_to,
        providers=sorted(providers.values(), key=lambda row: (-row.amount, row.label)),
        procedures=sorted(procedures.values(), key=lambda row: (-row.amount, row.label)),
        total=total,
    )


def refundable_orders(user: User, query: str = "") -> QuerySet[PaymentOrder]:
    """The paid orders of the agency `user` may refund (none when they may not), newest paid
    first, each with its number of refunds waiting for the provider's answer
    (`pending_refunds`); `query` finds an order by its code, its receipt's number, the payer or
    the provider's reference."""
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
    pending = Count("refunds", filter=Q(refunds__state=RefundState.PENDING))
    return (
        orders.select_related("receipt", "dossier")
        .annotate(pending_refunds=pending)
        .order_by("-paid_at", "-pk")
    )


def order_for_refunder(user: User, code: str) -> PaymentOrder | None:
    """A paid order `user` may refund, with its refunds."""
    return refundable_orders(user).prefetch_related("refunds").filter(code=code).first()
