"""The text of stored file versions: read once, stored once (`FileText`), announced once.

- `file_text_store`: an uploaded version takes the text the upload's one reading already has
  (`ValidatedPdf.text`, read before the registration's transaction), in that transaction: the
  index written when it commits already holds the text. Pages without a text layer are read by
  OCR after the commit (`file_text_ocr`, on the background thread in the embedded mode).
- `document_file_copy` / `file_text_copy`: a version the system makes from another with the
  same pages (signed, numbered, an internal recipient's copy) takes its source's text instead
  of reading it again.
- `file_text_extract`: the late path, from the stored file: a file too long to read in the
  request, a copy whose source was not read yet, and `search_reindex --extract`.

Every later change of a stored text is announced with `edoc.signals.file_text_changed`
(search reindexes the document); a text stored with its version needs no announcement (the
version's own transaction is announced).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import Document, DocumentFile, FileText, User
from edoc.pdfium import PdfSource
from edoc.pdftext import PdfText, ocr_cache_put, ocr_pages, pdf_text_read
from edoc.services.files import FileIntegrityError, file_verified_copy
from edoc.signals import file_text_changed

logger = logging.getLogger(__name__)


def file_text_store(document_file: DocumentFile, text: PdfText) -> FileText:
    """Store the text read from the upload with its new version (call inside the transaction
    that records the version). An upload read only in part (longer than the request reads) is
    read again from storage after the commit."""
    if not text.complete:
        record = FileText.objects.create(file=document_file, pages=len(text.pages))
        _after_commit_extract(document_file.pk)
        return record
    if text.ocr:  # pages the proposal read by OCR (e.g. in an import worker): not read again
        ocr_cache_put(document_file.sha256, text.ocr)
    state = FileText.State.OCR if text.scanned_pages else FileText.State.DONE
    record = FileText.objects.create(
        file=document_file,
        state=state,
        pdf_text=text.layer_text,
        pages=len(text.pages),
        text_seconds=text.text_seconds,
    )
    if state == FileText.State.OCR:
        _after_commit_ocr(document_file.pk)
    return record


def document_file_copy(
    source: DocumentFile, *, document: Document, version: int, user: User, comment: str = ""
) -> DocumentFile:
    """Version `version` of `document` holding the same stored file as `source` (the bytes are
    content-addressed, not copied), with its text. Call inside the recording transaction."""
    copied = DocumentFile.objects.create(
        document=document,
        version=version,
        file=source.file.name,
        original_name=source.original_name,
        size=source.size,
        sha256=source.sha256,
        page_count=source.page_count,
        active_content=source.active_content,
        comment=comment,
        uploaded_by=user,
    )
    file_text_copy(source, copied)
    return copied


def file_text_copy(source: DocumentFile, target: DocumentFile) -> None:
    """Give `target` (same pages as `source`) its source's text; when the source has none yet,
    read the target's file after the commit. Call inside the transaction recording `target`."""
    text = FileText.objects.filter(file=source).first()
    if text is None or text.state not in (FileText.State.DONE, FileText.State.OCR):
        FileText.objects.create(file=target, pages=target.page_count or 0)
        _after_commit_extract(target.pk)
        return
    FileText.objects.create(
        file=target,
        state=text.state,
        error=text.error,
        pdf_text=text.pdf_text,
        ocr_text=text.ocr_text,
        pages=text.pages,
        ocr_pages=text.ocr_pages,
        text_seconds=text.text_seconds,
        ocr_seconds=text.ocr_seconds,
    )
    if text.state == FileText.State.OCR:
        _after_commit_ocr(target.pk)


def _after_commit_extract(document_file_id: int) -> None:
    from edoc.tasks import file_text_extract_task

    transaction.on_commit(lambda: file_text_extract_task.delay(document_file_id))


def _after_commit_ocr(document_file_id: int) -> None:
    from edoc.background import run_later
    from edoc.tasks import file_ocr_task

    # After the response in the embedded mode (a Celery worker otherwise).
    transaction.on_commit(lambda: run_later(file_ocr_task, document_file_id))


