"""Outgoing drafts: create, recipients, file versions, submit, approve, and sent back by a
process."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edoc.models import (
    Confidentiality,
    Document,
    DocumentEvent,
    DocumentFile,
    DocumentType,
    ExternalOrganization,
    Field,
    OutgoingRecipient,
    Unit,
    Urgency,
    User,
)
from edoc.models.organisation import Role
from edoc.selectors.access import Actor, edit_draft_actor, require
from edoc.services.audit import audit_record
from edoc.services.documents.common import (
    NoBlob,
    Status,
    attach_file,
    event_record,
    grant_get_or_create,
    read_text_first,
)
from edoc.services.files import StoredBlob, ValidatedPdf
from edoc.services.numbering import registry_unit_for
from edoc.signals import document_action, document_created, under_process
from edoc.text import nfc_inputs


@nfc_inputs
def outgoing_create(
    *,
    user: User,
    subject: str,
    document_type: DocumentType,
    urgency: Urgency,
    confidentiality: Confidentiality,
    field: Field | None = None,
    signer: User | None = None,
    recipient_units: Iterable[Unit] = (),
    recipient_organizations: Iterable[ExternalOrganization] = (),
    pdf: ValidatedPdf | None = None,
    note: str = "",
) -> Document:
    """Start an outgoing draft in the user's unit."""
    if not user.unit_id:
        raise PermissionDenied(_("You are not placed in a unit."))
    if not subject:
        raise ValidationError({"subject": _("The subject (trích yếu) is required.")})
    if signer is not None and (not signer.unit_id or signer.unit.agency_id != user.unit.agency_id):
        raise ValidationError({"signer": _("The signer must work in your agency.")})
    recipient_units = list(recipient_units)
    if any(unit.agency_id != user.unit.agency_id for unit in recipient_units):
        raise ValidationError(
            {"recipient_units": _("Internal recipients must be units of your agency.")}
        )
    actor = Actor(user)
    read_text_first(pdf)
    with StoredBlob(pdf) if pdf else NoBlob() as blob, transaction.atomic():
        document = Document.objects.create(
            agency_id=user.unit.agency_id,
            direction=Document.Direction.OUTGOING,
            status=Status.DRAFT,
            owner_unit=user.unit,
            document_type=document_type,
            issuer=user.unit.agency.name,
            place=user.unit.agency.place_name,
            subject=subject,
            urgency=urgency,
            confidentiality=confidentiality,
            field=field,
            signer=signer,
            signer_name=signer.get_full_name() if signer else "",
            signer_position=signer.position if signer else "",
            note=note,
            created_by=user,
        )
        _recipients_set(document, recipient_units, recipient_organizations)
        if pdf:
            attach_file(document=document, pdf=pdf, blob=blob, user=user, first=True)
        if document.is_confidential:
            grant_get_or_create(document, user, user, _("drafted the document"))
            if signer:
                grant_get_or_create(document, signer, user, _("designated signer"))
        event_record(document, actor, DocumentEvent.Action.CREATED)
        audit_record(actor=user, action="document.create", target=document)
        document_created.send(sender=Document, document=document, user=user)
    return document


def _recipients_set(
    document: Document, units: Iterable[Unit], organizations: Iterable[ExternalOrganization]
) -> None:
    document.recipients.all().delete()
    OutgoingRecipient.objects.bulk_create(
        [OutgoingRecipient(document=document, unit=unit) for unit in units]
        + [OutgoingRecipient(document=document, organization=org) for org in organizations]
    )


@transaction.atomic
def outgoing_set_recipients(
    *,
    user: User,
    document: Document,
    units: Iterable[Unit],
    organizations: Iterable[ExternalOrganization],
) -> None:
    actor = require(edit_draft_actor(user, document))
    units = list(units)
    organizations = list(organizations)
    if any(unit.agency_id != document.agency_id for unit in units):
        raise ValidationError(
            {"recipient_units": _("Internal recipients must be units of your agency.")}
        )
    _recipients_set(document, units, organizations)
    audit_record(
        actor=user,
        on_behalf_of=actor.on_behalf_of,
        action="document.recipients",
        target=document,
        details={"units": [u.pk for u in units], "organizations": [o.pk for o in organizations]},
    )


