"""Handling of incoming documents: assign, forward, comment, return, complete, read tracking."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import (
    Assignment,
    Delegation,
    Document,
    DocumentEvent,
    DocumentFile,
    ReadReceipt,
    Unit,
    User,
)
from edoc.models.organisation import Role
from edoc.selectors.access import (
    Actor,
    assign_actor,
    assignment_actor,
    can_register_incoming,
    require,
    visible_documents,
)
from edoc.services.audit import audit_record
from edoc.services.documents.common import (
    event_record,
    grant_get_or_create,
    handling_facts_store,
)
from edoc.services.files import FileIntegrityError, file_read_verified
from edoc.signals import document_action, under_process
from edoc.text import nfc_inputs

Status = Document.Status
ARole = Assignment.Role
AStatus = Assignment.Status


def _check_assignees(document: Document, units: Iterable[Unit], users: Iterable[User]) -> None:
    for unit in units:
        if unit.agency_id != document.agency_id:
            raise ValidationError(_("%(unit)s is not a unit of this agency.") % {"unit": unit})
    for person in users:
        if (
            not person.is_active
            or not person.unit_id
            or person.unit.agency_id != document.agency_id
        ):
            raise ValidationError(_("%(user)s cannot receive this document.") % {"user": person})


def _create_assignment(
    *,
    document: Document,
    actor: Actor,
    role: str,
    unit: Unit | None,
    user: User | None,
    deadline: datetime.date | None,
    directive: str,
    parent: Assignment | None = None,
) -> Assignment:
    assignment = Assignment.objects.create(
        document=document,
        role=role,
        unit=unit if unit is not None else (user.unit if user else None),
        user=user,
        deadline=deadline,
        directive=directive,
        parent=parent,
        assigned_by=actor.user,
        on_behalf_of=actor.on_behalf_of,
    )
    if role == ARole.LEAD and parent is None:
        handling_facts_store(document)
    if document.is_confidential:
        recipients = (
            [user] if user else list(unit.members.filter(role=Role.UNIT_HEAD, is_active=True))
        )
        for person in recipients:
            grant_get_or_create(document, person, actor.user, _("assigned"))
    return assignment


def _validate_deadline(deadline: datetime.date | None) -> None:
    if deadline and deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})


@nfc_inputs
@transaction.atomic
def document_assign(
    *,
    user: User,
    document: Document,
    lead_unit: Unit | None = None,
    lead_user: User | None = None,
    coordinator_units: Iterable[Unit] = (),
    coordinator_users: Iterable[User] = (),
    information_units: Iterable[Unit] = (),
    information_users: Iterable[User] = (),
    deadline: datetime.date | None = None,
    directive: str = "",
) -> list[Assignment]:
    """A leader assigns the lead handler, coordinators and for-information recipients."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    actor = require(assign_actor(user, document))
    if lead_unit is None and lead_user is None:
        raise ValidationError({"lead": _("Choose the lead handler (a unit or a person).")})
    if document.assignments.filter(role=ARole.LEAD, status=AStatus.PENDING).exists():
        raise ValidationError({"lead": _("This document already has a lead handler.")})
    _validate_deadline(deadline)
    groups = {
        ARole.COORDINATOR: (list(coordinator_units), list(coordinator_users)),
        ARole.INFORMATION: (list(information_units), list(information_users)),
    }
    all_units = [u for units, _users in groups.values() for u in units] + (
        [lead_unit] if lead_unit else []
    )
    all_users = [p for _units, users in groups.values() for p in users] + (
        [lead_user] if lead_user else []
    )
    _check_assignees(document, all_units, all_users)

    created = [
        _create_assignment(
            document=document,
            actor=actor,
            role=ARole.LEAD,
            unit=lead_unit,
            user=lead_user,
            deadline=deadline,
            directive=directive,
        )
    ]
    for role, (units, users) in groups.items():
        for unit in units:
            created.append(
                _create_assignment(
                    document=document,
                    actor=actor,
                    role=role,
                    unit=unit,
                    user=None,
                    deadline=deadline if role == ARole.COORDINATOR else None,
                    directive=directive,
                )
            )
        for person in users:
            created.append(
                _create_assignment(
                    document=document,
                    actor=actor,
                    role=role,
                    unit=None,
                    user=person,
                    deadline=deadline if role == ARole.COORDINATOR else None,
                    directive=directive,
                )
            )
    document.status = Status.IN_PROGRESS
    document.deadline = deadline or document.deadline
    document.save(update_fields=["status", "deadline", "updated_at"])
    # The assignments themselves are shown beside the timeline; the event keeps the directive.
    event_record(document, actor, DocumentEvent.Action.ASSIGNED, comment=directive)
    audit_record(
        actor=user,
        on_behalf_of=actor.on_behalf_of,
        action="document.assign",
        target=document,
        details={
            "assignments": [
                {"id": a.pk, "role": a.role, "unit": a.unit_id, "user": a.user_id} for a in created
            ],
            "deadline": deadline.isoformat() if deadline else None,
        },
    )
    document_action.send(sender=Document, document=document, user=user, action="assign")
    return created


