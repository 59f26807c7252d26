"""Bulk import of an archive of PDFs into the registry (`manage.py import_documents`).

Every file goes through the same steps as a clerk's upload: it is validated like an upload
(`pdf_validate`), read once (`ValidatedPdf.text`: the text layer, stored with the version, and
the words the proposal is made from; a scanned first or last page by OCR), stored
content-addressed by its SHA-256, and registered with the metadata proposed for it, mapped by
edoc.services.proposals exactly as the registration form and the API map it. What the
extractor does not find stays empty.

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
so an interrupted import can simply be run again. With `workers`, worker processes validate,
read and propose the files ahead while this process registers them in order (numbers are
taken here, one after the other, under the book's row lock as for any registration); search
indexes them once per batch (`edoc.batch`).
"""

from __future__ import annotations

import functools
import itertools
import logging
import multiprocessing
import os
import signal
import tempfile
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from edoc.batch import document_batches
from edoc.models import (
    Confidentiality,
    Document,
    DocumentFile,
    RegisterBook,
    Urgency,
    User,
)
from edoc.models.organisation import Role
from edoc.selectors.access import can_register_incoming, is_agency_clerk
from edoc.services.documents import (
    default_incoming_book,
    incoming_register,
    issued_document_record,
)
from edoc.services.files import ValidatedPdf, pdf_validate
from edoc.services.numbering import registry_unit_for
from edoc.services.proposals import (
    ProposalCatalog,
    proposal_catalog,
    proposal_for_upload,
    proposed_fields,
)
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
    """Every regular file under `root`, recursively, in a stable (sorted) order; for a ZIP
    archive, every member (`root / member name`, read from the archive one at a time).

    All files are candidates, not only `*.pdf`: a file that is not a PDF is reported in the
    summary rather than silently left behind. Hidden files (".DS_Store", "._x.pdf") are not.
    """
    if root.is_file() and zipfile.is_zipfile(root):
        names = _archive_members(root)
        files = [root / name for name in names]
    elif root.is_dir():
        files = [path for path in root.rglob("*") if path.is_file()]
    else:
        raise ImportSetupError(f"{root} is not a directory nor a ZIP archive.")
    files = [
        path
        for path in files
        if not any(part.startswith(".") for part in path.relative_to(root).parts)
    ]
    return sorted(files, key=lambda path: path.relative_to(root).as_posix())


def _archive_members(archive: Path) -> dict[str, zipfile.ZipInfo]:
    """A ZIP archive's files by their relative name (a leading "/" dropped), read once per
    process: `_open_candidate` opens each member from there."""
    return _archive(archive)[1]


@functools.lru_cache(maxsize=2)
def _archive_of_process(
    archive: str, pid: int
) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    zipped = zipfile.ZipFile(archive)
    members = {
        info.filename.lstrip("/"): info
        for info in zipped.infolist()
        if not info.is_dir() and info.filename.lstrip("/")
    }
    return zipped, members


def _archive(archive: Path) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    # Per process: forked workers must not share the parent's file offset.
    return _archive_of_process(str(archive), os.getpid())


def _open_candidate(path: Path, root: Path | None) -> IO[bytes]:
    """The file, or the archive member, to read; a member is decompressed as it is read
    (never more than the upload limit of it: edoc.services.files.upload_read)."""
    if root is not None and root.is_file():
        zipped, members = _archive(root)
        return zipped.open(members[path.relative_to(root).as_posix()])
    return path.open("rb")


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


@dataclass(frozen=True)
class ImportCatalogs:
    """The catalog rows every file of a run uses, read once per run: the lowest urgency and
    confidentiality levels, and what proposals are matched against."""

    urgency: Urgency | None
    confidentiality: Confidentiality | None
    confidential: Confidentiality | None  # the lowest level above 0 (a confidential book)
    proposal: ProposalCatalog
    books: dict[int, RegisterBook] = field(default_factory=dict)  # the default book, by year

    def default_book(self, user: User) -> RegisterBook:
        """This year's (non-confidential) incoming book of the user's registry, the one
        `incoming_register` would take, looked up once a year of the run."""
        year = timezone.localdate().year
        if year not in self.books:
            self.books[year] = default_incoming_book(user, confidential=False, year=year)
        return self.books[year]


