"""THE access rules for documents. Every list, page, download, API endpoint, export and report
uses these functions; nothing else decides who may see or act on a document.

A user sees a document of their agency when
- it is not confidential and either its owning unit is in the user's scope, or the user takes part
  in it (assignee in person or through a unit in scope, drafter, designated signer); or
- it is a non-confidential outgoing document awaiting issuance or issued, and the user is one of
  the agency's clerks (who number and send every unit's documents); or
- they hold an explicit grant for it (the only way to see a confidential document).

Scope: directors, deputy directors and administrators see the whole agency; everyone else sees
their own unit and the units below it. While a delegation is active, the delegate also sees what
the delegator sees (except confidential documents, which always need the delegate's own grant).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from edoc.models import Assignment, Delegation, Document, DocumentGrant, Unit, User
from edoc.models.organisation import LEADER_ROLES, Role
from edoc.services.numbering import registry_unit_for

# Who sees the whole agency by position: its leaders and the system administrators.
AGENCY_WIDE_ROLES = (*LEADER_ROLES, Role.ADMIN)


def delegators_of(user: User) -> list[User]:
    """Users whose handling is delegated to `user` today."""
    if not user.is_authenticated:
        return []
    return [
        d.delegator
        for d in Delegation.objects.active_on()
        .filter(delegate=user)
        .select_related("delegator__unit")
    ]


def principals_of(user: User) -> list[User]:
    """The user plus everyone they act for today."""
    return [user, *delegators_of(user)]


def scope_unit_ids(user: User) -> set[int]:
    """Units whose documents `user` sees by position, without delegation."""
    if not user.is_authenticated or not user.unit_id:
        return set()
    if user.role in AGENCY_WIDE_ROLES:
        return set(Unit.objects.filter(agency_id=user.unit.agency_id).values_list("pk", flat=True))
    return user.unit.descendant_ids()


def _scope_and_participation(user: User) -> Q:
    condition = Q(pk__in=[])
    for principal in principals_of(user):
        if not principal.unit_id:
            continue
        units = scope_unit_ids(principal)
        # Two subqueries rather than one with an OR: each is read from an index alone
        # (edoc_assignment_user_doc_idx, edoc_assignment_unit_doc_idx).
        assigned = Assignment.objects.filter(user=principal).values("document_id")
        assigned_to_units = Assignment.objects.filter(unit_id__in=units).values("document_id")
        condition |= (
            Q(owner_unit_id__in=units)
            | Q(pk__in=assigned)
            | Q(pk__in=assigned_to_units)
            | Q(created_by=principal)
            | Q(signer=principal)
        )
    return condition


def is_agency_clerk(user: User) -> bool:
    """A clerk of the agency itself (not of an affiliated unit with its own books)."""
    return can_register_incoming(user) and registry_unit_for(user.unit) is None


def _issuance_desk(user: User) -> Q:
    """The agency's clerks number and send every unit's outgoing documents: they see those
    awaiting issuance and those issued (the outgoing register book)."""
    if not is_agency_clerk(user):
        return Q(pk__in=[])
    return Q(
        agency_id=user.unit.agency_id,
        direction=Document.Direction.OUTGOING,
        status__in=(Document.Status.READY, Document.Status.ISSUED),
    )


def visible_documents(user: User) -> QuerySet[Document]:
    """Every document `user` may see. The single source of truth for read access."""
    if not user.is_authenticated or not user.is_active:
        return Document.objects.none()
    granted = DocumentGrant.objects.filter(user=user).values("document_id")
    open_documents = Q(confidentiality__level=0) & (
        _scope_and_participation(user) | _issuance_desk(user)
    )
    return Document.objects.filter(open_documents | Q(pk__in=granted))


def document_get_for_user(user: User, document_id: int) -> Document:
    """Fetch one document the user may see, or raise Http404 (never reveal that it exists)."""
    try:
        return (
            visible_documents(user)
            .select_related(
                "document_type",
                "urgency",
                "confidentiality",
                "field",
                "owner_unit",
                "register_book",
                "agency",
                "signer",
                "created_by",
            )
            .get(pk=document_id)
        )
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404("No such document.")


# --- The same rules as facts and a predicate, for search engines that cannot run our SQL.
# `visible_documents` stays the source of truth; tests/search/test_access_mirror.py checks that
# `visibility_for(user).allows(document_access_facts(document))` agrees with it everywhere.

CLERK_DESK_STATUSES = (Document.Status.READY, Document.Status.ISSUED)


def document_access_facts(
    document: Document,
    *,
    assignments: list[tuple[int | None, int | None]] | None = None,
    grant_user_ids: list[int] | None = None,
) -> dict:
    """What `visible_documents` looks at, for one document, as plain values. Reads the
    document's assignments and grants through its relations unless given: a caller indexing
    many documents reads them once per batch (`search.documents.index_records`), as
    (user id, unit id) pairs and the granted users' ids."""
    if assignments is None:
        assignments = [(row.user_id, row.unit_id) for row in document.assignments.all()]
    if grant_user_ids is None:
        grant_user_ids = [grant.user_id for grant in document.grants.all()]
    participant_users = {user_id for user_id, _unit in assignments if user_id}
    participant_users |= {pk for pk in (document.created_by_id, document.signer_id) if pk}
    return {
        "agency_id": document.agency_id,
        "confidentiality_level": document.confidentiality.level,
        "owner_unit_id": document.owner_unit_id,
        "participant_user_ids": sorted(participant_users),
        "participant_unit_ids": sorted({unit_id for _user, unit_id in assignments if unit_id}),
        "direction": document.direction,
        "status": document.status,
        "granted_user_ids": sorted(grant_user_ids),
    }


