"""Validate and store uploaded PDF files (content-addressed, SHA-256 checked on download)."""

from __future__ import annotations

import hashlib
import io
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

PDF_MAGIC = b"%PDF-"


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


def max_upload_bytes() -> int:
    return settings.EDOC_MAX_UPLOAD_MB * 1024 * 1024


def pdf_validate(upload: IO[bytes], name: str = "") -> ValidatedPdf:
    """Refuse empty, oversized, non-PDF, damaged, encrypted, too long (EDOC_MAX_PDF_PAGES) and
    too complex files with a clear message; note the active content of the others. The work
    is bounded whatever the file holds (edoc.pdfcheck)."""
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("The file is larger than the %(limit)s MB limit.")
            % {"limit": settings.EDOC_MAX_UPLOAD_MB},
            code="too_large",
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _("The file is larger than the %(limit)s MB limit.")
            % {"limit": settings.EDOC_MAX_UPLOAD_MB},
            code="too_large",
        )
    if not content:
        raise ValidationError(_("The file is empty."), code="empty")
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


class StoredBlob:
    """Writes a validated PDF to storage; remembers whether this call created it so a failed
    transaction can remove it again (no orphaned files)."""

    def __init__(self, pdf: ValidatedPdf):
        self.pdf = pdf
        self.name = blob_name(pdf.sha256)
        self.created = False

    def __enter__(self) -> StoredBlob:
        if not default_storage.exists(self.name):
            saved = default_storage.save(self.name, ContentFile(self.pdf.content))
            self.created = True
            self.name = saved
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and self.created:
            default_storage.delete(self.name)


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