def import_catalogs() -> ImportCatalogs:
    def lowest(model: type[Urgency] | type[Confidentiality], confidential: bool = False):
        levels = model.objects.filter(level__gt=0) if confidential else model.objects.all()
        return levels.order_by("level", "pk").first()

    return ImportCatalogs(
        urgency=lowest(Urgency),
        confidentiality=lowest(Confidentiality),
        confidential=lowest(Confidentiality, confidential=True),
        proposal=proposal_catalog(),
    )


def import_fields(
    proposal: dict[str, Any], file_name: str, catalog: ProposalCatalog | None = None
) -> ProposedFields:
    """The proposal mapped as the registration form and the API map it
    (edoc.services.proposals); without a subject, the file name stands in for it."""
    values = proposed_fields(proposal, catalog=catalog)
    from_file_name = not values.get("subject")
    if from_file_name:
        values["subject"] = nfc(Path(file_name).stem.replace("_", " ")) or file_name
    return ProposedFields(values, from_file_name)


def _import_incoming(
    *,
    user: User,
    pdf: ValidatedPdf,
    fields: ProposedFields,
    proposal: dict,
    book,
    start_processes: bool,
    catalogs: ImportCatalogs,
) -> Document:
    confidential = bool(book and book.is_confidential)
    return incoming_register(
        user=user,
        pdf=pdf,
        register_book=book or catalogs.default_book(user),
        urgency=catalogs.urgency,
        confidentiality=catalogs.confidential if confidential else catalogs.confidentiality,
        extraction_proposal=proposal,
        start_process=start_processes,
        note=_stored_note(SUBJECT_FROM_FILE_NAME) if fields.subject_from_file_name else "",
        content_known_new=True,  # register_prepared skipped a content the agency holds
        **fields.values,
    )


