"""Processing between intake and the result, as the national portal codes it: accept or
refuse (1 → 2/3), take up and give to a specialist (→ 4), ask for and receive a supplement
(→ 5 → 4), stop (→ 8) or withdraw (→ 7); tracking links revoked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.services.audit import audit_record
from edoc.text import nfc, nfc_inputs
from onestop import access
from onestop.models import ApologyLetter, Dossier, ProcedurePaper, SupplementRequest, new_secret
from onestop.services.apology import _apology_close
from onestop.services.clock import _pause, _resume, _shift_task_deadlines, due_from
from onestop.services.papers import _attach, _stored_papers, _validate_files
from onestop.services.transitions import (
    Status,
    _cancel_run,
    _event,
    _format_date,
    _locked,
    _refusals_audited,
    _require_reason,
    _require_status,
    _start_process,
    _transition,
)


@nfc_inputs
@transaction.atomic
def dossier_accept(*, officer: User, dossier: Dossier, note: str = "") -> Dossier:
    """Accept an online dossier (1 → 2): the clock starts, the internal process starts."""
    dossier = _locked(dossier)
    access.require_officer(officer, dossier.agency_id)
    _require_status(dossier, [Status.NEW], _("accept the dossier"))
    now = timezone.now()
    dossier.received_at = now
    dossier.received_by = officer
    dossier.due_at = due_from(now, dossier.procedure)
    _transition(
        dossier,
        Status.ACCEPTED,
        "accepted",
        actor=officer,
        public=_("Your dossier was accepted. Appointment: %(due)s.")
        % {"due": _format_date(dossier.due_at)},
        internal=note,
        fields=["received_at", "received_by", "due_at"],
    )
    _start_process(dossier, officer)
    return dossier


@_refusals_audited("reject")
@nfc_inputs
@transaction.atomic
def dossier_reject(*, officer: User, dossier: Dossier, reason: str) -> Dossier:
    """Refuse an online dossier at intake (1 → 3) with the reason the citizen reads."""
    dossier = _locked(dossier)
    access.require_officer(officer, dossier.agency_id)
    _require_status(dossier, [Status.NEW], _("refuse the dossier"))
    _require_reason(reason)
    _transition(dossier, Status.REJECTED, "rejected", actor=officer, public=reason)
    return dossier


@transaction.atomic
def dossier_start_processing(*, user: User, dossier: Dossier, note: str = "") -> Dossier:
    """The handling unit takes the accepted dossier up (2 → 4)."""
    dossier = _locked(dossier)
    access.require_officer_or_handler(user, dossier)
    _require_status(dossier, [Status.ACCEPTED], _("start processing"))
    _to_processing(dossier, user, nfc(note))
    return dossier


def _to_processing(dossier: Dossier, user: User, note: str, details: dict | None = None) -> None:
    """2 → 4: the handling unit has taken the dossier up."""
    _transition(
        dossier,
        Status.PROCESSING,
        "processing",
        actor=user,
        public=_("Your dossier is being processed by %(unit)s.")
        % {"unit": dossier.procedure.handling_unit.name},
        internal=note,
        details=details,
    )


@transaction.atomic
def dossier_assign_handler(*, user: User, dossier: Dossier, handler: User) -> Dossier:
    """The handling unit's head gives the dossier to a specialist of the unit (2 → 4)."""
    dossier = _locked(dossier)
    access.require_officer_or_handler(user, dossier)
    _require_status(
        dossier, [Status.ACCEPTED, Status.PROCESSING], _("give the dossier to a specialist")
    )
    if handler.unit_id != dossier.procedure.handling_unit_id or not handler.is_active:
        raise ValidationError({"handler": _("Choose a member of the handling unit.")})
    dossier.handler = handler
    dossier.save(update_fields=["handler", "updated_at"])
    note = _("Given to %(name)s") % {"name": handler.get_full_name()}
    if dossier.status == Status.ACCEPTED:
        _to_processing(dossier, user, note, {"handler": handler.pk})
    else:
        _event(dossier, "handler", actor=user, internal=note)
        audit_record(actor=user, action="dossier.handler", target=dossier)
    return dossier


@transaction.atomic
def dossier_request_supplement(
    *, officer: User, dossier: Dossier, message: str, papers: Iterable[ProcedurePaper] = ()
) -> SupplementRequest:
    """Ask the citizen for more papers (→ 5): the clock pauses until they answer."""
    message = nfc(message)
    dossier = _locked(dossier)
    access.require_officer_or_handler(officer, dossier)
    _require_status(
        dossier, [Status.NEW, Status.ACCEPTED, Status.PROCESSING], _("request a supplement")
    )
    if not message:
        raise ValidationError({"message": _("Say what the citizen must add.")})
    papers = list(papers)
    if any(paper.procedure_id != dossier.procedure_id for paper in papers):
        raise ValidationError({"papers": _("Choose papers of this dossier's procedure.")})
    now = timezone.now()
    round_no = dossier.supplements.count() + 1
    request = SupplementRequest.objects.create(
        dossier=dossier, round=round_no, requested_by=officer, message=message
    )
    request.papers.set(papers)
    _pause(dossier, now)
    _transition(
        dossier,
        Status.SUPPLEMENT,
        "supplement_requested",
        actor=officer,
        public=message,
        fields=["paused_at"],
        details={"round": round_no},
    )
    return request


