"""Bulk import of an archive of PDFs into the registry (`manage.py import_documents`).

Every file goes through the same steps as a clerk's upload: it is validated like an upload
(`pdf_validate`), stored content-addressed by its SHA-256, and registered with the metadata the
extractor proposes (`extract_metadata`, mapped exactly as the registration form pre-fills it).
What the extractor does not find stays empty. Text extraction and indexing follow from the
registry's own hooks (the file's text task after commit).

- Incoming (default): `incoming_register`, so each document gets the next incoming number of
  the chosen (or default) book, with its audit entry, duplicate flag and signals.
- Outgoing: documents the agency issued before eDoc. They are recorded as issued with the
  number, notation and date printed on them, outside eDoc's register books (whose gapless
  counters belong to documents eDoc itself numbers). A file whose number or date cannot be
  read is not imported: an issued document without them would be invented.

The subject (trích yếu) is required by the registry. When the extractor finds none (a scan
without a text layer, an unusual layout), the file name stands in for it and the document's
note says so, so the clerk can correct it.

Each file is one transaction. A file whose SHA-256 is already stored for the agency is skipped,
so an interrupted import can simply be run again.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from edoc.extraction import extract_metadata
from edoc.forms import IncomingRegisterForm
from edoc.models import (
    Confidentiality,
    Document,
    DocumentEvent,
    DocumentFile,
    DocumentType,
    ExternalOrganization,
    RegisterBook,
    Urgency,
    User,
)
from edoc.models.organisation import Role
from edoc.selectors.access import Actor, can_register_incoming, is_agency_clerk
from edoc.services.audit import audit_record
from edoc.services.documents import _attach_file, _event, incoming_register
from edoc.services.files import StoredBlob, ValidatedPdf, pdf_validate
from edoc.services.numbering import registry_unit_for
from edoc.text import nfc

logger = logging.getLogger(__name__)

INCOMING = "incoming"
OUTGOING = "outgoing"
KINDS = (INCOMING, OUTGOING)

IMPORTED, SKIPPED, FAILED = "imported", "skipped", "failed"


@dataclass(frozen=True)
class ImportOutcome:
    """What happened to one file."""

    path: Path
    status: str  # IMPORTED, SKIPPED or FAILED
    document_id: int | None = None
    reason: str = ""


@dataclass
class ImportSummary:
    """The result of one run over a folder tree."""

    found: int = 0
    outcomes: list[ImportOutcome] = field(default_factory=list)
    interrupted: bool = False

    def of(self, status: str) -> list[ImportOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    @property
    def imported(self) -> list[ImportOutcome]:
        return self.of(IMPORTED)

    @property
    def skipped(self) -> list[ImportOutcome]:
        return self.of(SKIPPED)

    @property
    def failed(self) -> list[ImportOutcome]:
        return self.of(FAILED)

    @property
    def not_reached(self) -> int:
        return self.found - len(self.outcomes)


class ImportSetupError(Exception):
    """Bad arguments: unknown user, book or folder, or a user who may not import."""


# --- Arguments -----------------------------------------------------------------------------


def import_candidates(root: Path) -> list[Path]:
    """Every regular file under `root`, recursively, in a stable (sorted) order.

    All files are candidates, not only `*.pdf`: a file that is not a PDF is reported in the
    summary rather than silently left behind. Hidden files (".DS_Store", "._x.pdf") are not.
    """
    if not root.is_dir():
        raise ImportSetupError(f"{root} is not a directory.")
    files = [
        path
        for path in root.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    ]
    return sorted(files, key=lambda path: path.relative_to(root).as_posix())


def default_import_user() -> User | None:
    """The first active clerk of an agency's own office (not of an affiliated unit)."""
    clerks = User.objects.filter(role=Role.CLERK, is_active=True, unit__isnull=False)
    agency_code = getattr(settings, "EDOC_AGENCY_CODE", "")
    preferred = clerks.filter(unit__agency__code=agency_code) if agency_code else clerks
    for candidates in (preferred, clerks):
        for clerk in candidates.select_related("unit__parent").order_by("pk"):
            if registry_unit_for(clerk.unit) is None:
                return clerk
    return None


def import_user_get(username: str | None, kind: str) -> User:
    """The clerk who registers the documents (audit entries are written in their name)."""
    if username:
        user = User.objects.filter(username=username).select_related("unit__agency").first()
        if user is None:
            raise ImportSetupError(f"No user named {username!r}.")
    else:
        user = default_import_user()
        if user is None:
            raise ImportSetupError("No active clerk of the agency's office; pass --as USERNAME.")
    if not user.is_active:
        raise ImportSetupError(f"User {user.username!r} is not active.")
    if kind == OUTGOING and not is_agency_clerk(user):
        raise ImportSetupError(
            f"User {user.username!r} is not a clerk of the agency's office: only they record "
            "issued documents."
        )
    if kind == INCOMING and not can_register_incoming(user):
        raise ImportSetupError(
            f"User {user.username!r} is not a clerk: only clerks register incoming documents."
        )
    return user


