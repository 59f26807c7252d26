"""Explicit access to a document: given by someone who may, or to a process's participant."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edoc.models import Document, DocumentEvent, User
from edoc.selectors.access import Actor, can_grant
from edoc.services.audit import audit_record
from edoc.services.documents.common import event_record, grant_get_or_create
from edoc.text import nfc_inputs


def _grant_audited(document: Document, user: User, granted_by: User, reason: str) -> None:
    """An explicit grant someone gave, audited as "document.grant"."""
    grant_get_or_create(document, user, granted_by, reason)
    audit_record(
        actor=granted_by,
        action="document.grant",
        target=document,
        details={"grantee": user.username, "reason": reason},
    )


@transaction.atomic
def document_grant_participant(
    *, document: Document, user: User, granted_by: User, reason: str
) -> bool:
    """Let someone a process puts to work on the document read it (a step's assignee or group
    member who would not see it by position). Returns True when a grant was added."""
    if document.grants.filter(user=user).exists():
        return False
    from edoc.selectors.access import visible_documents

    if not document.is_confidential and visible_documents(user).filter(pk=document.pk).exists():
        return False
    _grant_audited(document, user, granted_by, reason)
    return True


@nfc_inputs
@transaction.atomic
def document_grant(*, user: User, document: Document, grantee: User, reason: str = "") -> None:
    """Give one user explicit access (the only way into a confidential document); who may is
    `edoc.selectors.access.can_grant`."""
    if not can_grant(user, document):
        raise PermissionDenied(_("You may not grant access to this document."))
    if not grantee.unit_id or grantee.unit.agency_id != document.agency_id:
        raise ValidationError(_("Access can only be granted to staff of the agency."))
    _grant_audited(document, grantee, user, reason)
    event_record(document, Actor(user), DocumentEvent.Action.GRANTED, comment=str(grantee))
