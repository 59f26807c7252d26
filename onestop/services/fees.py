"""Fees: asked for as a financial obligation (→ 6) and settled (paid or exempt) through the fee
collector registered in `onestop.payments`; no result while a fee is unpaid."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.services.audit import audit_record
from edoc.text import nfc
from onestop import access
from onestop.models import Dossier, FeeStatus, Procedure
from onestop.payments import COUNTER, FeePayment, fee_collector
from onestop.services.transitions import Status, _event, _locked, _require_status, _transition


def _vnd(amount: int) -> str:
    """1.234.567: an amount in VND as Vietnamese writes it."""
    return f"{amount:,}".replace(",", ".")


def _fee_fields(procedure: Procedure) -> dict[str, Any]:
    return {
        "fee_amount": procedure.fee,
        "fee_status": FeeStatus.UNPAID if procedure.fee else FeeStatus.NONE,
    }


@transaction.atomic
def dossier_request_payment(
    *, officer: User, dossier: Dossier, amount: int | None = None, message: str = ""
) -> Dossier:
    """Ask for the fee or another financial obligation (→ 6)."""
    message = nfc(message)
    dossier = _locked(dossier)
    access.require_officer_or_handler(officer, dossier)
    _require_status(dossier, [Status.ACCEPTED, Status.PROCESSING], _("request a payment"))
    amount = dossier.procedure.fee if amount is None else int(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    dossier.fee_amount = amount
    dossier.fee_status = FeeStatus.UNPAID
    public = _("Please pay %(amount)s VND.") % {"amount": _vnd(amount)}
    _transition(
        dossier,
        Status.FINANCIAL,
        "payment_requested",
        actor=officer,
        public=f"{public} {message}".strip(),
        fields=["fee_amount", "fee_status"],
        details={"amount": amount},
    )
    fee_collector().fee_requested(dossier)
    return dossier


@transaction.atomic
def dossier_record_payment(
    *, officer: User, dossier: Dossier, exempt: bool = False, reference: str = ""
) -> Dossier:
    """The officer records the fee as paid at the counter (or exempt) with the receipt's number;
    a dossier waiting for it goes back to processing."""
    reference = nfc(reference)
    dossier = _locked(dossier)
    access.require_officer(officer, dossier.agency_id)
    payment = FeePayment(method=COUNTER, reference=reference, exempt=exempt)
    return _fee_settle(dossier, payment, actor=officer)


@transaction.atomic
def dossier_fee_settle(
    *, dossier: Dossier, payment: FeePayment, actor: User | None = None
) -> Dossier:
    """Settle the fee as a fee collector confirmed it, e.g. a payment provider's verified
    callback (`actor` None); a dossier waiting for it goes back to processing. Whether the
    payment is genuine is the caller's check; the officer's way is `dossier_record_payment`."""
    return _fee_settle(_locked(dossier), payment, actor=actor)


def _fee_settle(dossier: Dossier, payment: FeePayment, *, actor: User | None) -> Dossier:
    """The locked dossier's fee marked paid or exempt: the collector's receipt reference in the
    history, the audit entry, and from status 6 back to processing (the citizen is told)."""
    if dossier.fee_status != FeeStatus.UNPAID or dossier.is_closed:
        raise ValidationError(_("There is no unpaid fee on this dossier."), code="no_fee")
    if not payment.exempt and payment.amount not in (None, dossier.fee_amount):
        raise ValidationError(
            _("The amount received (%(paid)s VND) is not the fee due (%(due)s VND).")
            % {"paid": _vnd(payment.amount), "due": _vnd(dossier.fee_amount)},
            code="amount",
        )
    reference = nfc(fee_collector().fee_settled(dossier, payment, actor))
    dossier.fee_status = FeeStatus.EXEMPT if payment.exempt else FeeStatus.PAID
    public = _("Fee exempted.") if payment.exempt else _("Payment received.")
    details = {"method": payment.method}
    if dossier.status == Status.FINANCIAL:
        _transition(
            dossier,
            Status.PROCESSING,
            "payment_recorded",
            actor=actor,
            public=public,
            internal=reference,
            fields=["fee_status"],
            details=details,
        )
    else:
        dossier.save(update_fields=["fee_status", "updated_at"])
        _event(dossier, "payment_recorded", actor=actor, public=public, internal=reference)
        audit_record(
            actor=actor, action="dossier.payment_recorded", target=dossier, details=details
        )
    return dossier


def fee_settled_check(dossier: Dossier) -> None:
    """A dossier with an unpaid fee does not move on to its result."""
    if dossier.fee_status == FeeStatus.UNPAID:
        raise ValidationError(
            _(
                "The applicant has not paid the fee yet (%(amount)s VND): the one-stop officer "
                "records the payment before the dossier moves on."
            )
            % {"amount": _vnd(dossier.fee_amount)},
            code="unpaid",
        )
