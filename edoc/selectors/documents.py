"""Reads for lists, the pending inbox and register books; all built on `visible_documents`."""

from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import Q, QuerySet
from django.utils import timezone

from edoc.models import Assignment, Document, RegisterBook, User
from edoc.selectors.access import (
    assignable_q,
    assignment_holders_q,
    can_register_incoming,
    principals_of,
    visible_documents,
)

LIST_RELATED = (
    "document_type",
    "urgency",
    "confidentiality",
    "owner_unit",
    "register_book",
)


def document_list(user: User, *, direction: str | None = None) -> QuerySet[Document]:
    """Documents the user may see, ready for listing."""
    queryset = visible_documents(user).select_related(*LIST_RELATED)
    if direction:
        queryset = queryset.filter(direction=direction)
    return queryset.order_by("-created_at", "-pk")


@dataclass
class PendingInbox:
    """What waits for the user (văn bản chờ xử lý)."""

    tasks: list[Assignment] = field(default_factory=list)
    information: list[Assignment] = field(default_factory=list)
    to_assign: list[Document] = field(default_factory=list)
    to_issue: list[Document] = field(default_factory=list)
    returned: list[Document] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            len(self.tasks)
            + len(self.information)
            + len(self.to_assign)
            + len(self.to_issue)
            + len(self.returned)
        )


def _pending_assignments(user: User) -> QuerySet[Assignment]:
    condition = Q(pk__in=[])
    for principal in principals_of(user):
        condition |= assignment_holders_q(principal)
    visible = visible_documents(user).values("pk")
    return (
        Assignment.objects.filter(
            condition, status=Assignment.Status.PENDING, document_id__in=visible
        )
        .select_related(
            "document__document_type",
            "document__urgency",
            "document__confidentiality",
            "unit",
            "user",
            "assigned_by",
        )
        .order_by("deadline", "created_at")
    )


def _documents_to_assign(user: User) -> QuerySet[Document]:
    conditions = [c for c in map(assignable_q, principals_of(user)) if c is not None]
    if not conditions:
        return Document.objects.none()
    return document_list(user, direction=Document.Direction.INCOMING).filter(
        reduce(operator.or_, conditions), status=Document.Status.REGISTERED
    )


def pending_inbox(user: User) -> PendingInbox:
    """Everything waiting for the user, most urgent deadline first."""
    inbox = PendingInbox()
    for assignment in _pending_assignments(user):
        if assignment.role == Assignment.Role.INFORMATION:
            inbox.information.append(assignment)
        else:
            inbox.tasks.append(assignment)
    inbox.to_assign = list(_documents_to_assign(user))
    if can_register_incoming(user):
        inbox.to_issue = list(
            document_list(user, direction=Document.Direction.OUTGOING).filter(
                status=Document.Status.READY, agency_id=user.unit.agency_id
            )
        )
        inbox.returned = list(
            document_list(user, direction=Document.Direction.INCOMING).filter(
                status=Document.Status.RETURNED, owner_unit_id=user.unit_id
            )
        )
    return inbox


def pending_count(user: User) -> int:
    count = _pending_assignments(user).count() + _documents_to_assign(user).count()
    if can_register_incoming(user):
        count += (
            document_list(user, direction=Document.Direction.OUTGOING)
            .filter(status=Document.Status.READY)
            .count()
        )
        count += (
            document_list(user, direction=Document.Direction.INCOMING)
            .filter(status=Document.Status.RETURNED, owner_unit_id=user.unit_id)
            .count()
        )
    return count


def outgoing_number_preview(document: Document, issue_date: datetime.date | None = None) -> str:
    """The number and notation ("02/KH-SYT") issuing the document on `issue_date` (default:
    today) would give it now — the next number of its series' book. Takes no number: another
    issuance before it moves it on."""
    from edoc.services.documents import format_outgoing_number, outgoing_notation

    year = (issue_date or timezone.localdate()).year
    book = RegisterBook.objects.filter(
        agency_id=document.agency_id,
        unit__isnull=True,
        kind=RegisterBook.Kind.OUTGOING,
        year=year,
        is_confidential=document.is_confidential,
    ).first()
    number = (book.last_number if book is not None else 0) + 1
    return f"{format_outgoing_number(number)}/{outgoing_notation(document)}"


def is_overdue(deadline: datetime.date | None, *, today: datetime.date | None = None) -> bool:
    return bool(deadline and deadline < (today or timezone.localdate()))


def register_book_list(user: User) -> QuerySet[RegisterBook]:
    """Books whose entries the user can print: books of their agency holding visible documents."""
    if not user.is_authenticated or not user.unit_id:
        return RegisterBook.objects.none()
    visible_books = (
        visible_documents(user).filter(register_book__isnull=False).values("register_book_id")
    )
    return RegisterBook.objects.filter(
        agency_id=user.unit.agency_id, pk__in=visible_books
    ).select_related("unit")


def register_book_entries(user: User, book: RegisterBook) -> QuerySet[Document]:
    """The book's entries the user may see, in register order."""
    return (
        visible_documents(user)
        .filter(register_book=book)
        .select_related("document_type", "owner_unit")
        .prefetch_related(
            "assignments__unit", "assignments__user", "recipients__unit", "recipients__organization"
        )
        .order_by("book_number")
    )
