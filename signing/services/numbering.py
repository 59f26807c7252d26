"""The number and issue date written into the prepared fields of a signed document."""

from __future__ import annotations

import datetime
import io

from django.db import transaction
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError

from edoc.models import Document, DocumentEvent, DocumentFile, User
from edoc.pdfcheck import pdf_has_trailer
from edoc.services.audit import audit_record
from signing import fields as pdf_fields
from signing.services.pdf import open_writer
from signing.services.versions import source_file, store_version


def date_line(place: str, day: datetime.date) -> str:
    """ "Đồng Nai, ngày 05 tháng 3 năm 2026": days below 10 and months 1-2 take a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _has_empty_number_fields(content: bytes) -> bool:
    if not pdf_has_trailer(content):
        return False
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    except (PdfReadError, ValueError, KeyError, TypeError):
        return False
    names = pdf_fields.field_names(writer.prev)
    return names.get(pdf_fields.NUMBER_FIELD) is False and names.get(pdf_fields.DATE_FIELD) is False


def fill_number_fields(
    document: Document, number_text: str, date_text: str, *, user: User | None = None
) -> DocumentFile | None:
    """Write the number and the issue date into the prepared fields of the document's latest
    file, as a new version (form filling only: the signatures stay valid). None when the file
    has no such empty fields (not prepared for signing, or already numbered)."""
    user = user or document.issued_by
    source, content = source_file(document)
    if not _has_empty_number_fields(content):
        return None
    writer = open_writer(content)
    pdf_fields.fill_text_fields(
        writer, {pdf_fields.NUMBER_FIELD: number_text, pdf_fields.DATE_FIELD: date_text}
    )
    output = io.BytesIO()
    writer.write(output)
    with transaction.atomic():
        version = store_version(
            document=document,
            source=source,
            content=output.getvalue(),
            user=user,
            comment=_("number and issue date filled in: %(number)s") % {"number": number_text},
        )
        DocumentEvent.objects.create(
            document=document,
            action=DocumentEvent.Action.FILE_ADDED,
            actor=user,
            comment=f"v{version.version}: {number_text}",
        )
        audit_record(
            actor=user,
            action="signing.number_fill",
            target=document,
            details={
                "number": number_text,
                "date": date_text,
                "source_version": source.version,
                "version": version.version,
                "sha256": version.sha256,
            },
        )
    return version
