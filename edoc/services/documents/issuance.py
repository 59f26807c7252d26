"""Issuance: the Decree 30 number and notation, issuing with the internal recipients'
copies, and documents issued before eDoc recorded from an archive."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import (
    Confidentiality,
    Document,
    DocumentEvent,
    DocumentType,
    RegisterBook,
    Unit,
    Urgency,
    User,
)
from edoc.selectors.access import Actor, can_issue, internal_copy_grantees, is_agency_clerk
from edoc.services.audit import audit_record
from edoc.services.documents.common import (
    Status,
    attach_file,
    event_record,
    full_clean_new_document,
    grant_get_or_create,
    read_text_first,
)
from edoc.services.files import StoredBlob, ValidatedPdf
from edoc.services.numbering import (
    register_book_get_or_create,
    register_book_take_number,
    registry_unit_for,
)
from edoc.services.text import document_file_copy
from edoc.signals import document_action, document_created
from edoc.text import nfc_inputs


def outgoing_notation(document: Document) -> str:
    """Ký hiệu per Decree 30 Appendix I: "KH-SYT"; a Công văn gets "SYT-VP" (agency-unit)."""
    agency = document.agency.short_name
    doc_type = document.document_type
    if doc_type is None or doc_type.is_official_letter:
        unit = document.owner_unit.short_name
        return f"{agency}-{unit}" if unit else agency
    return f"{doc_type.abbreviation}-{agency}"


def format_outgoing_number(number: int) -> str:
    """Numbers below 10 are written with a leading zero (01, 02, …), as Decree 30 requires."""
    return f"{number:02d}"


@transaction.atomic
def outgoing_issue(
    *, user: User, document: Document, issue_date: datetime.date | None = None
) -> Document:
    """Number, date and issue an outgoing document; register it with internal recipients."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not can_issue(user, document):
        if document.status == Status.ISSUED:
            raise ValidationError(_("This document has already been issued."))
        raise PermissionDenied(_("Only the agency's clerk issues documents awaiting issuance."))
    issue_date = issue_date or timezone.localdate()
    book = register_book_get_or_create(
        agency=document.agency,
        unit=None,
        kind=RegisterBook.Kind.OUTGOING,
        year=issue_date.year,
        is_confidential=document.is_confidential,
    )
    document.register_book = book
    document.book_number = register_book_take_number(book)
    document.number = format_outgoing_number(document.book_number)
    document.notation = outgoing_notation(document)
    document.issue_date = issue_date
    document.issued_at = timezone.now()
    document.issued_by = user
    document.status = Status.ISSUED
    issued_file = document.latest_file()
    if issued_file is not None and issued_file.page_count:
        document.page_count = issued_file.page_count  # its details and its internal copies
    document.save()
    actor = Actor(user)
    event_record(document, actor, DocumentEvent.Action.ISSUED, comment=f"Số: {document.symbol}")
    audit_record(
        actor=user,
        action="document.issue",
        target=document,
        details={"register_book": book.pk, "number": document.number, "symbol": document.symbol},
    )
    for recipient in document.recipients.filter(unit__isnull=False).select_related("unit"):
        recipient.internal_copy = _register_internal_copy(document, recipient.unit, user)
        recipient.save(update_fields=["internal_copy"])
    document_action.send(sender=Document, document=document, user=user, action="issue")
    return document


def _register_internal_copy(source: Document, unit: Unit, user: User) -> Document:
    """The recipient unit's incoming entry for an internally issued document: like any incoming
    document it goes into the book of the year it arrives (today), whatever its issue date."""
    received_at = timezone.now()
    book = register_book_get_or_create(
        agency=source.agency,
        unit=registry_unit_for(unit),
        kind=RegisterBook.Kind.INCOMING,
        year=timezone.localdate(received_at).year,
        is_confidential=source.is_confidential,
    )
    copy = Document(
        agency=source.agency,
        direction=Document.Direction.INCOMING,
        status=Status.REGISTERED,
        owner_unit=unit,
        document_type=source.document_type,
        number=source.number,
        notation=source.notation,
        issuer=source.agency.name,
        place=source.place,
        issue_date=source.issue_date,
        subject=source.subject,
        signer_name=source.signer_name,
        signer_position=source.signer_position,
        urgency=source.urgency,
        confidentiality=source.confidentiality,
        field=source.field,
        page_count=source.page_count,
        received_at=received_at,
        source_document=source,
        created_by=user,
        register_book=book,
        book_number=register_book_take_number(book),
    )
    copy.save()
    latest = source.latest_file()
    if latest:
        document_file_copy(latest, document=copy, version=1, user=user)
    if copy.is_confidential:
        for head in internal_copy_grantees(unit):
            grant_get_or_create(copy, head, user, _("internal recipient"))
    event_record(copy, Actor(user), DocumentEvent.Action.RECEIVED_INTERNALLY, comment=source.symbol)
    document_created.send(sender=Document, document=copy, user=user)
    audit_record(
        actor=user,
        action="document.register_internal",
        target=copy,
        details={
            "source": source.pk,
            "register_book": book.pk,
            "incoming_number": copy.book_number,
        },
    )
    return copy


@nfc_inputs
def issued_document_record(
    *,
    user: User,
    pdf: ValidatedPdf,
    number: str,
    issue_date: datetime.date,
    subject: str,
    urgency: Urgency,
    confidentiality: Confidentiality,
    document_type: DocumentType | None = None,
    notation: str = "",
    place: str = "",
    signer_name: str = "",
    note: str = "",
    extraction_proposal: dict[str, Any] | None = None,
) -> Document:
    """Record a document the agency issued before eDoc (an archive imported in bulk), as
    issued, with the number and date printed on it, outside eDoc's register books (whose
    gapless counters belong to the documents eDoc numbers). The agency's clerks only."""
    if not is_agency_clerk(user):
        raise PermissionDenied(_("Only the agency's clerks record issued documents."))
    agency = user.unit.agency
    read_text_first(pdf)
    with StoredBlob(pdf) as blob, transaction.atomic():
        document = Document(
            agency=agency,
            direction=Document.Direction.OUTGOING,
            status=Status.ISSUED,
            owner_unit=user.unit,
            document_type=document_type,
            number=number,
            notation=notation,
            issuer=agency.name,
            place=place,
            issue_date=issue_date,
            subject=subject,
            signer_name=signer_name,
            urgency=urgency,
            confidentiality=confidentiality,
            page_count=pdf.page_count,
            note=note,
            extraction_proposal=extraction_proposal or {},
            created_by=user,
        )
        full_clean_new_document(document)
        document.save()
        attach_file(document=document, pdf=pdf, blob=blob, user=user, first=True)
        event_record(document, Actor(user), DocumentEvent.Action.REGISTERED, comment=pdf.name)
        audit_record(
            actor=user,
            action="document.import_issued",
            target=document,
            details={"symbol": document.symbol, "file_sha256": pdf.sha256, "file_name": pdf.name},
        )
    return document