@dataclass(frozen=True)
class Visibility:
    """What `user` sees, as sets an engine can match against `document_access_facts`.

    A non-confidential document is visible when its owning unit or one of its assignment units is
    in `unit_ids` (the union of every principal's scope), or one of `principal_ids` takes part in
    it, or it is on the clerks' issuance desk of `clerk_agency_id`; any document is visible when
    `user_id` holds a grant for it.
    """

    is_active: bool
    user_id: int | None
    unit_ids: frozenset[int]
    principal_ids: frozenset[int]
    clerk_agency_id: int | None
    desk_direction: str = Document.Direction.OUTGOING
    desk_statuses: tuple[str, ...] = tuple(CLERK_DESK_STATUSES)

    def allows(self, facts: dict) -> bool:
        """Evaluate the rules on one document's facts (pure Python, no query)."""
        if not self.is_active:
            return False
        if self.user_id in facts["granted_user_ids"]:
            return True
        if facts["confidentiality_level"] != 0:
            return False
        if facts["owner_unit_id"] in self.unit_ids:
            return True
        if self.unit_ids.intersection(facts["participant_unit_ids"]):
            return True
        if self.principal_ids.intersection(facts["participant_user_ids"]):
            return True
        return (
            self.clerk_agency_id is not None
            and facts["agency_id"] == self.clerk_agency_id
            and facts["direction"] == self.desk_direction
            and facts["status"] in self.desk_statuses
        )


def visibility_for(user: User) -> Visibility:
    """The user's side of the access rules (principals through delegation included)."""
    if not user.is_authenticated or not user.is_active:
        return Visibility(False, None, frozenset(), frozenset(), None)
    unit_ids: set[int] = set()
    principal_ids: set[int] = set()
    for principal in principals_of(user):
        if not principal.unit_id:
            continue
        unit_ids |= scope_unit_ids(principal)
        principal_ids.add(principal.pk)
    return Visibility(
        is_active=True,
        user_id=user.pk,
        unit_ids=frozenset(unit_ids),
        principal_ids=frozenset(principal_ids),
        clerk_agency_id=user.unit.agency_id if is_agency_clerk(user) else None,
    )


@dataclass(frozen=True)
class Actor:
    """Who performs an action, and for whom when acting under a delegation."""

    user: User
    on_behalf_of: User | None = None

    @property
    def principal(self) -> User:
        return self.on_behalf_of or self.user


def _first_principal(user: User, allowed) -> Actor | None:
    for principal in principals_of(user):
        if allowed(principal):
            return Actor(user, None if principal.pk == user.pk else principal)
    return None


def can_register_incoming(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.CLERK, Role.ADMIN) and bool(user.unit_id)


def can_issue(user: User, document: Document) -> bool:
    """Only the agency's own clerks number and issue its outgoing documents."""
    return (
        is_agency_clerk(user)
        and document.agency_id == user.unit.agency_id
        and document.direction == Document.Direction.OUTGOING
        and document.status == Document.Status.READY
    )


