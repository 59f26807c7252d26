"""Writes on one-stop dossiers: intake (online and at the counter), the status changes of the
national portal's codes, the paused clock of supplements, fees, results and apology letters.

Every write is atomic, NFC-normalises its text, records a `DossierEvent` and an audit entry, and
sends `onestop.signals.dossier_status_changed` once the transaction commits.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import Document, User
from edoc.pdfcheck import PdfProblem, pdf_inspect
from edoc.services.audit import audit_record
from edoc.services.files import StoredBlobs, UploadProblem, upload_read
from edoc.text import nfc, nfc_inputs
from onestop import access
from onestop.models import (
    SUPPORTED_EXTENSIONS,
    TEMPLATE_TYPES,
    ApologyLetter,
    Channel,
    DayCounter,
    Dossier,
    DossierEvent,
    DossierPaper,
    FeeStatus,
    PaperTemplate,
    Procedure,
    ProcedurePaper,
    ReturnChannel,
    SupplementRequest,
    new_secret,
    paper_blob_name,
)
from onestop.signals import dossier_status_changed
from workflows import calendar

Status = Dossier.Status
APPLICANT_FIELDS = ("name", "phone", "id_number", "email", "address")
EXTRA_PAPER = 0  # key of `files` for a paper outside the procedure's list
DEFAULT_EXTENSIONS = SUPPORTED_EXTENSIONS  # for a paper outside the procedure's list
MAGIC = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
DEFAULT_EXTRA_MB = 10


# --- Files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidatedPaper:
    """An uploaded paper that passed every check, held in memory until it is stored."""

    paper: ProcedurePaper | None
    content: bytes
    name: str
    extension: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.extension, "application/octet-stream")


def paper_validate(upload: IO[bytes], paper: ProcedurePaper | None) -> ValidatedPaper:
    """Refuse empty, oversized and wrongly typed files (by extension and by content)."""
    label = paper.name if paper else _("Other paper")
    name = nfc(getattr(upload, "name", "") or "")[-255:]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = paper.extension_list if paper else list(DEFAULT_EXTENSIONS)
    if extension not in allowed or extension not in MAGIC:
        raise ValidationError(
            _("“%(paper)s”: the file type .%(ext)s is not accepted (allowed: %(allowed)s).")
            % {"paper": label, "ext": extension or "?", "allowed": ", ".join(allowed)},
            code="file_type",
        )
    limit_mb = min(paper.max_size_mb if paper else DEFAULT_EXTRA_MB, settings.EDOC_MAX_UPLOAD_MB)
    limit = limit_mb * 1024 * 1024
    too_large = ValidationError(
        _("“%(paper)s”: the file is larger than %(limit)s MB.")
        % {"paper": label, "limit": limit_mb},
        code="too_large",
    )
    try:
        content = upload_read(upload, limit=limit)
    except UploadProblem as problem:
        if problem.code == "empty":
            raise ValidationError(
                _("“%(paper)s”: the file is empty.") % {"paper": label}, code="empty"
            )
        raise too_large
    if not any(content.startswith(magic) for magic in MAGIC[extension]):
        raise ValidationError(
            _("“%(paper)s”: the file is not a real .%(ext)s file.")
            % {"paper": label, "ext": extension},
            code="file_content",
        )
    if extension == "pdf":  # damaged, page-bomb and parser-bomb PDFs are refused (bounded)
        try:
            pdf_inspect(content, max_pages=settings.EDOC_MAX_PDF_PAGES)
        except PdfProblem as problem:
            raise ValidationError(
                _("“%(paper)s”: %(problem)s") % {"paper": label, "problem": problem.message},
                code=problem.code,
            )
    return ValidatedPaper(paper=paper, content=content, name=name, extension=extension)


def _validate_files(
    procedure: Procedure, files: Mapping[int, Any] | None
) -> tuple[list[ValidatedPaper], list[str]]:
    """Validate every upload; collect all problems so the citizen sees them at once."""
    papers = {paper.pk: paper for paper in procedure.papers.all()}
    validated: list[ValidatedPaper] = []
    problems: list[str] = []
    for key, upload in (files or {}).items():
        if upload is None:
            continue
        key = int(key or EXTRA_PAPER)
        if key != EXTRA_PAPER and key not in papers:
            problems.append(_("A file was given for a paper this procedure does not have."))
            continue
        try:
            validated.append(paper_validate(upload, papers.get(key)))
        except ValidationError as error:
            problems.extend(error.messages)
    return validated, problems


def _stored_papers(papers: Iterable[ValidatedPaper]) -> StoredBlobs:
    """edoc's content-addressed store for these papers (named by hash and extension): the
    files it wrote are deleted again if the block fails, so no orphan file is left."""
    return StoredBlobs(
        (paper_blob_name(item.sha256, item.extension), item.content) for item in papers
    )


def _delete_unreferenced_on_commit(names: list[str]) -> None:
    """Once the transaction commits, remove stored papers no dossier refers to any more
    (a draft's replaced papers); files are shared by content, so others may still use them."""

    def cleanup() -> None:
        used = set(DossierPaper.objects.filter(file__in=names).values_list("file", flat=True))
        for name in set(names) - used:
            default_storage.delete(name)

    if names:
        transaction.on_commit(cleanup)


def _attach(
    dossier: Dossier, items: list[ValidatedPaper], stored: StoredBlobs, *, round_no: int, user
) -> list[DossierPaper]:
    attached = []
    for item in items:
        record = DossierPaper(
            dossier=dossier,
            paper=item.paper,
            round=round_no,
            sha256=item.sha256,
            size=item.size,
            original_name=item.name,
            content_type=item.content_type,
            uploaded_by=user,
        )
        record.file.name = stored.names[paper_blob_name(item.sha256, item.extension)]
        record.save()
        attached.append(record)
    return attached


def missing_mandatory(dossier: Dossier, *, extra: Iterable[ProcedurePaper] = ()) -> list[str]:
    """Names of mandatory papers without a file (counting `extra` as present)."""
    present = set(dossier.files.exclude(paper=None).values_list("paper_id", flat=True))
    present |= {paper.pk for paper in extra if paper is not None}
    return [
        paper.name
        for paper in dossier.procedure.papers.filter(mandatory=True)
        if paper.pk not in present
    ]


# --- Procedures' blank forms -----------------------------------------------------------------

TEMPLATE_MAX_MB = 10


def paper_template_check(name: str, content: bytes) -> tuple[str, str]:
    """A form template's file: PDF or DOCX by extension and first bytes, at most 10 MB.
    Returns (extension, content type)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in TEMPLATE_TYPES:
        raise ValidationError(
            {"file": _("A form template is a PDF or Word (.docx) file.")}, code="file_type"
        )
    content_type, magic = TEMPLATE_TYPES[extension]
    if not content.startswith(magic):
        raise ValidationError(
            {"file": _("The file is not a real .%(ext)s file.") % {"ext": extension}},
            code="file_content",
        )
    if len(content) > TEMPLATE_MAX_MB * 1024 * 1024:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s MB.") % {"limit": TEMPLATE_MAX_MB}},
            code="too_large",
        )
    return extension, content_type


@transaction.atomic
def paper_template_set(
    *, user: User | None, paper: ProcedurePaper, title: str, name: str, content: bytes
) -> PaperTemplate:
    """Give a paper its blank form (PDF or DOCX, checked by extension and first bytes, at most
    10 MB), stored by content; a replaced file no longer used is removed once committed."""
    title, name = nfc(title), nfc(name)[-255:]
    extension, content_type = paper_template_check(name, content)
    if not title:
        raise ValidationError({"title": _("Give the form's name.")})
    sha256 = hashlib.sha256(content).hexdigest()
    blob = f"onestop/forms/{sha256[:2]}/{sha256}.{extension}"
    with StoredBlobs([(blob, content)]) as stored:  # removed again if the block fails
        blob = stored.names[blob]
        template = PaperTemplate.objects.filter(paper=paper).first() or PaperTemplate(paper=paper)
        previous = template.file.name if template.pk else ""
        template.title = title
        template.file.name = blob
        template.original_name = name
        template.content_type = content_type
        template.sha256 = sha256
        template.size = len(content)
        template.save()
        audit_record(
            actor=user,
            action="procedure.form_template",
            target=paper.procedure,
            details={"paper": paper.pk, "title": title, "sha256": sha256},
        )
    if previous and previous != blob:
        _delete_unused_templates_on_commit([previous])
    return template


def _delete_unused_templates_on_commit(names: list[str]) -> None:
    def cleanup() -> None:
        used = set(PaperTemplate.objects.filter(file__in=names).values_list("file", flat=True))
        for name in set(names) - used:
            default_storage.delete(name)

    transaction.on_commit(cleanup)


# --- Applicant, codes, events ----------------------------------------------------------------


def normalise_phone(value: str) -> str:
    """Digits only, +84/84 prefix as a leading 0: "+84 912 345 678" → "0912345678"."""
    digits = "".join(ch for ch in nfc(value or "") if ch.isdigit())
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def _applicant(applicant: Mapping[str, Any]) -> dict[str, str]:
    """The applicant's fields, normalised, as the model names them; refused when any fails."""
    fields, problems = _applicant_checked(applicant)
    if problems:
        raise ValidationError(problems)
    return fields


def _applicant_checked(applicant: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The normalised applicant fields and the problems of those that fail their checks."""
    data = {key: nfc(str(applicant.get(key) or "")) for key in APPLICANT_FIELDS}
    problems = {}
    if not data["name"]:
        problems["applicant_name"] = _("The applicant's name is required.")
    data["phone"] = normalise_phone(data["phone"])
    if not 9 <= len(data["phone"]) <= 11:
        problems["applicant_phone"] = _("Enter a valid phone number (e.g. 0912 345 678).")
    data["id_number"] = data["id_number"].replace(" ", "")
    if data["id_number"] and not (
        data["id_number"].isdigit() and len(data["id_number"]) in (9, 12)
    ):
        problems["applicant_id_number"] = _("The ID number has 9 or 12 digits.")
    if data["email"]:
        from django.core.validators import validate_email

        try:
            validate_email(data["email"])
        except ValidationError:
            problems["applicant_email"] = _("Enter a valid e-mail address.")
    return {f"applicant_{key}": value for key, value in data.items()}, problems


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


def _event(
    dossier: Dossier,
    kind: str,
    *,
    actor: User | None,
    from_status: int | None = None,
    to_status: int | None = None,
    public: str = "",
    internal: str = "",
) -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=dossier,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        public_message=public,
        internal_note=internal,
    )


def _notify_on_commit(dossier: Dossier, event: DossierEvent) -> None:
    transaction.on_commit(
        lambda: dossier_status_changed.send(sender=Dossier, dossier=dossier, event=event)
    )


def _transition(
    dossier: Dossier,
    to: int,
    kind: str,
    *,
    actor: User | None,
    public: str = "",
    internal: str = "",
    fields: Iterable[str] = (),
    details: dict | None = None,
) -> DossierEvent:
    """Record a status change: the row, its event, the audit entry, the signal on commit."""
    old = dossier.status
    dossier.status = to
    dossier.save(update_fields=["status", "updated_at", *fields])
    event = _event(
        dossier,
        kind,
        actor=actor,
        from_status=old,
        to_status=to,
        public=public,
        internal=internal,
    )
    audit_record(
        actor=actor,
        action=f"dossier.{kind}",
        target=dossier,
        details={"from": old, "to": to, **(details or {})},
    )
    _notify_on_commit(dossier, event)
    return event


def _locked(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency")
        .get(pk=dossier.pk)
    )


def _refusals_audited(action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A service whose permission refusal is audited ("dossier.refused"): the service's own
    transaction has rolled back, so the entry is written in a transaction of its own (when the
    caller holds an outer transaction, the entry shares its fate)."""

    def decorate(service: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(service)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return service(*args, **kwargs)
            except PermissionDenied as error:
                with transaction.atomic():
                    audit_record(
                        actor=kwargs.get("officer") or kwargs.get("user"),
                        action="dossier.refused",
                        target=kwargs.get("dossier"),
                        details={"action": action, "message": str(error)},
                    )
                raise

        return run

    return decorate


def _require_status(dossier: Dossier, allowed: Iterable[int], what: str) -> None:
    allowed = tuple(allowed)
    if dossier.status not in allowed:
        raise ValidationError(
            _("Cannot %(what)s: the dossier is “%(status)s”.")
            % {"what": what, "status": dossier.get_status_display()},
            code="wrong_status",
        )


def _require_reason(reason: str, field: str = "reason") -> None:
    if not reason:
        raise ValidationError({field: _("Give the reason; the citizen will read it.")})


def _format_date(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, calendar.VN_TZ).strftime("%H:%M %d/%m/%Y")


# --- Clock -----------------------------------------------------------------------------------


def due_from(received_at: datetime.datetime, procedure: Procedure) -> datetime.datetime:
    """The appointment: `processing_days` working days after reception (the one calendar)."""
    return calendar.deadline_for(received_at, days=procedure.processing_days)


def _pause(dossier: Dossier, now: datetime.datetime) -> None:
    if dossier.received_at is not None and dossier.paused_at is None:
        dossier.paused_at = now


def _resume(dossier: Dossier, now: datetime.datetime) -> datetime.timedelta:
    """Stop the pause: the appointment moves by exactly the paused office time."""
    if dossier.paused_at is None:
        return datetime.timedelta()
    paused = calendar.working_time_between(dossier.paused_at, now)
    if dossier.due_at is not None and paused:
        dossier.due_at = calendar.add_working_duration(dossier.due_at, paused)
    days = Decimal(paused / calendar.working_day_length()).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    dossier.paused_working_days += days
    dossier.paused_at = None
    return paused


def _shift_task_deadlines(dossier: Dossier, paused: datetime.timedelta) -> None:
    """The open tasks of the dossier's process get the paused office time back too: their
    deadline, a reminder not yet sent and the process's waiting timers (reminder, escalation)
    move by it."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from workflows.models import ProcessRun, WorkItem

    run = ProcessRun.objects.filter(pk=dossier.run_id, finished_at__isnull=True).first()
    if not paused or run is None:
        return
    for item in WorkItem.objects.filter(run=run, status=WorkItem.Status.OPEN):
        fields = []
        if item.deadline is not None:
            item.deadline = calendar.add_working_duration(item.deadline, paused)
            fields.append("deadline")
        if item.reminder_at is not None and item.reminded_at is None:
            item.reminder_at = calendar.add_working_duration(item.reminder_at, paused)
            fields.append("reminder_at")
        if fields:
            item.save(update_fields=fields)
    timers = Task.objects.filter(
        process_id=run.process_id, flow_task_type="TIMER", status=STATUS.SCHEDULED
    ).exclude(scheduled=None)
    for timer in timers:
        timer.scheduled = calendar.add_working_duration(timer.scheduled, paused)
        timer.save(update_fields=["scheduled"])


# --- Intake ----------------------------------------------------------------------------------


def _fee_fields(procedure: Procedure) -> dict[str, Any]:
    return {
        "fee_amount": procedure.fee,
        "fee_status": FeeStatus.UNPAID if procedure.fee else FeeStatus.NONE,
    }


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


def _start_process(dossier: Dossier, user: User) -> None:
    """Start the procedure's internal process on the dossier (when it has one)."""
    definition = dossier.procedure.definition
    if definition is None or definition.published_version() is None:
        return
    from workflows.services.processes import process_start

    run = process_start(user=user, definition=definition, subject=dossier)
    dossier.run = run
    dossier.save(update_fields=["run", "updated_at"])


# --- Processing ------------------------------------------------------------------------------


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


def _cancel_run(run_id: int | None, user: User, reason: str) -> None:
    from workflows.models import ProcessRun
    from workflows.services.processes import process_cancel

    run = ProcessRun.objects.filter(pk=run_id, finished_at__isnull=True).first()
    if run is not None:
        process_cancel(user=user, run=run, reason=reason)


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


# --- Apology letters -------------------------------------------------------------------------

APOLOGY_KEY = "onestop-apology"


def end_of_working_day(day: datetime.date) -> datetime.datetime:
    """The closing time of the last office period of `day` (an appointment date's time)."""
    closing = calendar.working_periods()[-1][1]
    return datetime.datetime.combine(day, closing, calendar.VN_TZ)


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
    if dossier.due_at is None or end_of_working_day(new_due_date) <= dossier.due_at:
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
    dossier.due_at = end_of_working_day(letter.new_due_date)
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
    _notify_on_commit(dossier, event)
    return letter


def require_not_closed(dossier: Dossier) -> None:
    if dossier.is_closed:
        raise PermissionDenied(_("The dossier is closed."))