@nfc_inputs
def document_file_add(
    *, user: User, document: Document, pdf: ValidatedPdf, comment: str = ""
) -> DocumentFile:
    """Upload a new version of an outgoing draft's file; earlier versions are kept."""
    actor = require(edit_draft_actor(user, document))
    read_text_first(pdf)
    with StoredBlob(pdf) as blob, transaction.atomic():
        Document.objects.select_for_update().filter(pk=document.pk).first()
        document_file = attach_file(
            document=document, pdf=pdf, blob=blob, user=user, comment=comment
        )
        event_record(
            document,
            actor,
            DocumentEvent.Action.FILE_ADDED,
            comment=f"v{document_file.version}: {pdf.name}",
        )
        audit_record(
            actor=user,
            on_behalf_of=actor.on_behalf_of,
            action="document.file_add",
            target=document,
            details={"version": document_file.version, "sha256": pdf.sha256, "size": pdf.size},
        )
    return document_file


@nfc_inputs
@transaction.atomic
def outgoing_submit(*, user: User, document: Document, comment: str = "") -> Document:
    """Send a draft on. Under an approval process (workflows) it goes to review, and
    `outgoing_approve` makes it ready once approved and signed; without one it is ready for
    issuance at once."""
    actor = require(edit_draft_actor(user, document))
    if not document.files.exists():
        raise ValidationError(_("Upload the document's file before submitting it."))
    if document.signer_id is None:
        raise ValidationError({"signer": _("Choose who signs the document.")})
    document.status = Status.IN_REVIEW if under_process(document) else Status.READY
    document.save(update_fields=["status", "updated_at"])
    if document.is_confidential:
        # The agency's clerks number and issue it: they need to see it.
        for clerk in agency_clerks(document.agency_id):
            grant_get_or_create(document, clerk, user, _("issues the document"))
    event_record(document, actor, DocumentEvent.Action.SUBMITTED, comment=comment)
    audit_record(
        actor=user, on_behalf_of=actor.on_behalf_of, action="document.submit", target=document
    )
    document_action.send(sender=Document, document=document, user=user, action="submit")
    return document


@nfc_inputs
@transaction.atomic
def outgoing_approve(*, user: User, document: Document, comment: str = "") -> Document:
    """The approval route is done (approved, and signed where signing applies): ready to issue.

    Called by the approval process's last step before issuance; the signing issue plugs in here.
    """
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.direction != Document.Direction.OUTGOING or document.status != Status.IN_REVIEW:
        raise ValidationError(_("Only a document under review can be approved."))
    document.status = Status.READY
    document.save(update_fields=["status", "updated_at"])
    event_record(document, Actor(user), DocumentEvent.Action.APPROVED, comment=comment)
    audit_record(actor=user, action="document.approve", target=document)
    return document


@nfc_inputs
@transaction.atomic
def document_returned_in_process(
    *,
    user: User,
    document: Document,
    reason: str,
    to_step: str,
    to_drafter: bool,
    on_behalf_of: User | None = None,
) -> Document:
    """A process step sent the document back to an earlier step (`to_step`, its name) with a
    reason; the document's timeline shows it.

    When that step is the drafting one (`to_drafter`), an outgoing document under review (or
    awaiting issuance) becomes a draft again: its drafter edits it, uploads new versions and
    submits it again. Called by the process (workflows) once the task's assignee returned it.
    """
    document = Document.objects.select_for_update().get(pk=document.pk)
    actor = Actor(user, on_behalf_of)
    reopen = (
        to_drafter
        and document.direction == Document.Direction.OUTGOING
        and document.status in (Status.IN_REVIEW, Status.READY)
    )
    if reopen:
        previous = document.status
        document.status = Status.DRAFT
        document.save(update_fields=["status", "updated_at"])
        event_record(document, actor, DocumentEvent.Action.RETURNED_FOR_CORRECTION, comment=reason)
        details = {"from_status": previous, "to_step": to_step, "reason": reason}
        action = "document.return_for_correction"
    else:
        comment = f"{to_step}: {reason}" if to_step else reason
        event_record(document, actor, DocumentEvent.Action.SENT_BACK, comment=comment)
        details = {"to_step": to_step, "reason": reason}
        action = "document.sent_back"
    audit_record(
        actor=user, on_behalf_of=on_behalf_of, action=action, target=document, details=details
    )
    return document


def agency_clerks(agency_id: int) -> list[User]:
    """Active clerks of the agency's own office (who issue outgoing documents)."""
    candidates = User.objects.filter(
        role=Role.CLERK, is_active=True, unit__agency_id=agency_id
    ).select_related("unit__parent")
    return [clerk for clerk in candidates if registry_unit_for(clerk.unit) is None]
