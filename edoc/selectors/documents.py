"""Reads for lists, the pending inbox and register books; all built on `visible_documents`."""

from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edoc.models import Assignment, Document, DocumentEvent, RegisterBook, User
from edoc.selectors.access import (
    assignable_q,
    assignment_holders_q,
    can_register_incoming,
    principals_of,
    visible_documents,
)
from edoc.services.numbering import registry_unit_for
from edoc.text import nfc

LIST_RELATED = (
    "document_type",
    "urgency",
    "confidentiality",
    "owner_unit",
    "register_book__unit",
    "agency",
)


# The `registry` filter value naming the agency's own register books (else a unit's id).
AGENCY_REGISTRY = "agency"


def in_registry(queryset: QuerySet[Document], registry: str) -> QuerySet[Document]:
    """Entries of one registry's books: `AGENCY_REGISTRY` for the agency's own books, else the
    id of a unit keeping its own (a hospital, a health centre)."""
    if registry == AGENCY_REGISTRY:
        return queryset.filter(register_book__isnull=False, register_book__unit__isnull=True)
    return queryset.filter(register_book__unit_id=int(registry))


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


def draft_return_event(document: Document) -> DocumentEvent | None:
    """The return that made this draft a draft again (who returned it, when, why), while it
    has not been submitted since; else None."""
    if document.status != Document.Status.DRAFT:
        return None
    latest = (
        document.events.filter(
            action__in=[
                DocumentEvent.Action.RETURNED_FOR_CORRECTION,
                DocumentEvent.Action.SUBMITTED,
            ]
        )
        .select_related("actor", "on_behalf_of")
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None or latest.action != DocumentEvent.Action.RETURNED_FOR_CORRECTION:
        return None
    return latest


# --- Likely duplicates of an incoming document, told before it is registered.

SAME_FILE, SAME_REFERENCE = "same_file", "same_reference"
DUPLICATE_REASONS = {
    SAME_FILE: _("same file"),
    SAME_REFERENCE: _("same issuer, number, notation and date"),
}


def duplicate_matches(
    *,
    agency_id: int,
    registry_unit_id: int | None,
    issuer: str = "",
    number: str = "",
    notation: str = "",
    issue_date: datetime.date | None = None,
    sha256: str | None = None,
) -> dict[int, tuple[str, ...]]:
    """Incoming entries in one registry's books (the agency's when `registry_unit_id` is None)
    that look like the same document: the same file (SHA-256), or the same issuer, number,
    notation and issue date. Their ids, oldest first, each with why. Not permission-filtered:
    for the registration's flag; people see them through `duplicate_hints`."""
    entries = Document.objects.filter(
        agency_id=agency_id,
        direction=Document.Direction.INCOMING,
        register_book__isnull=False,
        register_book__unit_id=registry_unit_id,
    )
    issuer, number, notation = nfc(issuer or ""), nfc(number or ""), nfc(notation or "")
    found: dict[int, list[str]] = {}
    if issuer and number and issue_date:
        same_reference = entries.filter(
            issuer__iexact=issuer,
            number=number,
            notation__iexact=notation,
            issue_date=issue_date,
        )
        for pk in same_reference.values_list("pk", flat=True):
            found.setdefault(pk, []).append(SAME_REFERENCE)
    if sha256:
        for pk in entries.filter(files__sha256=sha256).values_list("pk", flat=True).distinct():
            found.setdefault(pk, []).append(SAME_FILE)
    return {pk: tuple(sorted(found[pk])) for pk in sorted(found)}


@dataclass(frozen=True)
class DuplicateHint:
    """An earlier entry that may be the same document. `document` is None when the user may
    not open it: then only its existence (and why it matches) is told, nothing of its content."""

    reasons: tuple[str, ...]
    document: Document | None = None

    @property
    def reason_labels(self) -> list[str]:
        return [str(DUPLICATE_REASONS[reason]) for reason in self.reasons]


def duplicate_hints(user: User, matches: dict[int, tuple[str, ...]]) -> list[DuplicateHint]:
    """`duplicate_matches` as the user may see them (one query)."""
    if not matches:
        return []
    visible = {
        document.pk: document
        for document in visible_documents(user)
        .filter(pk__in=list(matches))
        .select_related("register_book__unit", "agency", "document_type")
    }
    return [DuplicateHint(reasons, visible.get(pk)) for pk, reasons in matches.items()]


def possible_duplicates(
    user: User,
    *,
    sha256: str | None = None,
    issuer: str = "",
    number: str = "",
    notation: str = "",
    issue_date: datetime.date | None = None,
) -> list[DuplicateHint] | None:
    """What a clerk about to register a document should know: earlier entries of their
    registry that may be the same document. None for users who do not register."""
    if not can_register_incoming(user):
        return None
    registry = registry_unit_for(user.unit)
    matches = duplicate_matches(
        agency_id=user.unit.agency_id,
        registry_unit_id=registry.pk if registry else None,
        issuer=issuer,
        number=number,
        notation=notation,
        issue_date=issue_date,
        sha256=sha256,
    )
    return duplicate_hints(user, matches)
