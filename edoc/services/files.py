"""Validate and store uploaded PDF files (content-addressed, SHA-256 checked on download)."""

from __future__ import annotations

import functools
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from edoc.models import DocumentFile
from edoc.models.documents import blob_name
from edoc.pdfcheck import PdfProblem, pdf_inspect
from edoc.pdftext import PdfText, pdf_text_read

PDF_MAGIC = b"%PDF-"
#: Files up to this many pages are read whole while the upload is handled (a few ms a page), so
#: the version is stored and indexed with its text; longer ones after the commit, from storage.
TEXT_IN_REQUEST_PAGES = 100


@dataclass(frozen=True)
class ValidatedPdf:
    """An uploaded PDF that passed every check, held in memory until it is stored."""

    content: bytes
    name: str
    sha256: str
    page_count: int
    active_content: tuple[str, ...] = ()  # edoc.pdfcheck kinds: "javascript", "embedded_files" …

    @property
    def size(self) -> int:
        return len(self.content)

    def stream(self) -> IO[bytes]:
        return io.BytesIO(self.content)

    @functools.cached_property
    def text(self) -> PdfText:
        """The one reading of the file's text (`edoc.pdftext`): every page's text layer (the
        first and last pages only beyond TEXT_IN_REQUEST_PAGES) and the words of the first and
        last pages, from which the metadata proposal is made. Read on first use, kept."""
        whole = self.page_count <= TEXT_IN_REQUEST_PAGES
        try:
            return pdf_text_read(self.content, text_pages=None if whole else "ends")
        except (OSError, ValueError, RuntimeError):  # pypdfium2's PdfiumError: nothing read
            return PdfText(pages=[""] * self.page_count, complete=False)


def max_upload_bytes() -> int:
    return settings.EDOC_MAX_UPLOAD_MB * 1024 * 1024


class UploadProblem(Exception):
    """Why an upload is refused before its content is looked at: "too_large" or "empty".
    Each caller words it for its users (a registry file, a citizen's paper)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def upload_read(upload: IO[bytes], *, limit: int) -> bytes:
    """The upload's bytes, never more than `limit` + 1 read; UploadProblem when it is larger
    than `limit` bytes or empty."""
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise UploadProblem("too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise UploadProblem("too_large")
    if not content:
        raise UploadProblem("empty")
    return content


def pdf_validate(upload: IO[bytes], name: str = "") -> ValidatedPdf:
    """Refuse empty, oversized, non-PDF, damaged, encrypted, too long (EDOC_MAX_PDF_PAGES) and
    too complex files with a clear message; note the active content of the others. The work
    is bounded whatever the file holds (edoc.pdfcheck)."""
    try:
        content = upload_read(upload, limit=max_upload_bytes())
    except UploadProblem as problem:
        if problem.code == "empty":
            raise ValidationError(_("The file is empty."), code="empty")
        raise ValidationError(
            _("The file is larger than the %(limit)s MB limit.")
            % {"limit": settings.EDOC_MAX_UPLOAD_MB},
            code="too_large",
        )
    if not content.lstrip()[:1024].startswith(PDF_MAGIC) and PDF_MAGIC not in content[:1024]:
        raise ValidationError(_("The file is not a PDF document."), code="not_pdf")
    try:
        inspection = pdf_inspect(content, max_pages=settings.EDOC_MAX_PDF_PAGES)
    except PdfProblem as problem:
        raise ValidationError(problem.message, code=problem.code)
    return ValidatedPdf(
        content=content,
        name=(name or getattr(upload, "name", "") or "document.pdf")[-255:],
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=inspection.page_count,
        active_content=inspection.active_content,
    )


class StoredBlobs:
    """Writes files to storage under content-addressed names (`[(name, content), …]`; a name
    already stored is shared, not written again) and, when the block fails, deletes the ones
    this call created: a refused or failed write leaves no orphaned file. `names` maps each
    name asked for to the name stored."""

    def __init__(self, items: Iterable[tuple[str, bytes]]):
        self.items = list(items)
        self.names: dict[str, str] = {}
        self.created: list[str] = []

    def __enter__(self) -> StoredBlobs:
        try:
            for name, content in self.items:
                if name in self.names:
                    continue
                stored = name
                if not default_storage.exists(name):
                    stored = default_storage.save(name, ContentFile(content))
                    self.created.append(stored)
                self.names[name] = stored
        except BaseException:
            self._remove()
            raise
        return self

    def _remove(self) -> None:
        for name in self.created:
            default_storage.delete(name)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._remove()


class StoredBlob(StoredBlobs):
    """Writes a validated PDF to storage (content-addressed by its SHA-256), removed again if
    the block fails; `name` is the name stored."""

    def __init__(self, pdf: ValidatedPdf):
        self.pdf = pdf
        self.name = blob_name(pdf.sha256)
        super().__init__([(self.name, pdf.content)])

    def __enter__(self) -> StoredBlob:
        super().__enter__()
        self.name = self.names[self.name]
        return self


def file_read_verified(document_file: DocumentFile) -> bytes:
    """The stored bytes; raises FileIntegrityError when they no longer match the recorded hash.

    Any stored record with a `file` and the `sha256` recorded at upload will do (a document's
    file version, a dossier's paper)."""
    with default_storage.open(document_file.file.name, "rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != document_file.sha256:
        raise FileIntegrityError(document_file)
    return content


class FileIntegrityError(Exception):
    """A stored file no longer matches the SHA-256 recorded at upload."""

    def __init__(self, document_file: Any):
        super().__init__(f"File {document_file.pk} fails its SHA-256 check")
        self.document_file = document_file