def import_book_get(user: User, kind: str, value: str | None) -> RegisterBook | None:
    """The register book named by id or by name, among the books the user registers into."""
    if not value:
        return None
    if kind == OUTGOING:
        raise ImportSetupError(
            "--book applies to incoming imports only: issued documents keep the number printed "
            "on them and are not entered in an eDoc register book."
        )
    unit = registry_unit_for(user.unit)
    books = RegisterBook.objects.filter(
        agency_id=user.unit.agency_id, unit=unit, kind=RegisterBook.Kind.INCOMING
    )
    value = nfc(value)
    matches = list(books.filter(pk=int(value))) if value.isdigit() else []
    if not matches:
        wanted = value.casefold()  # in Python: SQLite compares only ASCII case-insensitively
        matches = [book for book in books.order_by("-year") if nfc(book.name).casefold() == wanted]
    if not matches:
        names = ", ".join(f"{book.pk} “{book.name}” ({book.year})" for book in books) or "none"
        raise ImportSetupError(
            f"No incoming register book {value!r} for {user.username}. Their books: {names}."
        )
    if len(matches) > 1:
        listed = ", ".join(f"{book.pk} ({book.year})" for book in matches)
        raise ImportSetupError(f"Several books are named {value!r}: {listed}. Pass the id.")
    book = matches[0]
    if book.is_closed:
        raise ImportSetupError(f"The register book “{book.name}” ({book.year}) is closed.")
    return book


# --- One file ------------------------------------------------------------------------------


def _stored_note(message: str) -> str:
    """Notes are stored in the site's language, whoever runs the import."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(message)


SUBJECT_FROM_FILE_NAME = gettext_noop(  # marked, so that makemessages keeps its translation
    "Subject taken from the file name at bulk import: none could be read from the document."
)


@dataclass
class ProposedFields:
    """Registry fields from the extractor's proposal; what it did not find stays empty."""

    values: dict[str, Any]
    subject_from_file_name: bool


def _max_length(name: str) -> int | None:
    return getattr(Document._meta.get_field(name), "max_length", None)


def proposed_fields(proposal: dict[str, Any], file_name: str) -> ProposedFields:
    """Map a proposal to service arguments as the registration form pre-fills them."""
    initial, _proposed = IncomingRegisterForm.initial_from_proposal(proposal, {})
    values: dict[str, Any] = {}
    for key in IncomingRegisterForm.PROPOSAL_FIELDS.values():
        value = initial.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, str):
            value = nfc(value)
            limit = _max_length(key) if key != "subject" else None
            if limit and len(value) > limit:
                continue  # not a plausible value for this field: leave it empty
        values[key] = value
    if initial.get("document_type"):
        values["document_type"] = DocumentType.objects.get(pk=initial["document_type"])
    if initial.get("issuer_organization"):
        values["issuer_organization"] = ExternalOrganization.objects.get(
            pk=initial["issuer_organization"]
        )
    from_file_name = not values.get("subject")
    if from_file_name:
        values["subject"] = nfc(Path(file_name).stem.replace("_", " ")) or file_name
    return ProposedFields(values, from_file_name)


def _lowest(model: type[Urgency] | type[Confidentiality], confidential: bool = False):
    levels = model.objects.filter(level__gt=0) if confidential else model.objects.all()
    return levels.order_by("level", "pk").first()


def _import_incoming(
    *,
    user: User,
    pdf: ValidatedPdf,
    fields: ProposedFields,
    proposal: dict,
    book,
    start_processes: bool,
) -> Document:
    confidential = bool(book and book.is_confidential)
    return incoming_register(
        user=user,
        pdf=pdf,
        register_book=book,
        urgency=_lowest(Urgency),
        confidentiality=_lowest(Confidentiality, confidential=confidential),
        extraction_proposal=proposal,
        start_process=start_processes,
        note=_stored_note(SUBJECT_FROM_FILE_NAME) if fields.subject_from_file_name else "",
        **fields.values,
    )


@transaction.atomic
def _record_issued(
    *, user: User, pdf: ValidatedPdf, blob: StoredBlob, fields: ProposedFields, proposal: dict
) -> Document:
    values = fields.values
    agency = user.unit.agency
    document = Document(
        agency=agency,
        direction=Document.Direction.OUTGOING,
        status=Document.Status.ISSUED,
        owner_unit=user.unit,
        document_type=values.get("document_type"),
        number=values["number"],
        notation=values.get("notation", ""),
        issuer=agency.name,
        place=values.get("place", ""),
        issue_date=values["issue_date"],
        subject=values["subject"],
        signer_name=values.get("signer_name", ""),
        urgency=_lowest(Urgency),
        confidentiality=_lowest(Confidentiality),
        page_count=pdf.page_count,
        note=_stored_note(SUBJECT_FROM_FILE_NAME) if fields.subject_from_file_name else "",
        extraction_proposal=proposal,
        created_by=user,
    )
    document.full_clean(exclude=["register_book", "book_number"])
    document.save()
    _attach_file(document=document, pdf=pdf, blob=blob, user=user)
    _event(document, Actor(user), DocumentEvent.Action.REGISTERED, comment=pdf.name)
    audit_record(
        actor=user,
        action="document.import_issued",
        target=document,
        details={"symbol": document.symbol, "file_sha256": pdf.sha256, "file_name": pdf.name},
    )
    return document