def _lock_assignment(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("document", "unit", "user")
        .get(pk=assignment.pk)
    )


@nfc_inputs
@transaction.atomic
def assignment_forward(
    *,
    user: User,
    assignment: Assignment,
    to_user: User | None = None,
    to_unit: Unit | None = None,
    deadline: datetime.date | None = None,
    directive: str = "",
) -> Assignment:
    """Pass one's assignment on (a unit head to a specialist, for example), same role."""
    assignment = _lock_assignment(assignment)
    actor = assignment_actor(user, assignment)
    if actor is None:
        raise _closed_or_forbidden(assignment)
    if to_user is None and to_unit is None:
        raise ValidationError({"to": _("Choose whom to forward to.")})
    document = assignment.document
    _check_assignees(document, [to_unit] if to_unit else [], [to_user] if to_user else [])
    _validate_deadline(deadline)
    if deadline and assignment.deadline and deadline > assignment.deadline:
        raise ValidationError(
            {
                "deadline": _(
                    "The deadline cannot be later than the one you were given (%(date)s)."
                )
                % {"date": assignment.deadline.strftime("%d/%m/%Y")}
            }
        )
    child = _create_assignment(
        document=document,
        actor=actor,
        role=assignment.role,
        unit=to_unit,
        user=to_user,
        deadline=deadline or assignment.deadline,
        directive=directive,
        parent=assignment,
    )
    _close(assignment, actor, AStatus.FORWARDED)
    event_record(
        document,
        actor,
        DocumentEvent.Action.FORWARDED,
        comment=f"{child.assignee_label}: {directive}".rstrip(": "),
        assignment=child,
    )
    audit_record(
        actor=user,
        on_behalf_of=actor.on_behalf_of,
        action="assignment.forward",
        target=document,
        details={
            "from": assignment.pk,
            "to": child.pk,
            "to_user": child.user_id,
            "to_unit": child.unit_id,
        },
    )
    document_action.send(
        sender=Document, document=document, user=user, action="forward", assignment=assignment
    )
    return child


def _close(assignment: Assignment, actor: Actor, status: str) -> None:
    assignment.status = status
    assignment.closed_at = timezone.now()
    assignment.closed_by = actor.user
    assignment.save(update_fields=["status", "closed_at", "closed_by"])


def _closed_or_forbidden(assignment: Assignment) -> Exception:
    if assignment.status != AStatus.PENDING:
        return ValidationError(
            _("This task has already been handled (%(status)s).")
            % {"status": assignment.get_status_display()},
            code="already_done",
        )
    return PermissionDenied(_("This task is not yours."))


@nfc_inputs
@transaction.atomic
def assignment_complete(*, user: User, assignment: Assignment, comment: str = "") -> Assignment:
    """Finish one's part. When the lead handler finishes, the document is complete — unless a
    handling process governs it, whose last step completes it (`document_complete`)."""
    assignment = _lock_assignment(assignment)
    actor = assignment_actor(user, assignment)
    if actor is None:
        raise _closed_or_forbidden(assignment)
    document = Document.objects.select_for_update().get(pk=assignment.document_id)
    _close(assignment, actor, AStatus.COMPLETED)
    if assignment.role == ARole.LEAD and not under_process(document):
        document.status = Status.COMPLETED
        document.save(update_fields=["status", "updated_at"])
    event_record(
        document, actor, DocumentEvent.Action.COMPLETED, comment=comment, assignment=assignment
    )
    audit_record(
        actor=user,
        on_behalf_of=actor.on_behalf_of,
        action="assignment.complete",
        target=document,
        details={"assignment": assignment.pk, "role": assignment.role},
    )
    document_action.send(
        sender=Document, document=document, user=user, action="handle", assignment=assignment
    )
    return assignment


