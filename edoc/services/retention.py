"""Destruction of records past their retention period: request → approve (or reject) →
execute, each step permission-checked and audited. Executing removes the documents' files
from storage (unless another live document shares the content-addressed blob) and their
extracted text, and leaves the registration entry with a tombstone; the audit log is never
touched, so `verify_audit` still holds."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import (
    DestructionRequest,
    Document,
    DocumentFile,
    DocumentTombstone,
    FileText,
    User,
)
from edoc.selectors.access import can_approve_destruction, can_manage_retention
from edoc.selectors.retention import destroyable
from edoc.services.audit import audit_record
from edoc.signals import document_action
from edoc.text import nfc_inputs

Status = DestructionRequest.Status


@nfc_inputs
def destruction_request_create(
    *, user: User, document_ids: list[int], reason: str, today: datetime.date | None = None
) -> DestructionRequest:
    """Propose the documents for destruction; each must be due (retention_due) and not in
    another open request."""
    if not can_manage_retention(user):
        raise PermissionDenied(_("Only the agency's records clerks propose destructions."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the destruction.")})
    ids = sorted(set(document_ids))
    if not ids:
        raise ValidationError({"documents": _("Choose at least one document.")})
    agency = user.unit.agency
    due = destroyable(agency, ids, today=today or timezone.localdate())
    not_due = [pk for pk in ids if pk not in due]
    if not_due:
        raise ValidationError(
            {
                "documents": _("These documents are not due for destruction: %(ids)s.")
                % {"ids": ", ".join(map(str, not_due))}
            }
        )
    with transaction.atomic():
        request = DestructionRequest.objects.create(agency=agency, reason=reason, requested_by=user)
        request.documents.set(ids)
        audit_record(
            actor=user,
            action="retention.destruction_request",
            target=request,
            details={"documents": ids, "reason": reason},
        )
    return request


@nfc_inputs
def destruction_request_decide(
    *, user: User, request: DestructionRequest, approve: bool, note: str = ""
) -> DestructionRequest:
    """The director approves or rejects a request awaiting approval."""
    if not can_approve_destruction(user, request.agency_id):
        raise PermissionDenied(_("Only the agency's director approves a destruction."))
    note = note.strip()
    with transaction.atomic():
        request = DestructionRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != Status.REQUESTED:
            raise ValidationError(_("This request has already been decided."))
        if request.requested_by_id == user.pk:
            raise PermissionDenied(_("A request is decided by someone other than its author."))
        if not approve and not note:
            raise ValidationError({"note": _("Give the reason for the rejection.")})
        request.status = Status.APPROVED if approve else Status.REJECTED
        request.decided_by = user
        request.decided_at = timezone.now()
        request.decision_note = note
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=user,
            action="retention.destruction_approve" if approve else "retention.destruction_reject",
            target=request,
            details={"note": note},
        )
    return request


def destruction_request_execute(*, user: User, request: DestructionRequest) -> int:
    """Destroy the documents of an approved request; returns how many. The database changes
    are one transaction; the files are removed after it commits."""
    if not can_manage_retention(user) or user.unit.agency_id != request.agency_id:
        raise PermissionDenied(_("Only the agency's records clerks carry out a destruction."))
    blobs: set[str] = set()
    with transaction.atomic():
        request = DestructionRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != Status.APPROVED:
            raise ValidationError(_("Only an approved request is carried out."))
        now = timezone.now()
        documents = list(request.documents.filter(tombstone__isnull=True).order_by("pk"))
        for document in documents:
            files = list(document.files.all())
            DocumentTombstone.objects.create(
                document=document,
                request=request,
                destroyed_at=now,
                file_hashes=[item.sha256 for item in files],
            )
            FileText.objects.filter(file__document=document).delete()
            Document.objects.filter(pk=document.pk).update(extraction_proposal={}, note="")
            blobs.update(item.file.name for item in files if item.file.name)
            document_action.send(sender=Document, document=document, user=user, action="destroy")
            audit_record(
                actor=user,
                action="document.destroy",
                target=document,
                details={"request": request.pk, "files": [item.sha256 for item in files]},
            )
        request.status = Status.EXECUTED
        request.executed_by = user
        request.executed_at = now
        request.save(update_fields=["status", "executed_by", "executed_at"])
        audit_record(
            actor=user,
            action="retention.destruction_execute",
            target=request,
            details={"documents": [document.pk for document in documents]},
        )
        # A blob another live document still holds (the same file registered twice) stays.
        shared = set(
            DocumentFile.objects.filter(
                file__in=blobs, document__tombstone__isnull=True
            ).values_list("file", flat=True)
        )
        doomed = sorted(blobs - shared)
        transaction.on_commit(lambda: _remove_blobs(doomed))
    return len(documents)


def _remove_blobs(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