def can_grant(user: User, document: Document) -> bool:
    """Who may give someone explicit access to the document (the only way into a confidential
    one): the agency's leaders (director, deputy directors), and whoever registered or drafted
    it while holding a grant for it."""
    if user.role in LEADER_ROLES and user.unit_id and user.unit.agency_id == document.agency_id:
        return True
    return (
        document.created_by_id == user.pk
        and DocumentGrant.objects.filter(document=document, user=user).exists()
    )


def internal_copy_grantees(unit: Unit) -> QuerySet[User]:
    """Who is given access to a confidential document arriving in `unit` as an internal copy:
    the unit's active heads, who distribute it inside the unit."""
    return unit.members.filter(role=Role.UNIT_HEAD, is_active=True)


def assignable_q(principal: User) -> Q | None:
    """Incoming documents `principal` distributes: directors and deputies those in the agency's
    books; the head of an affiliated unit with its own books (a hospital, a health centre)
    those in that unit's books. None when the user assigns nothing."""
    if not principal.unit_id:
        return None
    if principal.role in (Role.DIRECTOR, Role.DEPUTY_DIRECTOR):
        return Q(agency_id=principal.unit.agency_id, register_book__unit__isnull=True)
    if principal.role == Role.UNIT_HEAD:
        own_books = registry_unit_for(principal.unit)
        if own_books is not None and own_books.pk == principal.unit_id:
            return Q(register_book__unit_id=principal.unit_id)
    return None


def assign_actor(user: User, document: Document) -> Actor | None:
    """The leader in charge of the document's register book (or their delegate) distributes it."""
    if document.direction != Document.Direction.INCOMING or document.status not in (
        Document.Status.REGISTERED,
        Document.Status.IN_PROGRESS,
    ):
        return None

    def allowed(principal: User) -> bool:
        condition = assignable_q(principal)
        return condition is not None and Document.objects.filter(condition, pk=document.pk).exists()

    return _first_principal(user, allowed)


def assignment_holders_q(user: User) -> Q:
    """Pending assignments `user` may act on in person (not through delegation)."""
    condition = Q(user=user)
    if user.role == Role.UNIT_HEAD and user.unit_id:
        condition |= Q(user__isnull=True, unit_id=user.unit_id)
    return condition


def assignment_actor(user: User, assignment: Assignment) -> Actor | None:
    """The assignee (or, for a unit assignment, its head) may act, or their delegate."""
    if assignment.status != Assignment.Status.PENDING:
        return None
    return _first_principal(
        user,
        lambda p: Assignment.objects.filter(assignment_holders_q(p), pk=assignment.pk).exists(),
    )


def edit_draft_actor(user: User, document: Document) -> Actor | None:
    """The drafter or a head of the drafting unit may change an outgoing draft."""
    if (
        document.direction != Document.Direction.OUTGOING
        or document.status != Document.Status.DRAFT
    ):
        return None
    return _first_principal(
        user,
        lambda p: (
            p.pk == document.created_by_id
            or (p.role == Role.UNIT_HEAD and p.unit_id == document.owner_unit_id)
        ),
    )


def require(actor: Actor | None) -> Actor:
    """Turn a missing right into PermissionDenied (403)."""
    from django.core.exceptions import PermissionDenied

    if actor is None:
        raise PermissionDenied
    return actor


__all__ = [
    "AGENCY_WIDE_ROLES",
    "Actor",
    "Http404",
    "assign_actor",
    "assignment_actor",
    "can_grant",
    "internal_copy_grantees",
    "can_issue",
    "can_register_incoming",
    "delegators_of",
    "document_access_facts",
    "document_get_for_user",
    "edit_draft_actor",
    "principals_of",
    "require",
    "scope_unit_ids",
    "visible_documents",
    "visibility_for",
    "Visibility",
]


def can_manage_retention(user: User) -> bool:
    """Who sees the retention report, proposes destructions and carries out approved ones: the
    agency's records clerks and system administrators placed in the agency."""
    if not user.is_authenticated or not user.unit_id:
        return False
    return is_agency_clerk(user) or user.role == Role.ADMIN


def can_approve_destruction(user: User, agency_id: int) -> bool:
    """Only the head of the agency (its director) decides that records are destroyed."""
    return (
        user.is_authenticated
        and user.role == Role.DIRECTOR
        and bool(user.unit_id)
        and user.unit.agency_id == agency_id
    )
