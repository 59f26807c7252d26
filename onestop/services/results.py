"""The result: the signed and issued outgoing document chosen and checked, the dossier finished
(→ 9) and its result returned online, by post or at the counter (→ 10)."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import Document, User
from edoc.services.audit import audit_record
from onestop import access
from onestop.models import ApologyLetter, Dossier, FeeStatus, ReturnChannel
from onestop.services.apology import _apology_close
from onestop.services.fees import fee_settled_check
from onestop.services.transitions import (
    Status,
    _event,
    _locked,
    _refusals_audited,
    _require_status,
    _transition,
)


def result_document_problem(dossier: Dossier, document: Document) -> ValidationError | None:
    """Why this document cannot be the dossier's result (None when it can): it must be an
    outgoing document of the dossier's agency with its file, digitally signed and issued."""
    if (
        document.agency_id != dossier.agency_id
        or document.direction != Document.Direction.OUTGOING
        or not document.files.exists()
    ):
        return ValidationError(
            _("Choose an outgoing document of the agency with its file."), code="not_outgoing"
        )
    if not document.signature_records.exists():
        return ValidationError(
            _(
                "“%(document)s” has not been digitally signed yet: the result must be signed "
                "and issued through the outgoing process first."
            )
            % {"document": document.subject[:80]},
            code="unsigned",
        )
    if document.status != Document.Status.ISSUED:
        return ValidationError(
            _(
                "“%(document)s” has not been issued yet: the clerk numbers and issues it before "
                "it can be the dossier's result."
            )
            % {"document": document.subject[:80]},
            code="not_issued",
        )
    return None


def result_document_check(dossier: Dossier, document: Document) -> None:
    """Refuse a document that cannot be the dossier's result (see `result_document_problem`)."""
    problem = result_document_problem(dossier, document)
    if problem is not None:
        raise ValidationError({"result_document": problem})


@transaction.atomic
def dossier_set_result(*, user: User, dossier: Dossier, result_document: Document) -> Dossier:
    """Link the result document (issued and digitally signed) while the dossier is processed
    and its fee settled; the choice is checked here, where it is made."""
    dossier = _locked(dossier)
    access.require_officer_or_handler(user, dossier)
    _require_status(dossier, [Status.ACCEPTED, Status.PROCESSING], _("attach the result"))
    problems: dict[str, list[ValidationError]] = {}
    problem = result_document_problem(dossier, result_document)
    if problem is not None:
        problems["result_document"] = [problem]
    try:
        fee_settled_check(dossier)
    except ValidationError as error:
        problems[NON_FIELD_ERRORS] = [error]
    if problems:
        raise ValidationError(problems)
    dossier.result = result_document
    dossier.save(update_fields=["result", "updated_at"])
    _event(
        dossier,
        "result_attached",
        actor=user,
        internal=_("Result document: %(doc)s") % {"doc": result_document.subject},
    )
    audit_record(
        actor=user,
        action="dossier.result_attach",
        target=dossier,
        details={"document": result_document.pk},
    )
    return dossier


@_refusals_audited("finish")
@transaction.atomic
def dossier_finish(
    *,
    officer: User,
    dossier: Dossier,
    result_document: Document | None = None,
    via_process: bool = False,
) -> Dossier:
    """Processing is complete (→ 9): the (signed, issued) result document is linked to the
    dossier. By hand (the dossier's page) only the handling unit's head or a leader finishes a
    dossier that has no running internal process; `via_process`: the process's approval step
    or its end, whose assignee the definition chose."""
    dossier = _locked(dossier)
    if via_process:
        access.require_officer_or_handler(officer, dossier)
    else:
        access.require_decider(officer, dossier)
    _require_status(dossier, [Status.ACCEPTED, Status.PROCESSING], _("finish the dossier"))
    if not via_process and dossier.in_process:
        raise ValidationError(
            _(
                "This dossier is handled in its internal process: the process's approval step "
                "finishes it."
            ),
            code="in_process",
        )
    document = result_document or dossier.result
    if document is None:
        raise ValidationError({"result_document": _("Attach the result document first.")})
    # Checked when the result was chosen; again here (defence in depth).
    if not document.signature_records.exists():
        raise ValidationError(
            {"result_document": _("The result document must be digitally signed first.")},
            code="unsigned",
        )
    result_document_check(dossier, document)
    if dossier.fee_status == FeeStatus.UNPAID:
        raise ValidationError(_("The fee has not been paid yet."), code="unpaid")
    now = timezone.now()
    dossier.result = document
    dossier.finished_at = now
    for letter in dossier.apologies.filter(status=ApologyLetter.Status.PENDING):
        _apology_close(letter, officer, _("The dossier was processed."))
    late = dossier.due_at is not None and now > dossier.due_at
    _transition(
        dossier,
        Status.DONE,
        "finished",
        actor=officer,
        public=_("Your dossier has been processed; the result is ready."),
        fields=["result", "finished_at"],
        details={"late": late, "document": document.pk},
    )
    return dossier


@transaction.atomic
def dossier_return_result(*, officer: User, dossier: Dossier, channel: str) -> Dossier:
    """The result is made available online, sent by post or handed over at the counter, as
    the officer chose (9 → 10); the citizen's history says which."""
    dossier = _locked(dossier)
    access.require_officer(officer, dossier.agency_id)
    _require_status(dossier, [Status.DONE], _("return the result"))
    if channel not in ReturnChannel.values:
        raise ValidationError({"channel": _("Choose online, by post or at the counter.")})
    dossier.returned_at = timezone.now()
    dossier.return_channel = channel
    public = {
        ReturnChannel.ONLINE: _("The signed result is available for download."),
        ReturnChannel.POST: _("The result was sent to you by post."),
        ReturnChannel.COUNTER: _("The result was handed over at the one-stop counter."),
    }[ReturnChannel(channel)]
    _transition(
        dossier,
        Status.RETURNED,
        "returned",
        actor=officer,
        public=public,
        fields=["returned_at", "return_channel"],
        details={"channel": channel},
    )
    return dossier
