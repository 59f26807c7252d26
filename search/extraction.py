"""Text of a stored PDF file version: the text layer (pypdfium2), and Tesseract OCR (Vietnamese)
for pages without one. The PDF is only read, never rewritten: the OCR text goes to FileText."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.extraction import pdf_page_image, pdf_page_texts
from edoc.models import DocumentFile
from edoc.services.files import FileIntegrityError, file_read_verified

from .models import FileText

logger = logging.getLogger(__name__)

# A page whose text layer has fewer letters than this is treated as scanned.
MIN_LETTERS_PER_PAGE = 25
OCR_TIMEOUT_SECONDS = 180
LETTER_RE = re.compile(r"[^\W\d_]", re.UNICODE)


class OcrUnavailable(Exception):
    """Tesseract (or its Vietnamese data) is not installed."""


@dataclass
class PdfText:
    pages: list[str] = field(default_factory=list)
    ocr: dict[int, str] = field(default_factory=dict)  # page index → OCR text
    text_seconds: float = 0.0
    ocr_seconds: float = 0.0
    ocr_error: str = ""
    ocr_skipped: list[int] = field(default_factory=list)  # scanned pages beyond the OCR limit

    @property
    def scanned_pages(self) -> list[int]:
        return [i for i, text in enumerate(self.pages) if not has_text_layer(text)]


def has_text_layer(page_text: str) -> bool:
    return len(LETTER_RE.findall(page_text)) >= MIN_LETTERS_PER_PAGE


def tesseract_available() -> bool:
    """Whether the tesseract binary and the configured language data are installed."""
    binary = shutil.which("tesseract")
    if not binary:
        return False
    try:
        listed = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    languages = set(listed.stdout.split())
    return all(lang in languages for lang in settings.SEARCH_OCR_LANGUAGES.split("+"))


def ocr_page(content: bytes, index: int) -> str:
    """Render one page and read it with Tesseract (Vietnamese)."""
    import io

    binary = shutil.which("tesseract")
    if not binary:
        raise OcrUnavailable("tesseract is not installed")
    image = pdf_page_image(content, index, dpi=settings.SEARCH_OCR_DPI)
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="PNG")
    done = subprocess.run(
        [binary, "stdin", "stdout", "-l", settings.SEARCH_OCR_LANGUAGES, "--psm", "3"],
        input=buffer.getvalue(),
        capture_output=True,
        timeout=OCR_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrUnavailable(message[-1] if message else f"tesseract exit {done.returncode}")
    return done.stdout.decode("utf-8", "replace")


def read_pdf(content: bytes, *, ocr: bool = True) -> PdfText:
    """Text layer of every page, and (with ocr) the OCR of the pages without one."""
    started = time.perf_counter()
    result = PdfText(pages=pdf_page_texts(content))
    result.text_seconds = time.perf_counter() - started
    if ocr:
        ocr_pages(content, result)
    return result


def ocr_pages(content: bytes, result: PdfText, max_pages: int | None = None) -> None:
    """OCR the scanned pages of `result` in place, at most `max_pages` of them (default: the
    SEARCH_OCR_MAX_PAGES setting; the others go to result.ocr_skipped). Errors go to
    result.ocr_error."""
    import unicodedata

    limit = settings.SEARCH_OCR_MAX_PAGES if max_pages is None else max_pages
    scanned = result.scanned_pages
    scanned, result.ocr_skipped = scanned[:limit], scanned[limit:]
    if not scanned:
        return
    started = time.perf_counter()
    try:
        for index in scanned:
            result.ocr[index] = unicodedata.normalize("NFC", ocr_page(content, index)).strip()
    except (OcrUnavailable, subprocess.SubprocessError, OSError) as exc:
        result.ocr_error = str(exc)
    result.ocr_seconds = time.perf_counter() - started


def _read_stored(document_file: DocumentFile, text: FileText) -> bytes | None:
    """The verified bytes of the file, or None after marking the extraction failed."""
    try:
        return file_read_verified(document_file)
    except (FileIntegrityError, OSError) as exc:
        _fail(text, exc)
        return None


def _fail(text: FileText, exc: Exception) -> str:
    FileText.objects.filter(pk=text.pk).update(
        state=FileText.State.FAILED, error=str(exc)[:2000], updated_at=timezone.now()
    )
    logger.warning("Text extraction of file %s failed: %s", text.file_id, exc)
    return FileText.State.FAILED


def file_text_extract(document_file_id: int) -> str:
    """Store the text layer of one file version and reindex its document; pages without a text
    layer are then read by the OCR task (a Celery task of its own). Returns the state."""
    import unicodedata

    document_file = DocumentFile.objects.filter(pk=document_file_id).first()
    if document_file is None:
        return "missing"
    text, _created = FileText.objects.get_or_create(file=document_file)
    FileText.objects.filter(pk=text.pk).update(
        state=FileText.State.RUNNING, error="", updated_at=timezone.now()
    )
    content = _read_stored(document_file, text)
    if content is None:
        return FileText.State.FAILED
    try:
        extracted = read_pdf(content, ocr=False)
    except (OSError, ValueError, RuntimeError) as exc:  # pypdfium2: PdfiumError (RuntimeError)
        return _fail(text, exc)
    state = FileText.State.OCR if extracted.scanned_pages else FileText.State.DONE
    FileText.objects.filter(pk=text.pk).update(
        state=state,
        pdf_text=unicodedata.normalize("NFC", "\n\f".join(p.strip() for p in extracted.pages)),
        ocr_text="",
        pages=len(extracted.pages),
        ocr_pages=0,
        text_seconds=extracted.text_seconds,
        ocr_seconds=None,
        updated_at=timezone.now(),
    )
    from .services import index_document

    index_document(document_file.document_id)
    if state == FileText.State.OCR:
        from edoc.background import run_later

        from .tasks import file_ocr_task

        run_later(file_ocr_task, document_file_id)  # after the response in eager mode
    return state


def file_text_ocr(document_file_id: int) -> str:
    """OCR the pages of one file version that have no text layer (at most
    SEARCH_OCR_MAX_PAGES), store the text beside the file (the PDF is never rewritten) and
    reindex the document. Returns the state; any failure is recorded on it."""
    text = FileText.objects.select_related("file").filter(file_id=document_file_id).first()
    if text is None or text.state != FileText.State.OCR:
        return text.state if text else "missing"
    try:
        content = _read_stored(text.file, text)
        if content is None:
            return FileText.State.FAILED
        extracted = read_pdf(content, ocr=True)
        notes = [extracted.ocr_error] if extracted.ocr_error else []
        if extracted.ocr_skipped:
            notes.append(
                _(
                    "%(count)s scanned pages from page %(first)s on (at most %(limit)s pages "
                    "of a file are read by OCR)."
                )
                % {
                    "count": len(extracted.ocr_skipped),
                    "first": extracted.ocr_skipped[0] + 1,
                    "limit": settings.SEARCH_OCR_MAX_PAGES,
                }
            )
        FileText.objects.filter(pk=text.pk).update(
            state=FileText.State.DONE,
            error=" ".join(notes)[:2000],
            ocr_text="\n\f".join(extracted.ocr[i] for i in sorted(extracted.ocr)),
            ocr_pages=len([t for t in extracted.ocr.values() if t]),
            ocr_seconds=extracted.ocr_seconds,
            updated_at=timezone.now(),
        )
        from .services import index_document

        index_document(text.file.document_id)
    except Exception as exc:  # noqa: BLE001 - a background job: the failure is shown on the page
        return _fail(text, exc)
    return FileText.State.DONE
