"""The edXML message an issued outgoing document sends: metadata from the registry (never from
the PDF), the issued file version as the attachment."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from connectors.edxml.builder import outgoing_attachment
from connectors.edxml.model import Business, DocumentId, Message, Organ, Staff, TraceHeader
from edoc.models import Document
from edoc.services.files import FileIntegrityError, file_read_verified

# DocumentType/Type: 1 for an administrative document (văn bản hành chính), which is every
# document eDoc issues; the type itself goes by name in TypeName.
ADMINISTRATIVE_DOCUMENT = "1"


class NotSendable(Exception):
    """A document that has no edXML message to send; the message says why (one line)."""


def document_message(document: Document) -> Message:
    """The message an issued outgoing document sends to its external recipients (those with an
    electronic identifier). Refuses a document that is not issued, has no such recipient, or
    whose file is missing or fails its integrity check."""
    if (
        document.direction != Document.Direction.OUTGOING
        or document.status != Document.Status.ISSUED
    ):
        raise NotSendable(
            _("Document %(id)s is not an issued outgoing document: only issued documents are sent.")
            % {"id": document.pk}
        )
    recipients = [
        recipient.organization
        for recipient in document.recipients.filter(organization__isnull=False)
        .select_related("organization")
        .order_by("pk")
    ]
    to = [
        Organ(
            organ_id=organization.code,
            organ_name=organization.name,
            email=organization.email or None,
        )
        for organization in recipients
        if organization.code
    ]
    if not to:
        raise NotSendable(
            _("Document %(id)s has no external recipient with an electronic identifier.")
            % {"id": document.pk}
        )
    if not (document.number and document.issue_date):
        raise NotSendable(
            _("Document %(id)s has no number or issue date to send.") % {"id": document.pk}
        )
    latest = document.latest_file()
    if latest is None:
        raise NotSendable(_("Document %(id)s has no file to send.") % {"id": document.pk})
    try:
        data = file_read_verified(latest)
    except FileIntegrityError:
        raise NotSendable(
            _("The file of document %(id)s fails its integrity check.") % {"id": document.pk}
        )
    agency = document.agency
    return Message(
        kind="document",
        sender=Organ(
            organ_id=agency.code,
            organ_name=agency.name,
            organization_in_charge=agency.parent_name or None,
        ),
        to=to,
        document_id=DocumentId(
            value=f"{agency.code},{document.issue_date:%Y/%m/%d},{document.symbol}",
            organ_id=agency.code,
            date=document.issue_date,
            code=document.symbol,
        ),
        code_number=document.number,
        code_notation=document.notation,
        promulgation_place=document.place or agency.place_name or None,
        promulgation_date=document.issue_date,
        document_type=ADMINISTRATIVE_DOCUMENT,
        document_type_name=document.document_type.name if document.document_type_id else None,
        subject=document.subject,
        signer_position=document.signer_position or None,
        signer_full_name=document.signer_name or None,
        due_date=document.deadline,
        to_places=[str(recipient) for recipient in document.recipients.order_by("pk")],
        priority=str(document.urgency.level) if document.urgency_id else None,
        page_amount=str(document.page_count) if document.page_count else None,
        steering_type="0",
        trace_headers=[
            TraceHeader(
                organ_id=agency.code,
                timestamp=timezone.localtime(document.issued_at or document.created_at).replace(
                    microsecond=0
                ),
            )
        ],
        business=Business(
            doc_type=0, doc_type_name="new", paper="0", staff=_staff(document.issued_by)
        ),
        attachments=[outgoing_attachment(latest.original_name, data, latest.content_type)],
    )


def _staff(user) -> Staff | None:
    """The clerk who issued the document (Bussiness/StaffInfo)."""
    if user is None:
        return None
    return Staff(
        department=user.unit.name if user.unit_id else None,
        staff=user.get_full_name() or user.username,
        email=user.email or None,
    )