@nfc_inputs
@transaction.atomic
def document_complete(*, user: User, document: Document, comment: str = "") -> Document:
    """Close the handling of an incoming document (the handling process's approval step):
    pending lead and coordinating assignments are closed and the document is complete."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.direction != Document.Direction.INCOMING or document.status != Status.IN_PROGRESS:
        raise ValidationError(_("Only a document in progress can be completed."))
    if not visible_documents(user).filter(pk=document.pk).exists():
        raise PermissionDenied
    actor = Actor(user)
    for pending in document.assignments.filter(status=AStatus.PENDING).exclude(
        role=ARole.INFORMATION
    ):
        _close(pending, actor, AStatus.COMPLETED)
    document.status = Status.COMPLETED
    document.save(update_fields=["status", "updated_at"])
    event_record(document, actor, DocumentEvent.Action.COMPLETED, comment=comment)
    audit_record(actor=user, action="document.complete", target=document)
    document_action.send(sender=Document, document=document, user=user, action="complete")
    return document


@nfc_inputs
@transaction.atomic
def assignment_return(*, user: User, assignment: Assignment, reason: str) -> Document:
    """The lead handler sends the document back to the clerk (wrong addressee, incomplete…)."""
    if not reason:
        raise ValidationError({"reason": _("Say why the document is returned.")})
    assignment = _lock_assignment(assignment)
    actor = assignment_actor(user, assignment)
    if actor is None:
        raise _closed_or_forbidden(assignment)
    if assignment.role != ARole.LEAD:
        raise ValidationError(_("Only the lead handler can return a document to the clerk."))
    document = Document.objects.select_for_update().get(pk=assignment.document_id)
    for pending in document.assignments.filter(status=AStatus.PENDING):
        _close(
            pending, actor, AStatus.RETURNED if pending.pk == assignment.pk else AStatus.CANCELLED
        )
    document.status = Status.RETURNED
    document.save(update_fields=["status", "updated_at"])
    event_record(
        document, actor, DocumentEvent.Action.RETURNED, comment=reason, assignment=assignment
    )
    audit_record(
        actor=user,
        on_behalf_of=actor.on_behalf_of,
        action="document.return",
        target=document,
        details={"assignment": assignment.pk, "reason": reason},
    )
    return document


@nfc_inputs
@transaction.atomic
def assignment_reopen_lead(*, user: User, document: Document, reason: str) -> list[Assignment]:
    """The reviewer sends the lead handler's result back (the handling process returned to its
    handling step): the lead assignments completed since are pending again, for the handler to
    correct their result. Nothing changes for an assignment that is not completed."""
    if not visible_documents(user).filter(pk=document.pk).exists():
        raise PermissionDenied
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status != Status.IN_PROGRESS:
        raise ValidationError(_("Only a document in progress can go back to its handler."))
    reopened = list(
        document.assignments.select_for_update().filter(role=ARole.LEAD, status=AStatus.COMPLETED)
    )
    for assignment in reopened:
        assignment.status = AStatus.PENDING
        assignment.closed_at = None
        assignment.closed_by = None
        assignment.save(update_fields=["status", "closed_at", "closed_by"])
    audit_record(
        actor=user,
        action="assignment.reopen",
        target=document,
        details={"assignments": [assignment.pk for assignment in reopened], "reason": reason},
    )
    return reopened


@nfc_inputs
@transaction.atomic
def incoming_resubmit(*, user: User, document: Document, comment: str = "") -> Document:
    """The clerk sends a returned document back to the leaders for assignment."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not (
        can_register_incoming(user)
        and document.owner_unit_id == user.unit_id
        and document.status == Status.RETURNED
    ):
        raise PermissionDenied(_("Only the registering clerk can resubmit a returned document."))
    document.status = Status.REGISTERED
    document.save(update_fields=["status", "updated_at"])
    event_record(document, Actor(user), DocumentEvent.Action.REGISTERED, comment=comment)
    audit_record(actor=user, action="document.resubmit", target=document)
    return document


