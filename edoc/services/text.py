"""Full text of stored files."""

from __future__ import annotations

from django.core.files.storage import default_storage

from edoc.extraction import read_pdf_text
from edoc.models import DocumentFile


def document_file_extract_text(document_file_id: int) -> int:
    """Extract and store the text layer of one file version; returns the number of characters."""
    document_file = DocumentFile.objects.filter(pk=document_file_id).first()
    if document_file is None:
        return 0
    with default_storage.open(document_file.file.name, "rb") as handle:
        text = read_pdf_text(handle, max_pages=10_000)
    DocumentFile.objects.filter(pk=document_file_id).update(text=text)
    return len(text)