@contextmanager
def _stored_copy(document_file: DocumentFile, text: FileText) -> Iterator[PdfSource | None]:
    """The verified file (bytes, or the path of a temporary copy of a large one, removed
    after the block), or None after marking the extraction failed."""
    with ExitStack() as stack:
        try:
            content = stack.enter_context(file_verified_copy(document_file))
        except (FileIntegrityError, OSError) as exc:
            _fail(text, exc)
            content = None
        yield content


def _fail(text: FileText, exc: Exception) -> str:
    FileText.objects.filter(pk=text.pk).update(
        state=FileText.State.FAILED, error=str(exc)[:2000], updated_at=timezone.now()
    )
    logger.warning("Text extraction of file %s failed: %s", text.file_id, exc)
    return FileText.State.FAILED


def file_text_extract(document_file_id: int) -> str:
    """Read the text layer of one stored file version, store it and announce it; pages without
    a text layer are then read by the OCR task. Returns the state."""
    document_file = DocumentFile.objects.filter(pk=document_file_id).first()
    if document_file is None:
        return "missing"
    text, _created = FileText.objects.get_or_create(file=document_file)
    FileText.objects.filter(pk=text.pk).update(
        state=FileText.State.RUNNING, error="", updated_at=timezone.now()
    )
    with _stored_copy(document_file, text) as content:
        if content is None:
            return FileText.State.FAILED
        try:
            extracted = pdf_text_read(content, word_pages=())
        except (OSError, ValueError, RuntimeError) as exc:  # pypdfium2: PdfiumError
            return _fail(text, exc)
    state = FileText.State.OCR if extracted.scanned_pages else FileText.State.DONE
    FileText.objects.filter(pk=text.pk).update(
        state=state,
        pdf_text=extracted.layer_text,
        ocr_text="",
        pages=len(extracted.pages),
        ocr_pages=0,
        text_seconds=extracted.text_seconds,
        ocr_seconds=None,
        updated_at=timezone.now(),
    )
    file_text_changed.send(sender=FileText, document_file=document_file)
    if state == FileText.State.OCR:
        from edoc.background import run_later
        from edoc.tasks import file_ocr_task

        run_later(file_ocr_task, document_file_id)  # after the response in eager mode
    return state


def file_text_ocr(document_file_id: int) -> str:
    """OCR the pages of one file version that have no text layer (at most
    SEARCH_OCR_MAX_PAGES; pages the proposal already read come from the cache), store the text
    beside the file (the PDF is never rewritten) and announce it. Returns the state; any
    failure is recorded on it."""
    text = FileText.objects.select_related("file").filter(file_id=document_file_id).first()
    if text is None or text.state != FileText.State.OCR:
        return text.state if text else "missing"
    try:
        with _stored_copy(text.file, text) as content:
            if content is None:
                return FileText.State.FAILED
            extracted = pdf_text_read(content, word_pages=())
            limit = settings.SEARCH_OCR_MAX_PAGES
            scanned = extracted.scanned_pages
            extracted.ocr_skipped = scanned[limit:]
            ocr_pages(content, extracted, scanned[:limit], sha256=text.file.sha256)
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
                    "limit": limit,
                }
            )
        FileText.objects.filter(pk=text.pk).update(
            state=FileText.State.DONE,
            error=" ".join(notes)[:2000],
            ocr_text=unicodedata.normalize("NFC", extracted.ocr_text),
            ocr_pages=len([page for page in extracted.ocr.values() if page.text]),
            ocr_seconds=extracted.ocr_seconds,
            updated_at=timezone.now(),
        )
        file_text_changed.send(sender=FileText, document_file=text.file)
    except Exception as exc:  # noqa: BLE001 - a background job: the failure is shown on the page
        return _fail(text, exc)
    return FileText.State.DONE


def extract_missing_texts(*, show_progress: bool = False) -> int:
    """Extract (and OCR) every file version without finished text; returns how many."""
    from tqdm import tqdm

    done = FileText.objects.filter(state=FileText.State.DONE).values("file_id")
    pending = list(
        DocumentFile.objects.exclude(pk__in=done).order_by("pk").values_list("pk", flat=True)
    )
    for file_id in tqdm(pending, unit="file", disable=not show_progress, desc="text"):
        file_text_extract(file_id)
    return len(pending)