def _import_outgoing(
    *,
    user: User,
    pdf: ValidatedPdf,
    fields: ProposedFields,
    proposal: dict,
    catalogs: ImportCatalogs,
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
    values = fields.values
    return issued_document_record(
        user=user,
        pdf=pdf,
        number=values["number"],
        issue_date=values["issue_date"],
        subject=values["subject"],
        document_type=values.get("document_type"),
        notation=values.get("notation", ""),
        place=values.get("place", ""),
        signer_name=values.get("signer_name", ""),
        urgency=catalogs.urgency,
        confidentiality=catalogs.confidentiality,
        note=_stored_note(SUBJECT_FROM_FILE_NAME) if fields.subject_from_file_name else "",
        extraction_proposal=proposal,
    )


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


@dataclass
class PreparedFile:
    """One file read, checked and proposed, ready to be registered; made by a worker process
    when the import runs several (no database there). `outcome` is set when there is nothing
    to register (a refused file)."""

    path: Path
    name: str
    pdf: ValidatedPdf | None = None
    proposal: dict[str, Any] | None = None
    outcome: ImportOutcome | None = None

    def close(self) -> None:
        """Remove the file's temporary copy, if it has one (once registered or refused)."""
        if self.pdf is not None:
            self.pdf.close()


def prepare_file(
    path: Path,
    *,
    root: Path | None = None,
    known: Callable[[str], bool] = lambda sha: False,
    spool_directory: str | None = None,
) -> PreparedFile:
    """Validate a file like an upload and make its proposal from its one reading (text layer,
    words; OCR of a scanned first or last page). A file whose content is `known` (imported
    before) is only validated: the registration step skips it. A large file is read from a
    temporary copy in `spool_directory` (edoc.services.files.upload_spool), never whole; the
    caller closes `pdf` once it is registered."""
    name = path.relative_to(root).as_posix() if root else path.name
    try:
        with _open_candidate(path, root) as handle:
            pdf = pdf_validate(handle, name=name, spool_directory=spool_directory)
    except ValidationError as error:
        return PreparedFile(path, name, outcome=ImportOutcome(path, FAILED, reason=_reason(error)))
    except (zipfile.BadZipFile, NotImplementedError) as error:  # a damaged or unknown member
        reason = f"unreadable in the archive: {error}"
        return PreparedFile(path, name, outcome=ImportOutcome(path, FAILED, reason=reason))
    except OSError as error:
        reason = f"unreadable: {error.strerror or error}"
        return PreparedFile(path, name, outcome=ImportOutcome(path, FAILED, reason=reason))
    if known(pdf.sha256):
        return PreparedFile(path, name, pdf=pdf)
    return PreparedFile(path, name, pdf=pdf, proposal=proposal_for_upload(pdf))


def register_prepared(
    prepared: PreparedFile,
    *,
    user: User,
    kind: str = INCOMING,
    book: RegisterBook | None = None,
    start_processes: bool = False,
    catalogs: ImportCatalogs | None = None,
    known: KnownContents | None = None,
) -> ImportOutcome:
    """Register one prepared file (one transaction), or say why not; never raises for a bad
    file. A file whose content the agency already holds is skipped (`known`: what the run
    knows it holds, instead of asking the database)."""
    if prepared.outcome is not None:
        return prepared.outcome
    path, pdf = prepared.path, prepared.pdf
    if known is not None:
        existing = known.get(pdf.sha256)
    else:
        existing = already_imported(user.unit.agency_id, pdf.sha256)
    if existing:
        return ImportOutcome(path, SKIPPED, existing, reason=f"already imported (#{existing})")
    proposal = prepared.proposal if prepared.proposal is not None else proposal_for_upload(pdf)
    catalogs = catalogs or import_catalogs()
    fields = import_fields(proposal, Path(prepared.name).name, catalogs.proposal)
    try:
        if kind == OUTGOING:
            document = _import_outgoing(
                user=user, pdf=pdf, fields=fields, proposal=proposal, catalogs=catalogs
            )
        else:
            document = _import_incoming(
                user=user,
                pdf=pdf,
                fields=fields,
                proposal=proposal,
                book=book,
                start_processes=start_processes,
                catalogs=catalogs,
            )
    except (ValidationError, PermissionDenied) as error:
        return ImportOutcome(path, FAILED, reason=_reason(error))
    if known is not None:
        known[pdf.sha256] = document.pk
    return ImportOutcome(path, IMPORTED, document.pk)


class KnownContents(dict):
    """The contents (SHA-256 → the document holding it) an agency's registry holds, read once
    when a run in several processes starts and kept up to date by that run."""

    @classmethod
    def of_agency(cls, agency_id: int) -> KnownContents:
        known = cls()
        files = DocumentFile.objects.filter(document__agency_id=agency_id).order_by("-pk")
        for sha256, document_id in files.values_list("sha256", "document_id").iterator():
            known[sha256] = document_id  # the oldest holder wins, as in already_imported
        return known


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
    agency_id = user.unit.agency_id
    prepared = prepare_file(
        path, root=root, known=lambda sha: already_imported(agency_id, sha) is not None
    )
    try:
        return register_prepared(
            prepared, user=user, kind=kind, book=book, start_processes=start_processes
        )
    finally:
        prepared.close()


# --- A folder tree -------------------------------------------------------------------------

#: Documents indexed together during an import (one index write per batch, not per document).
INDEX_BATCH = 100
#: Files prepared ahead of the registration, per worker process (bounds the memory they hold).
PREPARED_AHEAD = 4

_known_in_workers: frozenset[str] = frozenset()


def _worker_start() -> None:
    """A worker process: Ctrl-C is the main process's business (it stops between files)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _prepare_in_worker(path: Path, root: Path | None, spool_directory: str) -> PreparedFile:
    try:
        return prepare_file(
            path,
            root=root,
            known=_known_in_workers.__contains__,
            spool_directory=spool_directory,
        )
    except Exception as error:  # noqa: BLE001 - one bad file must not stop the run
        logger.exception("preparing %s failed", path)
        reason = f"unexpected error: {type(error).__name__}: {error}"
        return PreparedFile(path, path.name, outcome=ImportOutcome(path, FAILED, reason=reason))


def _prepared_in_order(
    paths: list[Path],
    *,
    root: Path | None,
    agency_id: int,
    workers: int,
    known: KnownContents | None,
    spool_directory: str,
) -> Iterator[PreparedFile]:
    """The files prepared, in the order of `paths`: in this process, or by `workers`
    worker processes (forked; they read, check, parse and propose, and never touch the
    database: what the agency holds already, `known`, is handed to them), at most
    PREPARED_AHEAD files each ahead of the registration. Temporary copies of large files go
    to `spool_directory` (a worker hands its copy over with the prepared file)."""
    if workers <= 1 or known is None:
        for path in paths:
            yield prepare_file(
                path,
                root=root,
                known=lambda sha: already_imported(agency_id, sha) is not None,
                spool_directory=spool_directory,
            )
        return
    global _known_in_workers
    _known_in_workers = frozenset(known)
    if not any(conn.in_atomic_block for conn in connections.all(initialized_only=True)):
        # The workers are forked and never use the database; closed here, no connection is
        # even inherited (they end with os._exit, so they could not close ours either).
        connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_worker_start) as pool:
        _known_in_workers = frozenset()  # the workers have their copy
        queue = iter(paths)
        pending = deque(
            pool.apply_async(_prepare_in_worker, (path, root, spool_directory))
            for path in itertools.islice(queue, workers * PREPARED_AHEAD)
        )
        while pending:
            prepared = pending.popleft().get()
            following = next(queue, None)
            if following is not None:
                pending.append(
                    pool.apply_async(_prepare_in_worker, (following, root, spool_directory))
                )
            yield prepared


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
    workers: int = 1,
) -> ImportSummary:
    """Import every file of the tree (or `files`), one transaction each, in sorted order.

    With `workers` > 1, worker processes read, check and propose the files ahead; this process
    registers them one after the other in the same order, so the register numbers follow the
    files as in a single process. Search indexes the documents once per INDEX_BATCH of them.

    `progress` is called after each file; a KeyboardInterrupt raised there or during a file
    (whose transaction then rolls back) ends the run cleanly, as does `stop_requested()`
    returning true between files. The summary says how far it got.
    """
    if kind not in KINDS:
        raise ImportSetupError(f"Unknown kind {kind!r}: use incoming or outgoing.")
    paths = list(files) if files is not None else import_candidates(root)
    summary = ImportSummary(found=len(paths))
    known = KnownContents.of_agency(user.unit.agency_id) if workers > 1 else None
    # Every temporary copy of the run is made in this folder, removed with whatever a stopped
    # or failed run left in it (a file prepared by a worker and never registered).
    spool = tempfile.TemporaryDirectory(prefix="edoc-import-")
    prepared_files = _prepared_in_order(
        paths,
        root=root,
        agency_id=user.unit.agency_id,
        workers=workers,
        known=known,
        spool_directory=spool.name,
    )
    catalogs = import_catalogs()
    with spool, document_batches() as batch_end:
        try:
            for prepared in prepared_files:
                if stop_requested and stop_requested():
                    prepared.close()
                    summary.interrupted = True
                    break
                try:
                    outcome = _register_one(
                        prepared,
                        user=user,
                        kind=kind,
                        book=book,
                        start_processes=start_processes,
                        catalogs=catalogs,
                        known=known,
                    )
                finally:
                    prepared.close()
                summary.outcomes.append(outcome)
                if len(summary.outcomes) % INDEX_BATCH == 0:
                    batch_end()
                if progress:
                    progress(outcome)
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            prepared_files.close()  # stops the workers
    return summary


def _register_one(prepared: PreparedFile, **options: Any) -> ImportOutcome:
    try:
        return register_prepared(prepared, **options)
    except Exception as error:  # noqa: BLE001 - one bad file must not stop the run
        logger.exception("import of %s failed", prepared.path)
        return ImportOutcome(
            prepared.path, FAILED, reason=f"unexpected error: {type(error).__name__}: {error}"
        )
