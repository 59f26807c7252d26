"""Writes of the payments app, each in one transaction and audited: payment orders, the start
of a payment at a provider, providers' callbacks (the only thing that marks an order paid
online), counter payments, receipts numbered gaplessly per series and year."""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edoc.models import Agency, User
from edoc.services.audit import audit_record
from edoc.text import nfc
from onestop import access as onestop_access
from onestop.models import Dossier
from onestop.payments import FeePayment
from onestop.services import dossier_fee_settle
from payments import access as payments_access
from payments.access import require_finance
from payments.models import (
    OPEN_STATES,
    PAID_STATES,
    CallbackLog,
    OrderState,
    PaymentAttempt,
    PaymentOrder,
    Receipt,
    ReceiptCounter,
    ReconciliationCategory,
    ReconciliationLine,
    ReconciliationRun,
    Refund,
    RefundState,
    StatementTransfer,
    TransferOutcome,
    TransferResolution,
    new_receipt_code,
)
from payments.pdf import vnd
from payments.providers.api import ProviderApiError, RefundResult
from payments.providers.bank_statement import StatementError, StatementLine, parse_statement
from payments.providers.base import (
    PROVIDERS,
    CallbackRejected,
    CallbackResult,
    PaymentRequest,
    Provider,
    Redirect,
    ShowQr,
    provider,
)
from payments.providers.settlement import PROVIDER_LABELS, SettlementLine, parse_settlement
from payments.providers.tables import TableError
from workflows.calendar import VN_TZ

logger = logging.getLogger(__name__)

CASH = "cash"  # counter: cash handed to the officer
POS = "pos"  # counter: a bank card on the POS terminal, with its approval code
COUNTER_METHODS = (CASH, POS, "counter")
API_REFUNDS = ("vnpay", "momo")  # providers that give the money back through their own API

# What a callback's processing ended in, and the answer each provider gets for it.
OK, NOT_FOUND, ALREADY, AMOUNT, SIGNATURE, OTHER = (
    "ok",
    "not_found",
    "already_confirmed",
    "invalid_amount",
    "bad_signature",
    "other",
)
# The messages are the ones VNPAY documents for its IPN answers.
VNPAY_CODES = {
    OK: ("00", "Confirm Success"),
    NOT_FOUND: ("01", "Order not found"),
    ALREADY: ("02", "Order already confirmed"),
    AMOUNT: ("04", "Invalid amount"),
    SIGNATURE: ("97", "Invalid Checksum"),
    OTHER: ("99", "Unknow error"),
}


@dataclass(frozen=True)
class CallbackAnswer:
    """What a callback ended in (`outcome`) and the provider's answer code and message."""

    outcome: str
    code: str
    message: str

    def as_vnpay(self) -> dict[str, str]:
        return {"RspCode": self.code, "Message": self.message}


def _answer(outcome: str, code: str | None = None) -> CallbackAnswer:
    default_code, message = VNPAY_CODES[outcome]
    return CallbackAnswer(outcome, code or default_code, message)


def dossier_obligation(dossier: Dossier) -> str:
    """The obligation key of a dossier's fee."""
    return f"dossier-fee:{dossier.pk}"


def _new_order_code() -> str:
    """ "TT261206" + 8 random hex digits: unique, short, letters and digits only (VNPAY's
    vnp_TxnRef, a bank transfer's purpose field)."""
    today = timezone.localtime(timezone.now(), VN_TZ)
    return f"TT{today:%y%m%d}{secrets.token_hex(4).upper()}"


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=settings.EDOC_PAYMENT_ORDER_MINUTES)


def _locked_open_order(obligation: str) -> PaymentOrder | None:
    return (
        PaymentOrder.objects.select_for_update()
        .filter(obligation=obligation, state__in=OPEN_STATES)
        .first()
    )


def _order_close(order: PaymentOrder, state: str, *, actor: User | None, **details: Any) -> None:
    """An open order closed (expired, or cancelled: replaced, exempted, paid otherwise)."""
    order.state = state
    order.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="payment.order_closed",
        target=order,
        details={"code": order.code, "state": state, **details},
    )