@nfc_inputs
@transaction.atomic
def document_comment(*, user: User, document: Document, comment: str) -> DocumentEvent:
    """Add an opinion to the timeline of a document the user can see."""
    if not visible_documents(user).filter(pk=document.pk).exists():
        raise PermissionDenied
    if not comment:
        raise ValidationError({"comment": _("Write a comment.")})
    actor = Actor(user)
    event = DocumentEvent.objects.create(
        document=document, action=DocumentEvent.Action.COMMENTED, actor=user, comment=comment
    )
    audit_record(actor=actor.user, action="document.comment", target=document)
    return event


@transaction.atomic
def document_mark_read(
    *,
    user: User,
    document: Document,
    action: str = "document.view",
    details: dict[str, Any] | None = None,
) -> None:
    """Record that `user` opened the document (read tracking + audit); close their
    for-information assignments."""
    now = timezone.now()
    updated = ReadReceipt.objects.filter(document=document, user=user).update(
        last_read_at=now, read_count=F("read_count") + 1
    )
    if not updated:
        ReadReceipt.objects.create(
            document=document, user=user, first_read_at=now, last_read_at=now
        )
    info = document.assignments.filter(role=ARole.INFORMATION, status=AStatus.PENDING).filter(
        user=user
    ) | document.assignments.filter(
        role=ARole.INFORMATION, status=AStatus.PENDING, user__isnull=True, unit_id=user.unit_id
    )
    info.update(status=AStatus.COMPLETED, closed_at=now, closed_by=user)
    audit_record(actor=user, action=action, target=document, details=details)


def document_file_download(*, user: User, document_file: DocumentFile) -> bytes:
    """The stored bytes of one file version, checked against their SHA-256 and recorded as a
    read ("document.download").

    A missing or altered file is recorded ("document.file_integrity_failure") and raises
    FileIntegrityError: its bytes are never handed out.
    """
    document = document_file.document
    if not visible_documents(user).filter(pk=document.pk).exists():
        raise PermissionDenied
    details = {
        "file": document_file.pk,
        "version": document_file.version,
        "sha256": document_file.sha256,
    }
    try:
        content = file_read_verified(document_file)
    except (FileIntegrityError, OSError) as exc:
        audit_record(
            actor=user, action="document.file_integrity_failure", target=document, details=details
        )
        raise FileIntegrityError(document_file) from exc
    document_mark_read(user=user, document=document, action="document.download", details=details)
    return content


@nfc_inputs
@transaction.atomic
def delegation_create(
    *,
    user: User,
    delegate: User,
    start_date: datetime.date,
    end_date: datetime.date,
    reason: str = "",
) -> Delegation:
    """A leader delegates their handling to another user for a date range."""
    if not user.can_assign:
        raise PermissionDenied(_("Only leaders can delegate their handling."))
    if delegate.pk == user.pk:
        raise ValidationError({"delegate": _("You cannot delegate to yourself.")})
    if not delegate.unit_id or delegate.unit.agency_id != user.unit.agency_id:
        raise ValidationError({"delegate": _("The delegate must work in your agency.")})
    if end_date < start_date:
        raise ValidationError({"end_date": _("The end date is before the start date.")})
    delegation = Delegation.objects.create(
        delegator=user, delegate=delegate, start_date=start_date, end_date=end_date, reason=reason
    )
    audit_record(
        actor=user,
        action="delegation.create",
        target=delegation,
        details={"delegate": delegate.username, "from": str(start_date), "to": str(end_date)},
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, user: User, delegation: Delegation) -> Delegation:
    if delegation.delegator_id != user.pk and user.role != Role.ADMIN:
        raise PermissionDenied(_("Only the delegator can revoke a delegation."))
    if delegation.revoked_at is None:
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit_record(actor=user, action="delegation.revoke", target=delegation)
    return delegation


__all__ = [
    "assignment_complete",
    "assignment_forward",
    "assignment_reopen_lead",
    "assignment_return",
    "delegation_create",
    "delegation_revoke",
    "document_assign",
    "document_comment",
    "document_complete",
    "document_file_download",
    "document_mark_read",
    "incoming_resubmit",
]
