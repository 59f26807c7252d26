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
from onestop.services.transitions import Status, _event, _locked, _require_status, _transition


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
    public = _("Please pay %(amount)s VND.") % {"amount": f"{amount:,}".replace(",", ".")}
    _transition(
        dossier,
        Status.FINANCIAL,
        "payment_requested",
        actor=officer,
        public=f"{public} {message}".strip(),
        fields=["fee_amount", "fee_status"],
        details={"amount": amount},
    )
    return dossier


@transaction.atomic
def dossier_record_payment(
    *, officer: User, dossier: Dossier, exempt: bool = False, reference: str = ""
) -> Dossier:
    """Record the fee as paid (or exempt); a dossier waiting for it goes back to processing."""
    reference = nfc(reference)
    dossier = _locked(dossier)
    access.require_officer(officer, dossier.agency_id)
    if dossier.fee_status != FeeStatus.UNPAID or dossier.is_closed:
        raise ValidationError(_("There is no unpaid fee on this dossier."), code="no_fee")
    dossier.fee_status = FeeStatus.EXEMPT if exempt else FeeStatus.PAID
    public = _("Fee exempted.") if exempt else _("Payment received.")
    if dossier.status == Status.FINANCIAL:
        _transition(
            dossier,
            Status.PROCESSING,
            "payment_recorded",
            actor=officer,
            public=public,
            internal=reference,
            fields=["fee_status"],
        )
    else:
        dossier.save(update_fields=["fee_status", "updated_at"])
        _event(dossier, "payment_recorded", actor=officer, public=public, internal=reference)
        audit_record(actor=officer, action="dossier.payment_recorded", target=dossier)
    return dossier


def fee_settled_check(dossier: Dossier) -> None:
    """A dossier with an unpaid fee does not move on to its result."""
    if dossier.fee_status == FeeStatus.UNPAID:
        raise ValidationError(
            _(
                "The applicant has not paid the fee yet (%(amount)s VND): the one-stop officer "
                "records the payment before the dossier moves on."
            )
            % {"amount": f"{dossier.fee_amount:,}".replace(",", ".")},
            code="unpaid",
        )
