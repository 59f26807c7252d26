"""Intake: the citizen's online draft (its papers kept across refusals) and its submission,
the officer's reception at the counter; each dossier gets the gapless code of its day."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.services.audit import audit_record
from edoc.text import nfc
from onestop import access
from onestop.models import (
    Channel,
    DayCounter,
    Dossier,
    DossierPaper,
    Procedure,
    ProcedurePaper,
    new_secret,
)
from onestop.services.applicant import _applicant, _applicant_checked
from onestop.services.clock import due_from
from onestop.services.fees import _fee_fields
from onestop.services.papers import (
    EXTRA_PAPER,
    ValidatedPaper,
    _attach,
    _delete_unreferenced_on_commit,
    _stored_papers,
    _validate_files,
    missing_mandatory,
    paper_validate,
)
from onestop.services.transitions import (
    Status,
    _event,
    _format_date,
    _locked,
    _require_status,
    _start_process,
    _transition,
)
from workflows import calendar


def _today_local(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, calendar.VN_TZ).date()


def dossier_code_take(*, agency, at: datetime.datetime | None = None) -> str:
    """The next code of the day, `<agency code>-<YYMMDD>-<NNNN>` (Circular 01/2018/TT-VPCP):
    gapless, one locked counter row per agency and day. Call inside the caller's transaction."""
    day = _today_local(at or timezone.now())
    DayCounter.objects.bulk_create([DayCounter(agency=agency, day=day)], ignore_conflicts=True)
    counter = DayCounter.objects.select_for_update().get(agency=agency, day=day)
    counter.last += 1
    if counter.last > 9999:
        raise ValidationError(_("The day's 9,999 dossier codes are used up."))
    counter.save(update_fields=["last"])
    return f"{agency.code}-{day:%y%m%d}-{counter.last:04d}"


@transaction.atomic
def dossier_save_draft(
    *,
    procedure: Procedure,
    applicant: Mapping[str, Any],
    files: Mapping[int, Any] | None = None,
    draft: Dossier | None = None,
) -> Dossier:
    """A citizen's online draft (no login): saved with whatever papers they have so far; a new
    file for a paper replaces the draft's earlier one. The draft's key lets them come back."""
    _require_online(procedure)
    fields = _applicant(applicant)
    items, problems = _validate_files(procedure, files)
    if problems:
        raise ValidationError(problems)
    return _draft_write(procedure, fields, items, draft, action="dossier.draft_save")


@transaction.atomic
def dossier_keep_papers(
    *,
    procedure: Procedure,
    applicant: Mapping[str, Any],
    files: Mapping[int, Any] | None = None,
    draft: Dossier | None = None,
) -> Dossier | None:
    """After a refused online form: the papers that pass every check are kept in the citizen's
    draft (created when there is none), so that they choose again only the refused ones.
    Applicant fields that fail their checks are not stored (a new draft leaves them empty; the
    draft is checked in full when saved or sent). Returns the draft, or None when nothing
    passed and there was no draft."""
    _require_online(procedure)
    papers = {paper.pk: paper for paper in procedure.papers.all()}
    items = []
    for key, upload in (files or {}).items():
        key = int(key or EXTRA_PAPER)
        if upload is None or (key != EXTRA_PAPER and key not in papers):
            continue
        try:
            items.append(paper_validate(upload, papers.get(key)))
        except ValidationError:
            continue
    if not items:
        return draft
    fields, problems = _applicant_checked(applicant)
    fields = {name: value for name, value in fields.items() if name not in problems}
    return _draft_write(procedure, fields, items, draft, action="dossier.draft_keep")


def _require_online(procedure: Procedure) -> None:
    if not procedure.active or not procedure.accepts_online:
        raise ValidationError(_("This procedure cannot be submitted online."))