def _import_outgoing(
    *, user: User, pdf: ValidatedPdf, fields: ProposedFields, proposal: dict
) -> Document:
    missing = [
        label
        for key, label in (("number", "number"), ("issue_date", "issue date"))
        if not fields.values.get(key)
    ]
    if missing:
        raise ValidationError(
            f"no {' and no '.join(missing)} could be read from the document; an issued "
            "document is recorded only with the number and date printed on it (register it by "
            "hand)"
        )
    if not is_agency_clerk(user):
        raise PermissionDenied("Only the agency's clerks record issued documents.")
    with StoredBlob(pdf) as blob:
        return _record_issued(user=user, pdf=pdf, blob=blob, fields=fields, proposal=proposal)


def already_imported(agency_id: int, sha256: str) -> int | None:
    """The document holding a file with this content in the agency, if any."""
    return (
        DocumentFile.objects.filter(document__agency_id=agency_id, sha256=sha256)
        .order_by("pk")
        .values_list("document_id", flat=True)
        .first()
    )


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or type(error).__name__


def import_file(
    path: Path,
    *,
    user: User,
    kind: str = INCOMING,
    book: RegisterBook | None = None,
    root: Path | None = None,
    start_processes: bool = False,
) -> ImportOutcome:
    """Import one file; failures are returned as an outcome, never raised. Incoming documents
    start their handling process only with `start_processes` (an archive was handled before)."""
    name = path.relative_to(root).as_posix() if root else path.name
    try:
        with path.open("rb") as handle:
            pdf = pdf_validate(handle, name=name)
    except ValidationError as error:
        return ImportOutcome(path, FAILED, reason=_reason(error))
    except OSError as error:
        return ImportOutcome(path, FAILED, reason=f"unreadable: {error.strerror or error}")
    existing = already_imported(user.unit.agency_id, pdf.sha256)
    if existing:
        return ImportOutcome(path, SKIPPED, existing, reason=f"already imported (#{existing})")
    proposal = extract_metadata(io.BytesIO(pdf.content))
    fields = proposed_fields(proposal, Path(name).name)
    try:
        if kind == OUTGOING:
            document = _import_outgoing(user=user, pdf=pdf, fields=fields, proposal=proposal)
        else:
            document = _import_incoming(
                user=user,
                pdf=pdf,
                fields=fields,
                proposal=proposal,
                book=book,
                start_processes=start_processes,
            )
    except (ValidationError, PermissionDenied) as error:
        return ImportOutcome(path, FAILED, reason=_reason(error))
    return ImportOutcome(path, IMPORTED, document.pk)


# --- A folder tree -------------------------------------------------------------------------


def import_documents(
    root: Path,
    *,
    user: User,
    kind: str = INCOMING,
    book: RegisterBook | None = None,
    files: Iterable[Path] | None = None,
    progress: Callable[[ImportOutcome], None] | None = None,
    stop_requested: Callable[[], bool] | None = None,
    start_processes: bool = False,
) -> ImportSummary:
    """Import every file of the tree (or `files`), one transaction each, in sorted order.

    `progress` is called after each file; a KeyboardInterrupt raised there or during a file
    (whose transaction then rolls back) ends the run cleanly, as does `stop_requested()`
    returning true between files. The summary says how far it got.
    """
    if kind not in KINDS:
        raise ImportSetupError(f"Unknown kind {kind!r}: use incoming or outgoing.")
    paths = list(files) if files is not None else import_candidates(root)
    summary = ImportSummary(found=len(paths))
    for path in paths:
        if stop_requested and stop_requested():
            summary.interrupted = True
            break
        try:
            try:
                outcome = import_file(
                    path,
                    user=user,
                    kind=kind,
                    book=book,
                    root=root,
                    start_processes=start_processes,
                )
            except Exception as error:  # noqa: BLE001 - one bad file must not stop the run
                logger.exception("import of %s failed", path)
                outcome = ImportOutcome(
                    path, FAILED, reason=f"unexpected error: {type(error).__name__}: {error}"
                )
            summary.outcomes.append(outcome)
            if progress:
                progress(outcome)
        except KeyboardInterrupt:
            summary.interrupted = True
            break
    return summary