@transaction.atomic
def dossier_submit_supplement(
    *, dossier: Dossier, files: Mapping[int, Any] | None = None, message: str = ""
) -> Dossier:
    """The citizen answers the supplement request (5 → 4, or 5 → 1 before acceptance): the
    clock resumes and the appointment moves by exactly the paused working time."""
    message = nfc(message)
    dossier = _locked(dossier)
    if dossier.status != Status.SUPPLEMENT:
        raise ValidationError(
            _(
                "This dossier is not waiting for a supplement (it is “%(status)s”); "
                "nothing was changed."
            )
            % {"status": dossier.get_status_display()},
            code="not_waiting",
        )
    request = dossier.supplements.filter(answered_at__isnull=True).order_by("-round").first()
    items, problems = _validate_files(dossier.procedure, files)
    if not items:
        problems.append(_("Attach at least one file."))
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    with _stored_papers(items) as stored:
        _attach(dossier, items, stored, round_no=request.round if request else 1, user=None)
        if request is not None:
            request.answered_at = now
            request.answer_message = message
            request.save(update_fields=["answered_at", "answer_message"])
        paused = _resume(dossier, now)
        _shift_task_deadlines(dossier, paused)
        target = Status.PROCESSING if dossier.received_at else Status.NEW
        public = _("Supplement received.")
        if paused and dossier.due_at:
            public += " " + _("New appointment: %(due)s.") % {"due": _format_date(dossier.due_at)}
        _transition(
            dossier,
            target,
            "supplement_submitted",
            actor=None,
            public=public,
            internal=message,
            fields=["paused_at", "paused_working_days", "due_at"],
            details={"paused_seconds": int(paused.total_seconds())},
        )
    return dossier


@_refusals_audited("stop")
@nfc_inputs
@transaction.atomic
def dossier_stop(*, officer: User, dossier: Dossier, reason: str) -> Dossier:
    """Stop processing (→ 8), e.g. the papers turn out not to meet the conditions: the handling
    unit's head or a leader decides it."""
    dossier = _locked(dossier)
    access.require_decider(officer, dossier)
    _require_status(dossier, Dossier.OPEN, _("stop processing"))
    _require_reason(reason)
    dossier.paused_at = None
    _transition(
        dossier, Status.STOPPED, "stopped", actor=officer, public=reason, fields=["paused_at"]
    )
    _close_run(dossier, officer, reason)
    return dossier


@_refusals_audited("withdraw")
@nfc_inputs
@transaction.atomic
def dossier_withdraw(*, officer: User, dossier: Dossier, reason: str) -> Dossier:
    """The citizen's request to withdraw, taken by an officer (→ 7)."""
    dossier = _locked(dossier)
    access.require_officer(officer, dossier.agency_id)
    _require_status(dossier, (Status.NEW, *Dossier.OPEN), _("withdraw the dossier"))
    _require_reason(reason)
    dossier.paused_at = None
    _transition(
        dossier, Status.WITHDRAWN, "withdrawn", actor=officer, public=reason, fields=["paused_at"]
    )
    _close_run(dossier, officer, reason)
    return dossier


def _close_run(dossier: Dossier, user: User, reason: str) -> None:
    """A stopped or withdrawn dossier's process ends (its open tasks are cancelled), and so do
    its apology letters awaiting approval."""
    _cancel_run(dossier.run_id, user, reason)
    for letter in dossier.apologies.filter(status=ApologyLetter.Status.PENDING):
        _apology_close(letter, user, reason)


@transaction.atomic
def dossier_tracking_revoke(*, officer: User, dossier: Dossier) -> Dossier:
    """Invalidate every tracking link (QR code) given out so far, e.g. a lost receipt; the
    next receipt carries a new link. Code + phone look-ups keep working."""
    dossier = _locked(dossier)
    access.require_officer(officer, dossier.agency_id)
    dossier.tracking_nonce = new_secret()
    dossier.save(update_fields=["tracking_nonce", "updated_at"])
    _event(dossier, "tracking_revoked", actor=officer, internal=_("Tracking links revoked."))
    audit_record(actor=officer, action="dossier.tracking_revoke", target=dossier)
    return dossier


def require_not_closed(dossier: Dossier) -> None:
    if dossier.is_closed:
        raise PermissionDenied(_("The dossier is closed."))
