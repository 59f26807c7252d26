"""Apology letters (phiếu xin lỗi và hẹn lại): drafted with a new appointment date, approved
through the shipped "apology" process (the appointment moves and the citizen is told) or
withdrawn; closed with the dossier."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.services.audit import audit_record
from edoc.text import nfc_inputs
from onestop import access
from onestop.models import ApologyLetter, Dossier
from onestop.services.transitions import (
    Status,
    _announce,
    _cancel_run,
    _event,
    _format_date,
    _locked,
    _require_reason,
    _require_status,
)
from workflows import calendar

APOLOGY_KEY = "onestop-apology"


@nfc_inputs
@transaction.atomic
def apology_draft(
    *, officer: User, dossier: Dossier, new_due_date: datetime.date, reason: str
) -> ApologyLetter:
    """Draft the apology letter with a new appointment date; it goes for approval through the
    shipped "apology" process (the appointment moves only when it is approved)."""
    dossier = _locked(dossier)
    access.require_officer_or_handler(officer, dossier)
    _require_status(dossier, Dossier.OPEN, _("draft an apology letter"))
    _require_reason(reason)
    if dossier.apologies.filter(status=ApologyLetter.Status.PENDING).exists():
        raise ValidationError(_("An apology letter of this dossier is already awaiting approval."))
    if dossier.due_at is None or calendar.end_of_working_day(new_due_date) <= dossier.due_at:
        raise ValidationError({"new_due_date": _("The new date must be after the appointment.")})
    if not calendar.is_working_day(new_due_date):
        raise ValidationError({"new_due_date": _("The new date must be a working day.")})
    letter = ApologyLetter.objects.create(
        dossier=dossier,
        new_due_date=new_due_date,
        reason=reason,
        drafted_by=officer,
        old_due_at=dossier.due_at,
    )
    _event(
        dossier,
        "apology_drafted",
        actor=officer,
        internal=_("Apology letter drafted, new date %(date)s: %(reason)s")
        % {"date": f"{new_due_date:%d/%m/%Y}", "reason": reason},
    )
    audit_record(actor=officer, action="apology.draft", target=letter)
    from workflows.models import ProcessDefinition
    from workflows.services.processes import process_start

    definition = ProcessDefinition.objects.filter(key=APOLOGY_KEY).first()
    if definition is None or definition.published_version() is None:
        raise ValidationError(
            _("The apology approval process is not installed (python manage.py seed_procedures).")
        )
    letter.run = process_start(user=officer, definition=definition, subject=letter)
    letter.save(update_fields=["run"])
    return letter


@transaction.atomic
def apology_approve(*, user: User, letter: ApologyLetter) -> ApologyLetter:
    """Approval (the end of its process): the appointment moves, the citizen is told."""
    letter = ApologyLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != ApologyLetter.Status.PENDING:
        raise ValidationError(_("This apology letter has already been decided."))
    dossier = _locked(letter.dossier)
    if dossier.is_closed or dossier.status == Status.DONE:
        raise ValidationError(_("The dossier is already closed."))
    letter.status = ApologyLetter.Status.APPROVED
    letter.decided_by = user
    letter.decided_at = timezone.now()
    letter.save(update_fields=["status", "decided_by", "decided_at"])
    dossier.due_at = calendar.end_of_working_day(letter.new_due_date)
    dossier.save(update_fields=["due_at", "updated_at"])
    event = _event(
        dossier,
        "apology",
        actor=user,
        from_status=dossier.status,
        to_status=dossier.status,
        public=_(
            "We apologise: your dossier cannot be resolved by the appointment. "
            "Reason: %(reason)s. New appointment: %(due)s."
        )
        % {"reason": letter.reason, "due": _format_date(dossier.due_at)},
    )
    audit_record(
        actor=user,
        action="apology.approve",
        target=letter,
        details={"new_due_date": letter.new_due_date.isoformat()},
    )
    _announce(dossier, event)
    return letter


def _apology_close(letter: ApologyLetter, user: User, reason: str) -> None:
    letter.status = ApologyLetter.Status.REFUSED
    letter.decided_by = user
    letter.decided_at = timezone.now()
    letter.save(update_fields=["status", "decided_by", "decided_at"])
    _cancel_run(letter.run_id, user, reason)
    _event(
        letter.dossier,
        "apology_cancelled",
        actor=user,
        internal=_("Apology letter withdrawn: %(reason)s") % {"reason": reason},
    )
    audit_record(actor=user, action="apology.cancel", target=letter, details={"reason": reason})


@nfc_inputs
@transaction.atomic
def apology_cancel(*, user: User, letter: ApologyLetter, reason: str) -> ApologyLetter:
    """Withdraw an apology letter awaiting approval (its process is cancelled; the appointment
    does not move), e.g. to draft a corrected one."""
    letter = ApologyLetter.objects.select_for_update().select_related("dossier").get(pk=letter.pk)
    access.require_officer_or_handler(user, letter.dossier)
    if letter.status != ApologyLetter.Status.PENDING:
        raise ValidationError(_("This apology letter has already been decided."))
    if not reason:
        raise ValidationError({"reason": _("Say why the letter is withdrawn.")})
    _apology_close(letter, user, reason)
    return letter
