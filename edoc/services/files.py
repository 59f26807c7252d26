"""Validate and store uploaded PDF files (content-addressed, SHA-256 checked on download).

A large upload is never held whole in memory: it is copied in chunks to a temporary file (its
SHA-256 computed on the way), checked and read from there (PDFium opens the path and reads on
demand), and stored from the file. Small ones stay in memory (IN_MEMORY_BYTES).
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from edoc.models import DocumentFile
from edoc.models.documents import blob_name
from edoc.pdfcheck import PdfProblem, pdf_inspect
from edoc.pdfium import PdfSource
from edoc.pdftext import PdfText, pdf_text_read

PDF_MAGIC = b"%PDF-"
#: Files up to this many pages are read whole while the upload is handled (a few ms a page), so
#: the version is stored and indexed with its text; longer ones after the commit, from storage.
TEXT_IN_REQUEST_PAGES = 100
#: Uploads up to this size are kept in memory; larger ones go to a temporary file.
IN_MEMORY_BYTES = 4 * 1024 * 1024
#: Files are copied and hashed this many bytes at a time.
COPY_CHUNK = 1024 * 1024
TEMPORARY_PREFIX = "edoc-upload-"


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


#: The temporary files made by this thread since its request started, removed when the request
#: is finished (the garbage collector, which removes them too, may come much later: a DRF
#: request and its view refer to each other).
_request_files = threading.local()


def request_files_start(**kwargs: Any) -> None:
    """request_started receiver: files made before this request are not its to remove."""
    _request_files.pdfs = weakref.WeakSet()


def request_files_close(**kwargs: Any) -> None:
    """request_finished receiver: remove the temporary files of the uploads this thread
    validated while handling the request."""
    pdfs = getattr(_request_files, "pdfs", None)
    if pdfs:
        for pdf in list(pdfs):
            pdf.close()
        pdfs.clear()


class ValidatedPdf:
    """An uploaded PDF that passed every check, until it is stored: its bytes in memory (a
    small file) or in a temporary file, `path`, which is removed by `close()` or when the
    object is let go. Readers that take a path or bytes use `source`; `content` reads the
    whole file into memory, for the callers that need bytes (never the import path)."""

    def __init__(
        self,
        content: bytes | None = None,
        name: str = "",
        sha256: str = "",
        page_count: int = 0,
        active_content: tuple[str, ...] = (),  # edoc.pdfcheck kinds: "javascript" …
        *,
        path: Path | None = None,
        size: int | None = None,
    ):
        if (content is None) == (path is None):
            raise ValueError("a ValidatedPdf holds either its content or the path of its file")
        self._content = content
        self.path = path
        self.name = name
        self.sha256 = sha256 or hashlib.sha256(content or b"").hexdigest()
        self.page_count = page_count
        self.active_content = tuple(active_content)
        self.size = len(content) if content is not None else (size or path.stat().st_size)
        self._finalizer = weakref.finalize(self, _unlink, path) if path is not None else None
        if path is not None and getattr(_request_files, "pdfs", None) is not None:
            _request_files.pdfs.add(self)

    @property
    def source(self) -> PdfSource:
        """What PDFium and the checks read: the bytes, or the temporary file's path."""
        return self._content if self._content is not None else self.path

    @property
    def content(self) -> bytes:
        """The whole file as bytes (read from the temporary file each time it is asked for)."""
        return self._content if self._content is not None else self.path.read_bytes()

    def stream(self) -> IO[bytes]:
        """The file opened for reading (the caller closes it)."""
        return io.BytesIO(self._content) if self._content is not None else self.path.open("rb")

    def close(self) -> None:
        """Remove the temporary file (nothing for a file in memory); idempotent."""
        if self._finalizer is not None:
            self._finalizer()

    def __enter__(self) -> ValidatedPdf:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __copy__(self) -> ValidatedPdf:
        return self  # one file, one owner: a copy is the same upload

    def __deepcopy__(self, memo: dict) -> ValidatedPdf:
        return self

    def __getstate__(self) -> dict[str, Any]:
        """Pickled to hand the file to another process (an import worker hands it to the
        process that registers it): from then on the receiver removes the temporary file."""
        if self._finalizer is not None:
            self._finalizer.detach()
        return {key: value for key, value in self.__dict__.items() if key != "_finalizer"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        path = self.path
        self._finalizer = weakref.finalize(self, _unlink, path) if path is not None else None

    def __repr__(self) -> str:
        where = str(self.path) if self.path is not None else "memory"
        return f"<ValidatedPdf {self.name!r} {self.size} bytes in {where}>"

    @functools.cached_property
    def text(self) -> PdfText:
        """The one reading of the file's text (`edoc.pdftext`): every page's text layer (the
        first and last pages only beyond TEXT_IN_REQUEST_PAGES) and the words of the first and
        last pages, from which the metadata proposal is made. Read on first use, kept."""
        whole = self.page_count <= TEXT_IN_REQUEST_PAGES
        try:
            return pdf_text_read(self.source, text_pages=None if whole else "ends")
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


def _copy_hashing(
    source: IO[bytes], target: IO[bytes], *, limit: int | None = None, first: bytes = b""
) -> tuple[str, int]:
    """Copy `source` (after `first`, already read from it) to `target` COPY_CHUNK at a time;
    its SHA-256 and size. UploadProblem("too_large") beyond `limit` bytes."""
    digest, size = hashlib.sha256(first), len(first)
    target.write(first)
    while chunk := source.read(COPY_CHUNK):
        size += len(chunk)
        if limit is not None and size > limit:
            raise UploadProblem("too_large")
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest(), size


def upload_spool(
    upload: IO[bytes], *, limit: int, directory: str | Path | None = None
) -> ValidatedPdf:
    """The upload's bytes, not yet checked: in memory up to IN_MEMORY_BYTES, otherwise copied
    to a temporary file (in `directory`, default the system's) and hashed on the way, never
    more than `limit` + 1 bytes read. UploadProblem when it is larger than `limit` or empty;
    no temporary file is left behind then."""
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise UploadProblem("too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    first = upload.read(min(IN_MEMORY_BYTES, limit) + 1)
    if not first:
        raise UploadProblem("empty")
    if len(first) <= min(IN_MEMORY_BYTES, limit):
        return ValidatedPdf(content=first)
    if len(first) > limit:
        raise UploadProblem("too_large")
    handle, name = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=".pdf", dir=directory)
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as target:
            sha256, size = _copy_hashing(upload, target, limit=limit, first=first)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return ValidatedPdf(path=path, sha256=sha256, size=size)


def _file_head(pdf: ValidatedPdf, length: int) -> bytes:
    with pdf.stream() as handle:
        return handle.read(length)


def pdf_validate(
    upload: IO[bytes], name: str = "", *, spool_directory: str | Path | None = None
) -> ValidatedPdf:
    """Refuse empty, oversized, non-PDF, damaged, encrypted, too long (EDOC_MAX_PDF_PAGES) and
    too complex files with a clear message; note the active content of the others. The work
    is bounded whatever the file holds (edoc.pdfcheck), and so is the memory: a large file is
    checked from a temporary file (`upload_spool`, in `spool_directory`), removed again when
    the file is refused."""
    try:
        pdf = upload_spool(upload, limit=max_upload_bytes(), directory=spool_directory)
    except UploadProblem as problem:
        if problem.code == "empty":
            raise ValidationError(_("The file is empty."), code="empty")
        raise ValidationError(
            _("The file is larger than the %(limit)s MB limit.")
            % {"limit": settings.EDOC_MAX_UPLOAD_MB},
            code="too_large",
        )
    try:
        head = _file_head(pdf, 4096)
        if not head.lstrip()[:1024].startswith(PDF_MAGIC) and PDF_MAGIC not in head[:1024]:
            raise ValidationError(_("The file is not a PDF document."), code="not_pdf")
        try:
            inspection = pdf_inspect(pdf.source, max_pages=settings.EDOC_MAX_PDF_PAGES)
        except PdfProblem as problem:
            raise ValidationError(problem.message, code=problem.code)
    except BaseException:
        pdf.close()
        raise
    pdf.name = (name or getattr(upload, "name", "") or "document.pdf")[-255:]
    pdf.page_count = inspection.page_count
    pdf.active_content = inspection.active_content
    return pdf


class StoredBlobs:
    """Writes files to storage under content-addressed names (`[(name, content), …]`, the
    content as bytes or a ValidatedPdf, streamed from its file; a name already stored is
    shared, not written again) and, when the block fails, deletes the ones this call created:
    a refused or failed write leaves no orphaned file. `names` maps each name asked for to the
    name stored."""

    def __init__(self, items: Iterable[tuple[str, bytes | ValidatedPdf]]):
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
                    stored = _storage_save(name, content)
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
        super().__init__([(self.name, pdf)])

    def __enter__(self) -> StoredBlob:
        super().__enter__()
        self.name = self.names[self.name]
        return self


def _storage_save(name: str, content: bytes | ValidatedPdf) -> str:
    if isinstance(content, bytes):
        return default_storage.save(name, ContentFile(content))
    with content.stream() as handle:  # storages read a File in chunks
        return default_storage.save(name, File(handle, name=name))


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


@contextmanager
def file_verified_copy(
    document_file: Any, *, directory: str | Path | None = None
) -> Iterator[PdfSource]:
    """The stored file for readers that take a path (PDFium, the signature count): copied
    from storage to a temporary file COPY_CHUNK at a time while its SHA-256 is computed, and
    removed when the block ends (a small file is read into memory instead). Raises
    FileIntegrityError when it no longer matches the recorded hash, before anything reads it.
    The same records as `file_read_verified` will do."""
    with default_storage.open(document_file.file.name, "rb") as stored:
        first = stored.read(IN_MEMORY_BYTES + 1)
        if len(first) <= IN_MEMORY_BYTES:
            if hashlib.sha256(first).hexdigest() != document_file.sha256:
                raise FileIntegrityError(document_file)
            yield first
            return
        handle, name = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=".pdf", dir=directory)
        path = Path(name)
        try:
            with os.fdopen(handle, "wb") as target:
                sha256, _size = _copy_hashing(stored, target, first=first)
            del first
            if sha256 != document_file.sha256:
                raise FileIntegrityError(document_file)
            yield path
        finally:
            path.unlink(missing_ok=True)