@transaction.atomic
def order_create(
    *,
    agency: Agency,
    obligation: str,
    purpose: str,
    payer_name: str,
    amount: int,
    dossier: Dossier | None = None,
    actor: User | None = None,
) -> PaymentOrder:
    """The open order of an obligation: the existing one when it is still payable for this
    amount, else a new one (a stale one — other amount, expired — is closed first)."""
    amount = int(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    current = _locked_open_order(obligation)
    if current is not None:
        if current.amount == amount and current.expires_at > timezone.now():
            return current
        stale_state = OrderState.EXPIRED if current.amount == amount else OrderState.CANCELLED
        _order_close(current, stale_state, actor=actor)
    order = PaymentOrder.objects.create(
        code=_new_order_code(),
        agency=agency,
        dossier=dossier,
        obligation=obligation,
        purpose=nfc(purpose)[:255],
        payer_name=nfc(payer_name)[:255],
        amount=amount,
        expires_at=_expiry(),
    )
    audit_record(
        actor=actor,
        action="payment.order_created",
        target=order,
        details={"code": order.code, "amount": amount, "obligation": obligation},
    )
    return order


def dossier_fee_purpose(dossier: Dossier) -> str:
    return _("Fee of dossier %(code)s: %(procedure)s") % {
        "code": dossier.code,
        "procedure": dossier.procedure.name,
    }


def order_for_dossier(dossier: Dossier, *, actor: User | None = None) -> PaymentOrder:
    """The open order of a dossier's unpaid fee (`dossier.fee_amount`), replacing a stale
    one (another amount, expired)."""
    return order_create(
        agency=dossier.agency,
        obligation=dossier_obligation(dossier),
        purpose=dossier_fee_purpose(dossier),
        payer_name=dossier.applicant_name,
        amount=dossier.fee_amount,
        dossier=dossier,
        actor=actor,
    )


@transaction.atomic
def order_start(
    *,
    order: PaymentOrder,
    provider_key: str,
    client_ip: str,
    return_url: str,
    ipn_url: str,
    locale: str = "vn",
) -> tuple[PaymentOrder, Redirect | ShowQr]:
    """Send the payer to pay `order` at the provider: the order is pending with that
    provider; an expired order is replaced by a fresh one first. Returns the order paid and
    where the payer goes."""
    try:
        chosen = provider(provider_key)
    except KeyError:
        raise ValidationError(
            {"method": _("This payment method is not available.")}, code="provider"
        ) from None
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if not order.is_open:
        raise ValidationError(
            _("This payment order is %(state)s; it can no longer be paid.")
            % {"state": order.get_state_display()},
            code="state",
        )
    if order.expires_at <= timezone.now() or (
        order.state == OrderState.PENDING and order.provider != provider_key
    ):
        # A new attempt gets a new code: providers refuse a transaction reference used before.
        expired = order.expires_at <= timezone.now()
        _order_close(order, OrderState.EXPIRED if expired else OrderState.CANCELLED, actor=None)
        order = order_create(
            agency=order.agency,
            obligation=order.obligation,
            purpose=order.purpose,
            payer_name=order.payer_name,
            amount=order.amount,
            dossier=order.dossier,
        )
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    attempt = _attempt_new(order, chosen)
    order.state = OrderState.PENDING
    order.provider = provider_key
    order.save(update_fields=["state", "provider"])
    request = PaymentRequest(
        order_code=attempt.reference,
        amount=order.amount,
        description=order.purpose,
        created_at=attempt.created_at,
        expires_at=order.expires_at,
        return_url=return_url,
        ipn_url=ipn_url,
        client_ip=client_ip,
        locale=locale,
    )
    where = chosen.start(request)
    audit_record(
        actor=None,
        action="payment.order_started",
        target=order,
        details={
            "code": order.code,
            "provider": provider_key,
            "amount": order.amount,
            "reference": attempt.reference,
        },
    )
    return order, where


def _attempt_new(order: PaymentOrder, chosen: Provider) -> PaymentAttempt:
    """A new attempt at paying the locked `order` with `chosen`: its first attempt is named by
    the order's code, each later one by the code and its number ("TT…-2"), since a provider
    takes a transaction reference once. A provider whose payer quotes the order's code itself
    (VietQR's transfer content) keeps the code."""
    if not getattr(chosen, "reference_per_attempt", True):
        return PaymentAttempt(
            order=order, provider=chosen.key, reference=order.code, created_at=order.created_at
        )
    count = order.attempts.count()
    never_started = count == 0 and order.state == OrderState.CREATED
    return PaymentAttempt.objects.create(
        order=order,
        provider=chosen.key,
        reference=order.code if never_started else f"{order.code}-{count + 1}",
        created_at=timezone.now(),
    )


def _locked_order_of(provider_key: str, reference: str) -> PaymentOrder | None:
    """The order a provider's transaction reference names — through its attempt ("TT…-2"), or
    the order's code itself (an order started before attempts were kept) — its row locked, in
    one statement (an IPN's lookup: the attempt is not loaded on its own)."""
    attempts = PaymentAttempt.objects.filter(provider=provider_key, reference=reference)
    return (
        PaymentOrder.objects.select_for_update()
        .filter(Q(pk__in=attempts.values("order_id")) | Q(code=reference))
        .first()
    )


def callback_process(
    provider_key: str, params: Mapping[str, str], remote_ip: str | None
) -> CallbackAnswer:
    """A provider's callback (IPN): stored raw first, then verified, then applied to its
    order under the order's row lock — paid once, whatever repeats or races. Every callback
    is audited with its answer; a refused one changes no order."""
    raw = {str(key): str(value) for key, value in params.items()}
    log = CallbackLog.objects.create(provider=provider_key[:20], params=raw, remote_ip=remote_ip)
    order: PaymentOrder | None = None
    try:
        with transaction.atomic():
            answer, order = _callback_apply(provider_key, raw)
            _callback_audit(log, answer, order)
    except Exception as error:  # noqa: BLE001 - the provider gets "other", the log the trace
        logger.exception("payment callback %s of %s failed", log.pk, provider_key)
        answer = _answer(OTHER)
        with transaction.atomic():
            _callback_audit(log, answer, None, error=type(error).__name__)
    return answer


def _callback_audit(
    log: CallbackLog, answer: CallbackAnswer, order: PaymentOrder | None, error: str = ""
) -> None:
    CallbackLog.objects.filter(pk=log.pk).update(
        outcome=answer.code, message=answer.message[:255], order=order
    )
    details = {
        "provider": log.provider,
        "callback": log.pk,
        "outcome": answer.outcome,
        "code": answer.code,
        "order": order.code if order else "",
    }
    if error:
        details["error"] = error
    audit_record(
        actor=None,
        action="payment.callback_accepted" if answer.outcome == OK else "payment.callback_refused",
        target=order,
        details=details,
    )


def _callback_apply(
    provider_key: str, params: Mapping[str, str]
) -> tuple[CallbackAnswer, PaymentOrder | None]:
    try:
        result = provider(provider_key).verify_callback(params)
    except KeyError:
        return _answer(NOT_FOUND), None
    except CallbackRejected as rejected:
        outcome = SIGNATURE if rejected.code == VNPAY_CODES[SIGNATURE][0] else OTHER
        return _answer(outcome, rejected.code), None
    return _result_apply(provider_key, result)


def _result_apply(
    provider_key: str,
    result: CallbackResult,
    *,
    replay_window: bool = True,
    actor: User | None = None,
) -> tuple[CallbackAnswer, PaymentOrder | None]:
    """A verified provider result applied to its order under the order's row lock (a bank
    statement's lines are days old: no replay window for them, their import is idempotent)."""
    order = _locked_order_of(provider_key, result.order_code)
    if order is None:
        return _answer(NOT_FOUND), None
    if result.amount != order.amount:
        return _answer(AMOUNT), order
    if order.provider and order.provider != provider_key:
        return _answer(NOT_FOUND), order
    if not order.is_open and not (result.success and _reopen_replaced(order)):
        return _answer(ALREADY), order
    now = timezone.now()
    window = datetime.timedelta(seconds=settings.EDOC_PAYMENT_CALLBACK_WINDOW_SECONDS)
    if (
        replay_window
        and result.paid_at is not None
        and not (now - window <= result.paid_at <= now + window)
    ):
        return _answer(OTHER), order  # outside the replay window
    order.provider = provider_key
    order.provider_reference = nfc(result.provider_reference)[:100]
    if not result.success:
        order.state = OrderState.FAILED
        order.save(update_fields=["state", "provider", "provider_reference"])
        return _answer(OK), order
    order.state = OrderState.PAID
    order.paid_at = result.paid_at or now
    order.save(update_fields=["state", "provider", "provider_reference", "paid_at"])
    PaymentAttempt.objects.filter(
        order=order, provider=provider_key, reference=result.order_code
    ).update(paid=True)
    _settle(order, method=provider_key, actor=actor)
    return _answer(OK), order


def _reopen_replaced(order: PaymentOrder) -> bool:
    """A successful payment for an order replaced meanwhile (expired, or cancelled for a new
    attempt — the payer finished the first one after all): the money is in, so it is this
    order that pays the obligation, and the open one is closed instead. Not when the
    obligation was paid already (that payment needs a refund: answered "already confirmed")."""
    if order.state not in (OrderState.EXPIRED, OrderState.CANCELLED):
        return False
    current = _locked_open_order(order.obligation)  # waits for a payment of it in progress
    paid = PaymentOrder.objects.filter(obligation=order.obligation, state__in=PAID_STATES)
    if paid.exists():
        return False
    if current is not None:
        _order_close(current, OrderState.CANCELLED, actor=None, paid_by=order.code)
    return True


def _settle(order: PaymentOrder, *, method: str, actor: User | None) -> Receipt:
    """The paid order settles its obligation: a dossier's fee through onestop (whose collector
    issues the receipt), any other obligation with its receipt directly."""
    if order.dossier_id is not None:
        try:
            with transaction.atomic():
                dossier_fee_settle(
                    dossier=order.dossier,
                    payment=FeePayment(
                        method=method, amount=order.amount, reference=order.provider_reference
                    ),
                    actor=actor,
                )
        except ValidationError as error:
            # The money is in, but the dossier no longer waits for it (closed, settled at the
            # counter meanwhile): the receipt is issued and the case is left for review.
            audit_record(
                actor=actor,
                action="payment.settle_refused",
                target=order,
                details={"code": order.code, "error": "; ".join(error.messages)},
            )
        else:
            return Receipt.objects.get(order=order)
    return receipt_issue(order, actor=actor)


def receipt_take_number(series: str, year: int) -> int:
    """The next number of a receipt series in a year, gapless: the counter's row is locked by
    the UPDATE until commit, a rolled-back receipt gives its number back (the way
    `edoc.services.numbering.register_book_take_number` numbers register books)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("receipt_take_number must run inside a transaction")
    if not ReceiptCounter.objects.filter(series=series, year=year).exists():
        try:
            with transaction.atomic():
                ReceiptCounter.objects.create(series=series, year=year)
        except IntegrityError:  # another receipt created it a moment ago
            pass
    ReceiptCounter.objects.filter(series=series, year=year).update(last_number=F("last_number") + 1)
    return ReceiptCounter.objects.get(series=series, year=year).last_number


def receipt_issue(order: PaymentOrder, *, actor: User | None) -> Receipt:
    """The electronic receipt of a paid order (once: an issued one is returned as it is)."""
    existing = Receipt.objects.filter(order=order).first()
    if existing is not None:
        return existing
    issued_at = timezone.now()
    series = settings.EDOC_RECEIPT_SERIES
    year = timezone.localtime(issued_at, VN_TZ).year
    receipt = Receipt.objects.create(
        order=order,
        code=new_receipt_code(),
        series=series,
        year=year,
        number=receipt_take_number(series, year),
        issued_at=issued_at,
        payer_name=order.payer_name,
        purpose=order.purpose,
        amount=order.amount,
        method=order.provider,
        provider_reference=order.provider_reference,
        issued_by=actor,
    )
    audit_record(
        actor=actor,
        action="payment.receipt_issued",
        target=receipt,
        details={"order": order.code, "receipt": receipt.reference, "amount": order.amount},
    )
    return receipt


def collector_fee_settled(dossier: Dossier, payment: FeePayment, actor: User | None) -> str:
    """The fee collector's `fee_settled`: the dossier's order paid (by a callback just now, or
    here: at the counter) gets its receipt; an exemption closes the open order."""
    obligation = dossier_obligation(dossier)
    if payment.exempt:
        order = _locked_open_order(obligation)
        if order is not None:
            _order_close(order, OrderState.CANCELLED, actor=actor, exempt=True)
        return payment.reference
    order = (
        PaymentOrder.objects.select_for_update(of=("self",))
        .filter(obligation=obligation, state=OrderState.PAID, receipt__isnull=True)
        .first()
    )
    if order is None:
        order = _locked_open_order(obligation)
        if order is not None and order.state == OrderState.PENDING:
            # The payer started paying online: that order keeps its provider and code for the
            # provider's answer (a late payment is then a second one, refused and audited).
            _order_close(order, OrderState.CANCELLED, actor=actor, paid_by=payment.method)
            order = None
        order = order or order_for_dossier(dossier, actor=actor)
        order.state = OrderState.PAID
        order.provider = payment.method
        order.provider_reference = nfc(payment.reference)[:100]
        order.paid_at = timezone.now()
        order.collected_by = actor
        order.save(
            update_fields=["state", "provider", "provider_reference", "paid_at", "collected_by"]
        )
    receipt = receipt_issue(order, actor=actor)
    return f"{receipt.reference} {payment.reference}".strip()


@transaction.atomic
def order_pay_at_counter(
    *, officer: User, order: PaymentOrder, method: str, approval_code: str = ""
) -> Receipt:
    """An officer takes the order's amount at the counter: cash, or a card on the bank's POS
    terminal with the terminal's approval code. Settles like a provider's payment."""
    approval_code = nfc(approval_code).strip()
    if method not in (CASH, POS):
        raise ValidationError({"method": _("Choose cash or a POS card payment.")})
    if method == POS and not (approval_code.isalnum() and len(approval_code) <= 20):
        raise ValidationError(
            {"approval_code": _("Enter the POS terminal's approval code (letters and digits).")}
        )
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    onestop_access.require_officer(officer, order.agency_id)
    if not order.is_open:
        raise ValidationError(
            _("This payment order is %(state)s; it can no longer be paid.")
            % {"state": order.get_state_display()},
            code="state",
        )
    if order.dossier_id is not None:
        dossier_fee_settle(
            dossier=order.dossier,
            payment=FeePayment(method=method, amount=order.amount, reference=approval_code),
            actor=officer,
        )
        receipt = Receipt.objects.filter(order__obligation=order.obligation).latest("pk")
        order = receipt.order
    else:
        order.state = OrderState.PAID
        order.provider = method
        order.provider_reference = approval_code
        order.paid_at = timezone.now()
        order.collected_by = officer
        order.save(
            update_fields=["state", "provider", "provider_reference", "paid_at", "collected_by"]
        )
        receipt = receipt_issue(order, actor=officer)
    audit_record(
        actor=officer,
        action="payment.counter_recorded",
        target=order,
        details={"code": order.code, "method": method, "amount": order.amount},
    )
    return receipt


# A pending order is asked about at its provider this long after it expired (a payment made at
# the last moment may still be on its way) before it is given up.
EXPIRY_GRACE = datetime.timedelta(minutes=15)


def _provider_record(order: PaymentOrder) -> CallbackResult | None:
    """The provider's record of a pending order's payment (VNPAY querydr, MoMo query), or
    None when it has none, cannot be asked or cannot be reached."""
    query = getattr(PROVIDERS.get(order.provider), "query", None)
    if query is None:
        return None
    attempts = [(a.reference, a.created_at) for a in order.attempts.filter(provider=order.provider)]
    found = None
    for reference, created_at in attempts or [(order.code, order.created_at)]:
        try:
            # VNPAY's querydr names the payment by its creation time too.
            vnpay = order.provider == "vnpay"
            record = query(reference, created_at) if vnpay else query(reference)
        except ProviderApiError as error:
            logger.info("no %s record of payment %s: %s", order.provider, reference, error.code)
            continue
        if record.success:
            return record
        found = found or record
    return found


def orders_expire() -> dict[str, int]:
    """Open orders past their expiry (and a grace period): a pending one its provider reports
    paid (its IPN was lost) is credited as its IPN would have been — logged and audited as a
    callback "querydr" — the others expire."""
    counts = {"paid": 0, "expired": 0}
    due = PaymentOrder.objects.filter(
        state__in=OPEN_STATES, expires_at__lt=timezone.now() - EXPIRY_GRACE
    )
    for order in due.order_by("pk"):
        record = _provider_record(order) if order.state == OrderState.PENDING else None
        if record is not None and record.success:
            log = CallbackLog.objects.create(
                provider=order.provider, params=dict(record.raw), message="querydr"
            )
            with transaction.atomic():
                answer, paid = _result_apply(order.provider, record)
                _callback_audit(log, answer, paid)
            CallbackLog.objects.filter(pk=log.pk).update(message="querydr")
            if answer.outcome == OK:
                counts["paid"] += 1
                continue
        with transaction.atomic():
            locked = PaymentOrder.objects.select_for_update().get(pk=order.pk)
            if locked.is_open:
                _order_close(locked, OrderState.EXPIRED, actor=None)
                counts["expired"] += 1
    return counts


@dataclass(frozen=True)
class StatementSummary:
    """What an import of a bank statement did."""

    matched: int
    review: int
    duplicates: int
    skipped: int


def _fingerprint(line: StatementLine) -> str:
    text = "|".join(
        (line.booked_at.isoformat(), str(line.amount), line.description, line.reference)
    )
    return hashlib.sha256(text.encode()).hexdigest()


def statement_import(*, officer: User, data: bytes, filename: str) -> StatementSummary:
    """Match the credit lines of the agency's bank statement (CSV/XLSX) to VietQR orders by
    the order code in the description and the amount: an exact one pays its order like a
    callback (logged, audited, receipt), a partial, excess or unmatched one waits for review.
    A line imported before is skipped (the same statement may be imported again)."""
    if not onestop_access.is_onestop_officer(officer):
        raise PermissionDenied(_("Only one-stop officers of the agency may do this."))
    try:
        chosen = provider("vietqr")
    except KeyError:
        raise ValidationError(_("VietQR transfers are not configured.")) from None
    try:
        statement = parse_statement(data, filename)
    except StatementError as error:
        raise ValidationError({"file": str(error)}) from None
    matched = review = duplicates = 0
    for line in statement.lines:
        fingerprint = _fingerprint(line)
        if StatementTransfer.objects.filter(fingerprint=fingerprint).exists():
            duplicates += 1
            continue
        outcome, order, note = _statement_line_apply(chosen, line)
        StatementTransfer.objects.create(
            fingerprint=fingerprint,
            booked_at=line.booked_at,
            amount=line.amount,
            description=nfc(line.description)[:500],
            reference=nfc(line.reference)[:100],
            order=order,
            outcome=outcome,
            note=note[:255],
            imported_by=officer,
        )
        if outcome == TransferOutcome.MATCHED:
            matched += 1
        else:
            review += 1
    with transaction.atomic():
        audit_record(
            actor=officer,
            action="payment.statement_imported",
            details={"file": filename, "matched": matched, "review": review, "dup": duplicates},
        )
    return StatementSummary(matched, review, duplicates, len(statement.skipped))


def _statement_line_apply(chosen: Any, line: StatementLine) -> tuple[str, PaymentOrder | None, str]:
    """One credit line: (outcome, the order it names, a note)."""
    try:
        result = chosen.statement_result(line)
    except CallbackRejected as rejected:
        return TransferOutcome.UNMATCHED, None, rejected.message
    order = PaymentOrder.objects.filter(code=result.order_code).first()
    if order is None:
        return TransferOutcome.UNMATCHED, None, _("No order has this code.")
    if result.amount < order.amount:
        return TransferOutcome.PARTIAL, order, ""
    if result.amount > order.amount:
        return TransferOutcome.EXCESS, order, ""
    log = CallbackLog.objects.create(provider="vietqr", params=dict(result.raw))
    with transaction.atomic():
        answer, applied = _result_apply("vietqr", result, replay_window=False)
        _callback_audit(log, answer, applied)
    if answer.outcome == OK:
        return TransferOutcome.MATCHED, order, ""
    return TransferOutcome.REFUSED, order, f"{answer.code} {answer.message}"


# --------------------------------------------------------------------------- reconciliation

RECONCILED_PROVIDERS = ("vnpay", "momo", "vietqr")


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, VN_TZ).date()


def reconciliation_run(
    *, user: User, provider_key: str, day: datetime.date, data: bytes, filename: str
) -> ReconciliationRun:
    """Reconcile `provider_key`'s settlement file (VNPAY's or MoMo's export, the bank
    statement for VietQR) for `day` against the agency's orders paid with that provider that
    day: each transaction matched, missing on our side (they list it, we do not have it paid),
    missing on theirs (paid here, not listed) or an amount mismatch. Stored with its lines and
    audited; a bad file (empty, too large, unreadable, another provider's, no transaction of
    that day) is a `ValidationError` and stores nothing."""
    agency_id = require_finance(user)
    if provider_key not in RECONCILED_PROVIDERS:
        raise ValidationError({"provider": _("Choose VNPAY, MoMo or VietQR.")})
    try:
        settlement = parse_settlement(data, filename, provider_key)
    except TableError as error:
        raise ValidationError({"file": str(error)}) from None
    theirs = [line for line in settlement.lines if _local_day(line.paid_at) == day]
    if not theirs:
        raise ValidationError(
            {
                "file": _(
                    "The file lists no successful transaction on %(day)s: is it that day's file?"
                )
                % {"day": f"{day:%d/%m/%Y}"}
            }
        )
    known = {
        order.code: order
        for order in PaymentOrder.objects.filter(
            agency_id=agency_id, code__in={line.order_code for line in theirs}
        )
    }
    paid_with = {order.provider for order in known.values() if order.provider}
    if paid_with and provider_key not in paid_with:
        raise ValidationError(
            {
                "file": _(
                    "The orders in this file were paid with %(methods)s, not %(provider)s: "
                    "is it the right provider's file?"
                )
                % {
                    "methods": ", ".join(sorted(PROVIDER_LABELS.get(m, m) for m in paid_with)),
                    "provider": PROVIDER_LABELS[provider_key],
                }
            }
        )
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=VN_TZ)
    ours = {
        order.code: order
        for order in PaymentOrder.objects.filter(
            agency_id=agency_id,
            provider=provider_key,
            state__in=PAID_STATES,
            paid_at__gte=start,
            paid_at__lt=start + datetime.timedelta(days=1),
        )
    }
    lines: list[ReconciliationLine] = []
    seen: set[str] = set()
    for line in theirs:
        order = known.get(line.order_code)
        category, note = _their_line_category(line, order, provider_key, day, seen)
        seen.add(line.order_code)
        lines.append(
            ReconciliationLine(
                category=category,
                order_code=line.order_code,
                order=order,
                their_amount=line.amount,
                their_reference=nfc(line.reference)[:100],
                their_time=line.paid_at,
                our_amount=order.amount if order is not None else None,
                note=note[:255],
            )
        )
    for code, order in ours.items():
        if code not in seen:
            lines.append(
                ReconciliationLine(
                    category=ReconciliationCategory.MISSING_THEIRS,
                    order_code=code,
                    order=order,
                    our_amount=order.amount,
                    note=(
                        _("Provider reference on our side: %(reference)s")
                        % {"reference": order.provider_reference}
                    )[:255]
                    if order.provider_reference
                    else "",
                )
            )
    counts = {category: 0 for category in ReconciliationCategory.values}
    for line in lines:
        counts[line.category] += 1
    with transaction.atomic():
        run = ReconciliationRun.objects.create(
            agency_id=agency_id,
            provider=provider_key,
            day=day,
            filename=nfc(filename)[:255],
            file_sha256=hashlib.sha256(data).hexdigest(),
            created_by=user,
            their_total=sum(line.amount for line in theirs),
            our_total=sum(order.amount for order in ours.values()),
            skipped_rows=len(settlement.skipped) + len(settlement.lines) - len(theirs),
            **counts,
        )
        for line in lines:
            line.run = run
        ReconciliationLine.objects.bulk_create(lines)
        audit_record(
            actor=user,
            action="payment.reconciled",
            target=run,
            details={
                "provider": provider_key,
                "day": day.isoformat(),
                "file": run.filename,
                "sha256": run.file_sha256,
                **counts,
            },
        )
    return run


def _their_line_category(
    line: SettlementLine,
    order: PaymentOrder | None,
    provider_key: str,
    day: datetime.date,
    seen: set[str],
) -> tuple[str, str]:
    """The category of a transaction the provider lists, and a note saying why."""
    if order is None:
        return ReconciliationCategory.MISSING_OURS, _("No order of the agency has this code.")
    if line.order_code in seen:
        return ReconciliationCategory.MISSING_OURS, _("Listed twice by the provider.")
    if order.provider != provider_key or order.state not in PAID_STATES:
        return ReconciliationCategory.MISSING_OURS, _(
            "The order is %(state)s here (%(method)s)."
        ) % {"state": order.get_state_display(), "method": order.provider or "-"}
    note = ""
    if order.paid_at is not None and _local_day(order.paid_at) != day:
        note = _("Paid here on %(day)s.") % {"day": f"{_local_day(order.paid_at):%d/%m/%Y}"}
    if line.amount != order.amount:
        return ReconciliationCategory.AMOUNT_MISMATCH, note
    return ReconciliationCategory.MATCHED, note


# --------------------------------------------------------------------------- review list

# Why a transfer matched by hand could not credit its order, by the callback outcome.
HAND_MATCH_REFUSALS = {
    ALREADY: gettext_lazy("The order is paid already (or closed): the transfer credits nothing."),
    NOT_FOUND: gettext_lazy("The order is being paid with another method."),
    AMOUNT: gettext_lazy("The order's amount does not match."),
    OTHER: gettext_lazy("The order could not be credited."),
}


@transaction.atomic
def transfer_resolve(
    *,
    user: User,
    transfer: StatementTransfer,
    resolution: str,
    note: str,
    order_code: str = "",
) -> StatementTransfer:
    """Mark a transfer of the review list resolved, with a note: a refund arranged with the
    payer, another settlement, or matched by hand to an order of the agency — which credits
    that order as a VietQR payment (receipt, the dossier moves on), once: a resolved transfer
    or a paid order is refused and nothing changes. Audited."""
    agency_id = require_finance(user)
    note = nfc(note).strip()
    if resolution not in TransferResolution.values:
        raise ValidationError({"resolution": _("Choose how the transfer was resolved.")})
    if not note:
        raise ValidationError({"note": _("Write a note: what was done, with whom.")})
    transfer = StatementTransfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.resolution or transfer.outcome == TransferOutcome.MATCHED:
        raise ValidationError(_("This transfer has been resolved already."))
    order = None
    if resolution == TransferResolution.MATCHED_BY_HAND:
        code = nfc(order_code).strip().upper()
        order = (
            PaymentOrder.objects.filter(agency_id=agency_id, code=code).first() if code else None
        )
        if order is None:
            raise ValidationError({"order_code": _("No order of the agency has this code.")})
        result = CallbackResult(
            order_code=order.code,
            amount=order.amount,
            success=True,
            provider_reference=transfer.reference or f"CK-{transfer.pk}",
            response_code="00",
            paid_at=transfer.booked_at,
            raw={
                "transfer": str(transfer.pk),
                "amount": str(transfer.amount),
                "reference": transfer.reference,
                "matched_by_hand": user.get_username(),
            },
        )
        log = CallbackLog.objects.create(provider="vietqr", params=result.raw, message="by hand")
        answer, applied = _result_apply("vietqr", result, replay_window=False, actor=user)
        if answer.outcome != OK:
            raise ValidationError({"order_code": str(HAND_MATCH_REFUSALS[answer.outcome])})
        _callback_audit(log, answer, applied)
        transfer.order = order
    transfer.resolution = resolution
    transfer.resolution_note = note[:500]
    transfer.resolved_at = timezone.now()
    transfer.resolved_by = user
    transfer.save(
        update_fields=["order", "resolution", "resolution_note", "resolved_at", "resolved_by"]
    )
    audit_record(
        actor=user,
        action="payment.transfer_resolved",
        target=transfer,
        details={
            "resolution": resolution,
            "note": transfer.resolution_note,
            "amount": transfer.amount,
            "reference": transfer.reference,
            "order": order.code if order else "",
        },
    )
    return transfer


# --------------------------------------------------------------------------- refunds

REFUNDABLE_STATES = (OrderState.PAID, OrderState.PARTIALLY_REFUNDED)
_AMOUNT = re.compile(r"[0-9]{1,15}|[0-9]{1,3}(\.[0-9]{3}){1,4}")  # 60000 or 60.000


def order_refunded_sum(order: PaymentOrder) -> int:
    """What has been given back on `order` so far, or is being given back (a refund waiting
    for the provider's answer): the amount no further refund may take (VND)."""
    counted = order.refunds.exclude(state=RefundState.FAILED)
    return counted.aggregate(total=Sum("amount"))["total"] or 0


def _refund_amount(amount: Any) -> int:
    """A refund's amount as typed ("60.000", "60000", 60000) in whole VND."""
    text = str(amount).strip().replace(" ", "")
    if not _AMOUNT.fullmatch(text) or int(text.replace(".", "")) <= 0:
        raise ValidationError({"amount": _("Enter the amount to refund in whole đồng.")})
    return int(text.replace(".", ""))


def _refund_at_provider(refund: Refund, chosen: Any, *, full: bool) -> RefundResult:
    """Ask the provider that took the payment to give `refund.amount` back (VNPAY, MoMo)."""
    order = refund.order
    attempt = order.attempts.filter(provider=order.provider, paid=True).first()
    reference = attempt.reference if attempt is not None else order.code
    if order.provider == "momo":
        return chosen.refund(
            reference,
            refund.amount,
            order.provider_reference,
            description=refund.reason,
            refund_id=refund.provider_order_id,
        )
    return chosen.refund(
        reference,
        refund.amount,
        attempt.created_at if attempt is not None else order.created_at,
        full=full,
        created_by=refund.created_by.username,
        transaction_no=order.provider_reference,
        order_info=refund.reason,
    )


def _refund_valid(order: PaymentOrder, amount: int) -> int:
    """What is left to refund on the locked `order`; a `ValidationError` when it cannot be
    refunded or `amount` is more than that."""
    if order.state not in REFUNDABLE_STATES:
        raise ValidationError(
            _("This payment order is %(state)s; there is nothing to refund.")
            % {"state": order.get_state_display()},
            code="state",
        )
    left = order.amount - order_refunded_sum(order)
    if amount > left:
        raise ValidationError(
            {"amount": _("At most %(left)s can still be refunded.") % {"left": vnd(left)}}
        )
    return left


def _refund_by_api(order: PaymentOrder) -> Any:
    """The provider that gives `order`'s money back through its own API, or None."""
    chosen = PROVIDERS.get(order.provider)
    if order.provider in API_REFUNDS and getattr(chosen, "refund", None) is not None:
        return chosen
    return None


def _order_refunded_state(order: PaymentOrder) -> None:
    """The locked `order` refunded or partially refunded, by its done refunds."""
    done = order.refunds.filter(state=RefundState.DONE).aggregate(total=Sum("amount"))["total"]
    order.state = (
        OrderState.REFUNDED if (done or 0) >= order.amount else OrderState.PARTIALLY_REFUNDED
    )
    order.save(update_fields=["state"])


def _refund_audit_done(refund: Refund, order: PaymentOrder, actor: User | None) -> None:
    audit_record(
        actor=actor,
        action="payment.refunded",
        target=order,
        details={
            "order": order.code,
            "amount": refund.amount,
            "method": refund.method,
            "reference": refund.reference,
            "state": order.state,
            "reason": refund.reason[:255],
        },
    )


@transaction.atomic
def refund_reserve(
    *, officer: User, order: PaymentOrder, amount: int, reason: str, reference: str
) -> Refund:
    """Under the order's row lock: a refund of `amount` checked against what is left. Paid back
    by hand (cash, POS, transfer; `reference` required) it is recorded done at once; through
    a provider's API it is reserved — pending, its amount counted — to be asked outside any
    transaction (`refund_ask_provider`) and settled by `refund_settle`."""
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    payments_access.require_refunder(officer, order.agency_id)
    _refund_valid(order, amount)
    by_api = _refund_by_api(order) is not None
    if not by_api and not (reference.isprintable() and 0 < len(reference) <= 100):
        raise ValidationError(
            {"reference": _("Enter the reference of the payment back (voucher, transfer).")}
        )
    refund = Refund.objects.create(
        order=order,
        amount=amount,
        reason=reason[:500],
        method=order.provider,
        reference="" if by_api else reference,
        state=RefundState.PENDING if by_api else RefundState.DONE,
        settled_at=None if by_api else timezone.now(),
        created_by=officer,
    )
    if not by_api:
        _order_refunded_state(order)
        _refund_audit_done(refund, order, officer)
        return refund
    if order.provider == "momo":  # MoMo's refund has an order id of its own, asked about later
        refund.provider_order_id = f"{order.code}-R{refund.pk}"
        refund.save(update_fields=["provider_order_id"])
    audit_record(
        actor=officer,
        action="payment.refund_requested",
        target=order,
        details={"order": order.code, "amount": amount, "method": order.provider},
    )
    return refund


def refund_ask_provider(refund: Refund) -> RefundResult | None:
    """Ask the provider to carry out the pending `refund` — outside any transaction, so the
    order's row stays free for its IPNs however long the provider takes. None when the answer
    is unknown (no answer in time: the refund stays pending for the sweep)."""
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("refund_ask_provider must not run inside a transaction")
    order = refund.order
    chosen = _refund_by_api(order)
    if chosen is None:
        return RefundResult(order.code, refund.amount, False, "config", "no refund API", "")
    earlier = order.refunds.filter(state=RefundState.DONE).exclude(pk=refund.pk).exists()
    try:
        return _refund_at_provider(
            refund, chosen, full=not earlier and refund.amount == order.amount
        )
    except ProviderApiError as error:
        if error.code == "network":  # it may have got it: only a query can tell
            logger.warning("refund %s: %s did not answer", refund.pk, order.provider)
            return None
        return RefundResult(order.code, refund.amount, False, error.code, error.message, "")
    except ValueError as error:
        return RefundResult(order.code, refund.amount, False, "format", str(error), "")


@transaction.atomic
def refund_settle(refund: Refund, answer: RefundResult, *, actor: User | None) -> Refund:
    """Record the provider's answer to a pending refund under the order's row lock: accepted,
    the refund is done and the order refunded or partially refunded; refused, the refund is
    failed with the provider's message and its reservation released. Audited; a refund settled
    meanwhile (by the sweep) is left as it is."""
    order = PaymentOrder.objects.select_for_update().get(pk=refund.order_id)
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.state != RefundState.PENDING:
        return refund
    refund.settled_at = timezone.now()
    refund.message = f"{answer.message} ({answer.response_code})"[:255]
    if answer.accepted:
        refund.state = RefundState.DONE
        refund.reference = answer.provider_reference[:100]
        refund.save(update_fields=["state", "reference", "message", "settled_at"])
        _order_refunded_state(order)
        _refund_audit_done(refund, order, actor)
        return refund
    refund.state = RefundState.FAILED
    refund.save(update_fields=["state", "message", "settled_at"])
    audit_record(
        actor=actor,
        action="payment.refund_refused",
        target=order,
        details={
            "code": answer.response_code,
            "message": answer.message[:255],
            "amount": refund.amount,
            "order": order.code,
        },
    )
    return refund


def order_refund(
    *, officer: User, order: PaymentOrder, amount: Any, reason: str, reference: str = ""
) -> Refund:
    """Give back `amount` VND of a paid order, for `reason`: through the refund API of the
    provider that took it (VNPAY, MoMo), or — paid back by hand (cash, POS, VietQR transfer)
    — recorded with `reference` (the voucher or transfer that paid it back). The refund is
    reserved under the order's row lock (refunds, pending ones included, never add up to more
    than the amount), the provider is asked with no lock held, and its answer recorded in a
    second short transaction. A refusal releases the reservation, is audited and raised as a
    `ValidationError` carrying the provider's message; no answer leaves the refund pending
    ("waiting for confirmation") for `refunds_resolve`."""
    reason = nfc(reason or "").strip()
    reference = nfc(reference or "").strip()
    amount = _refund_amount(amount)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the refund.")})
    refund = refund_reserve(
        officer=officer, order=order, amount=amount, reason=reason, reference=reference
    )
    if refund.state != RefundState.PENDING:
        return refund
    answer = refund_ask_provider(refund)
    if answer is None:
        return refund
    refund = refund_settle(refund, answer, actor=officer)
    if refund.state == RefundState.FAILED:
        raise ValidationError(
            _("%(provider)s refused the refund: %(message)s (code %(code)s). Nothing was changed.")
            % {
                "provider": getattr(PROVIDERS.get(order.provider), "label", order.provider),
                "message": answer.message or "—",
                "code": answer.response_code,
            },
            code="refused",
        )
    return refund


# A pending refund is asked about this long after it was requested (longer than a provider's
# timeout: its request is no longer on its way).
REFUND_GRACE_SECONDS = 120
VNPAY_REFUND_TYPES = ("02", "03")  # querydr's vnp_TransactionType of a full, partial refund
VNPAY_REFUND_TAKEN = ("00", "05", "06")  # refunded, VNPAY processing it, sent to the bank


def _refund_record(refund: Refund) -> RefundResult | None:
    """The provider's record of a pending refund (VNPAY querydr of the payment, MoMo query's
    refund list): accepted or refused, or None when the provider cannot tell now."""
    order = refund.order
    chosen = _refund_by_api(order)
    if chosen is None:  # the provider is no longer configured: staff decide
        return None
    attempt = order.attempts.filter(provider=order.provider, paid=True).first()
    reference = attempt.reference if attempt is not None else order.code
    try:
        if order.provider == "momo":
            found = chosen.refund_status(reference, refund.provider_order_id)
            if found is None:  # MoMo never got it
                return RefundResult(order.code, refund.amount, False, "none", "no refund", "")
            return found
        record = chosen.query(reference, attempt.created_at if attempt else order.created_at)
    except ProviderApiError as error:
        logger.info("no %s record of refund %s: %s", order.provider, refund.pk, error.code)
        return None
    kind = record.raw.get("vnp_TransactionType", "")
    if kind in VNPAY_REFUND_TYPES and record.response_code in VNPAY_REFUND_TAKEN:
        return RefundResult(
            order.code,
            refund.amount,
            True,
            "00",
            "querydr",
            record.raw.get("vnp_TransactionNo", ""),
        )
    if kind in VNPAY_REFUND_TYPES and record.response_code == "09":
        return RefundResult(order.code, refund.amount, False, "09", "refund rejected", "")
    if kind == "01":  # VNPAY shows the payment only: the refund never reached it
        return RefundResult(order.code, refund.amount, False, "none", "no refund", "")
    return None


def refunds_resolve(grace_seconds: int = REFUND_GRACE_SECONDS) -> dict[str, int]:
    """Pending refunds older than the grace period (their worker died, or the provider did not
    answer): the provider is asked and the refund recorded done or failed; the others stay
    pending, shown to staff as waiting for confirmation. One pending refund of an order is
    settled at a time through VNPAY (its querydr shows the payment's last refund only; two
    pending ones wait for staff); MoMo names each refund."""
    counts = {"done": 0, "failed": 0, "pending": 0}
    due = Refund.objects.filter(
        state=RefundState.PENDING,
        created_at__lt=timezone.now() - datetime.timedelta(seconds=grace_seconds),
    ).select_related("order", "created_by")
    for refund in due.order_by("pk"):
        several = (
            refund.order.provider == "vnpay"
            and refund.order.refunds.filter(state=RefundState.PENDING).count() > 1
        )
        record = None if several else _refund_record(refund)
        if record is None:
            counts["pending"] += 1
            continue
        settled = refund_settle(refund, record, actor=None)
        counts[settled.state if settled.state != RefundState.PENDING else "pending"] += 1
    return counts
