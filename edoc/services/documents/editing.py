"""Corrections of a document's metadata: an incoming entry by its clerk, a draft by its
drafter."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edoc.models import Document, DocumentEvent, User
from edoc.selectors.access import Actor, can_register_incoming, edit_draft_actor, require
from edoc.services.audit import audit_record
from edoc.services.documents.common import Status, event_record, grant_get_or_create
from edoc.text import nfc_inputs

EDITABLE_FIELDS = (
    "document_type",
    "number",
    "notation",
    "issuer",
    "issuer_organization",
    "place",
    "issue_date",
    "subject",
    "signer_name",
    "signer_position",
    "urgency",
    "field",
    "deadline",
    "page_count",
    "note",
    "signer",
)


def _changed_fields_text(changed: dict[str, Any]) -> str:
    """The corrected fields as the timeline names them ("trích yếu, độ khẩn"), in form order."""
    labels = (
        str(Document._meta.get_field(name).verbose_name)
        for name in EDITABLE_FIELDS
        if name in changed
    )
    return ", ".join(dict.fromkeys(labels))


@nfc_inputs
@transaction.atomic
def document_update(*, user: User, document: Document, **changes: Any) -> Document:
    """Correct a document's metadata: the registering clerk for incoming, the drafter for drafts."""
    if document.direction == Document.Direction.INCOMING:
        allowed = (
            can_register_incoming(user)
            and document.owner_unit_id == user.unit_id
            and document.status != Status.COMPLETED
        )
        actor = Actor(user) if allowed else None
    else:
        actor = edit_draft_actor(user, document)
    actor = require(actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    signer = changes.get("signer")
    if signer is not None:
        if not signer.unit_id or signer.unit.agency_id != document.agency_id:
            raise ValidationError({"signer": _("The signer must work in your agency.")})
        changes.setdefault("signer_name", signer.get_full_name())
        changes.setdefault("signer_position", signer.position)
        if document.is_confidential:
            grant_get_or_create(document, signer, user, _("designated signer"))
    before = {}
    for name, value in changes.items():
        old = getattr(document, name)
        if old != value:
            before[name] = (
                str(old) if old is not None else None,
                str(value) if value is not None else None,
            )
            setattr(document, name, value)
    if not before:
        return document
    document.full_clean(exclude=["register_book", "book_number"])
    document.save()
    event_record(
        document, actor, DocumentEvent.Action.UPDATED, comment=_changed_fields_text(before)
    )
    audit_record(
        actor=user,
        on_behalf_of=actor.on_behalf_of,
        action="document.update",
        target=document,
        details={"changes": before},
    )
    return document
