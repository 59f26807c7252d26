"""PDFium, one thread at a time.

PDFium (through pypdfium2) is not thread-safe: no two threads may call it at once, not even on
different documents (pypdfium2's documentation). eDoc calls it from the request thread (upload
checks, metadata proposals), from the embedded default's background thread (text layer, OCR
page rendering, edoc.background) and, under a live server, from several request threads. Two at
once corrupt PDFium's state: every later load in the process then fails with "Data format
error".

Every use therefore goes through `pdfium_document`: it holds one process-wide lock while the
document is open and closes the document (and with it its pages and text pages) before letting
go, so no PDFium object is left for the garbage collector to close on another thread. Celery
workers are separate processes, each with its own PDFium and its own lock. Keep the work inside
the block to PDFium calls; slow work on the results (Tesseract, parsing) goes after it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypdfium2 import PdfDocument

#: A PDF as its readers take it: its bytes, or the path of a file holding them (PDFium then
#: reads the file on demand instead of holding it whole).
PdfSource = bytes | Path

_LOCK = threading.RLock()


@contextmanager
def pdfium_document(content: PdfSource) -> Iterator[PdfDocument]:
    """Open `content` (bytes, or a file's path) with PDFium, holding the process-wide PDFium
    lock until the block ends and the document is closed. Raises pypdfium2's PdfiumError
    when PDFium cannot load it."""
    import pypdfium2 as pdfium

    with _LOCK:
        document = pdfium.PdfDocument(content)
        try:
            yield document
        finally:
            document.close()