def _draft_write(
    procedure: Procedure,
    fields: dict[str, str],
    items: list[ValidatedPaper],
    draft: Dossier | None,
    *,
    action: str,
) -> Dossier:
    """Create or update a draft with these applicant fields and papers; a new file for a
    paper replaces the draft's earlier one."""
    with _stored_papers(items) as stored:
        if draft is not None:
            draft = _locked(draft)
            if draft.status != Status.DRAFT or draft.procedure_id != procedure.pk:
                raise ValidationError(_("This draft has already been submitted."), code="not_draft")
            for name, value in fields.items():
                setattr(draft, name, value)
            draft.save()
            replaced = {item.paper.pk for item in items if item.paper is not None}
            old = draft.files.filter(paper_id__in=replaced)
            _delete_unreferenced_on_commit(list(old.values_list("file", flat=True)))
            old.delete()
            dossier = draft
        else:
            dossier = Dossier.objects.create(
                procedure=procedure,
                agency=procedure.agency,
                channel=Channel.ONLINE,
                status=Status.DRAFT,
                **fields,
                **_fee_fields(procedure),
            )
        _attach(dossier, items, stored, round_no=0, user=None)
        audit_record(actor=None, action=action, target=dossier)
    return dossier


@transaction.atomic
def dossier_submit_online(*, dossier: Dossier) -> Dossier:
    """Send a draft: every mandatory paper must be there; the dossier gets its code (status 1)."""
    dossier = _locked(dossier)
    _require_status(dossier, [Status.DRAFT], _("submit the dossier"))
    missing = missing_mandatory(dossier)
    if missing:
        raise ValidationError(
            [_("Missing mandatory paper: %(paper)s") % {"paper": name} for name in missing],
            code="missing_papers",
        )
    now = timezone.now()
    dossier.code = dossier_code_take(agency=dossier.agency, at=now)
    dossier.submitted_at = now
    dossier.draft_key = new_secret()  # the draft link stops working once it is sent
    _transition(
        dossier,
        Status.NEW,
        "submitted",
        actor=None,
        public=_("Your dossier was registered online with code %(code)s.") % {"code": dossier.code},
        fields=["code", "submitted_at", "draft_key"],
    )
    return dossier


@transaction.atomic
def dossier_receive_at_counter(
    *,
    officer: User,
    procedure: Procedure,
    applicant: Mapping[str, Any],
    files: Mapping[int, Any] | None = None,
    papers_checked: Iterable[int] = (),
    note: str = "",
) -> Dossier:
    """The one-stop officer receives a paper dossier (status 2 at once, with its appointment).
    `papers_checked`: ids of the procedure's papers whose originals the officer checked — a
    mandatory paper counts as received when it is uploaded or checked."""
    access.require_officer(officer, procedure.agency_id)
    if not procedure.active:
        raise ValidationError(_("This procedure is no longer active."))
    fields = _applicant(applicant)
    items, problems = _validate_files(procedure, files)
    checked = list(procedure.papers.filter(pk__in=[int(pk) for pk in papers_checked]))
    present = {item.paper.pk for item in items if item.paper} | {paper.pk for paper in checked}
    problems += [
        _("Missing mandatory paper: %(paper)s") % {"paper": paper.name}
        for paper in procedure.papers.filter(mandatory=True)
        if paper.pk not in present
    ]
    if problems:
        raise ValidationError(problems)
    with _stored_papers(items) as stored:
        now = timezone.now()
        dossier = Dossier.objects.create(
            code=dossier_code_take(agency=procedure.agency, at=now),
            procedure=procedure,
            agency=procedure.agency,
            channel=Channel.COUNTER,
            status=Status.NEW,
            submitted_at=now,
            received_at=now,
            due_at=due_from(now, procedure),
            created_by=officer,
            received_by=officer,
            **fields,
            **_fee_fields(procedure),
        )
        attached = _attach(dossier, items, stored, round_no=0, user=officer)
        for record in attached:
            if record.paper_id in {paper.pk for paper in checked}:
                DossierPaper.objects.filter(pk=record.pk).update(checked=True)
        uploaded = {record.paper_id for record in attached}
        for paper in checked:  # originals seen at the counter without a scan
            if paper.pk not in uploaded:
                _paper_seen(dossier, paper, officer)
        _transition(
            dossier,
            Status.ACCEPTED,
            "received",
            actor=officer,
            public=_("Your dossier was received at the one-stop counter. Appointment: %(due)s.")
            % {"due": _format_date(dossier.due_at)},
            internal=nfc(note),
            details={"channel": Channel.COUNTER},
        )
        _start_process(dossier, officer)
    return dossier


def _paper_seen(dossier: Dossier, paper: ProcedurePaper, officer: User) -> None:
    """A paper whose original the officer checked but did not scan: an event, no file."""
    _event(
        dossier,
        "paper_checked",
        actor=officer,
        internal=_("Original checked: %(paper)s") % {"paper": paper.name},
    )
