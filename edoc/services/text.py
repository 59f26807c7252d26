"""Full text of stored files."""

from __future__ import annotations

from django.core.files.storage import default_storage

from edoc.extraction import pdf_page_texts
from edoc.models import DocumentFile
from edoc.text import nfc


def document_file_extract_text(document_file_id: int) -> int:
    """Extract and store the text layer of one file version; returns the number of characters."""
    document_file = DocumentFile.objects.filter(pk=document_file_id).first()
    if document_file is None:
        return 0
    with default_storage.open(document_file.file.name, "rb") as handle:
        content = handle.read()
    try:
        text = nfc("\n".join(pdf_page_texts(content)))
    except (OSError, ValueError, RuntimeError):  # pypdfium2's PdfiumError is a RuntimeError
        text = ""
    DocumentFile.objects.filter(pk=document_file_id).update(text=text)
    return len(text)
