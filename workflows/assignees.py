"""Who gets a step: resolve a definition's assignee rule for one run.

Rules (JSON in the definition):
    {"rule": "user", "user": 12}                          a specific person
    {"rule": "role", "role": "unit_head", "unit": 7}        a role in a given unit
    {"rule": "role", "role": "clerk", "unit": "owner_unit"} … or in a unit taken from the subject:
        owner_unit (the document's unit), lead_unit (its lead handler's unit),
        initiator_unit, agency (anywhere in the agency)
    {"rule": "role", "role": ["director", "deputy_director"], "unit": "agency"}  any of roles
    {"rule": "lead_unit_head"}                             head of the document's lead unit
    {"rule": "lead_handler"}                               holder of the pending lead assignment
    {"rule": "coordinators"}                               one task per pending coordinator
    {"rule": "signer"}                                     the outgoing document's signer
    {"rule": "initiator"}                                  whoever started the process
    {"rule": "subject_handler"}                            the specialist a dossier is given to
    {"rule": "group", "group": "Tổ pháp chế"}              members of a group claim the task

One person gets the task assigned; several get it as a group task that one of them claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group
from django.db.models import QuerySet

from edoc.models import Assignment, Document, Unit, User
from edoc.models.organisation import Role


@dataclass
class Resolution:
    users: list[User] = field(default_factory=list)
    pooled: bool = False

    @property
    def owner(self) -> User | None:
        return self.users[0] if len(self.users) == 1 and not self.pooled else None


@dataclass
class RunContext:
    """What rules may refer to."""

    initiator: User
    document: Document | None = None
    agency_id: int | None = None
    subject: Any = None  # the document, or another registered subject (a dossier)


def lead_unit_of(document: Document | None) -> Unit | None:
    """The unit of the document's (first, still relevant) lead handler."""
    if document is None:
        return None
    lead = (
        Assignment.objects.filter(document=document, role=Assignment.Role.LEAD, parent__isnull=True)
        .exclude(status=Assignment.Status.CANCELLED)
        .select_related("unit", "user__unit")
        .order_by("-created_at")
        .first()
    )
    if lead is None:
        return None
    return lead.unit or (lead.user.unit if lead.user_id else None)


def _active(queryset: QuerySet[User]) -> list[User]:
    return list(queryset.filter(is_active=True).select_related("unit").order_by("pk"))


def _unit_for(reference: Any, context: RunContext) -> Unit | None:
    if isinstance(reference, int):
        return Unit.objects.filter(pk=reference).first()
    owner = context.document or context.subject
    if reference == "owner_unit" and owner is not None:
        return getattr(owner, "owner_unit", None)
    if reference == "lead_unit":
        return lead_unit_of(context.document)
    if reference == "initiator_unit":
        return context.initiator.unit
    return None


def resolve(rule: dict[str, Any], context: RunContext) -> Resolution:
    """The users a rule designates for this run (possibly none: the task is then unassigned)."""
    kind = rule.get("rule")
    if kind == "user":
        return Resolution(_active(User.objects.filter(pk=rule.get("user"))))
    if kind == "initiator":
        return Resolution([context.initiator])
    if kind == "group":
        group = rule.get("group")
        groups = (
            Group.objects.filter(pk=group)
            if isinstance(group, int)
            else Group.objects.filter(name=group)
        )
        return Resolution(_active(User.objects.filter(groups__in=groups)), pooled=True)
    if kind == "lead_unit_head":
        unit = lead_unit_of(context.document)
        if unit is None:
            return Resolution()
        return _one_or_pool(_active(User.objects.filter(unit=unit, role=Role.UNIT_HEAD)))
    if kind == "role":
        role = rule.get("role")
        roles = role if isinstance(role, list) else [role]
        reference = rule.get("unit")
        if reference == "agency":
            agency_id = context.agency_id or (
                context.initiator.unit.agency_id if context.initiator.unit_id else None
            )
            people = User.objects.filter(role__in=roles, unit__agency_id=agency_id)
        else:
            unit = _unit_for(reference, context)
            if unit is None:
                return Resolution()
            people = User.objects.filter(role__in=roles, unit=unit)
        return _one_or_pool(_active(people))
    if kind == "signer":
        signer = context.document.signer if context.document is not None else None
        return Resolution([signer] if signer and signer.is_active else [])
    if kind == "subject_handler":
        handler = getattr(context.subject, "handler", None)
        return Resolution([handler] if handler is not None and handler.is_active else [])
    if kind == "lead_handler":
        pending = _pending(context.document, Assignment.Role.LEAD)
        return _holders(pending[0]) if pending else Resolution()
    if kind == "coordinators":
        pending = _pending(context.document, Assignment.Role.COORDINATOR)
        return _holders(pending[0]) if pending else Resolution()
    return Resolution()


def resolve_slots(rule: dict[str, Any], context: RunContext) -> list[Resolution]:
    """For a parallel step: the tasks one rule stands for (one per coordinator for
    "coordinators", otherwise exactly one, possibly without anybody)."""
    if rule.get("rule") == "coordinators":
        return [_holders(a) for a in _pending(context.document, Assignment.Role.COORDINATOR)]
    return [resolve(rule, context)]


def _pending(document: Document | None, role: str) -> list[Assignment]:
    if document is None:
        return []
    return list(
        Assignment.objects.filter(
            document=document, role=role, status=Assignment.Status.PENDING
        ).select_related("user", "unit")
    )


def _holders(assignment: Assignment) -> Resolution:
    """Who acts on an assignment: its person, or the heads of its unit."""
    if assignment.user_id:
        return Resolution([assignment.user] if assignment.user.is_active else [])
    return _one_or_pool(_active(User.objects.filter(unit=assignment.unit, role=Role.UNIT_HEAD)))


def _one_or_pool(users: list[User]) -> Resolution:
    return Resolution(users, pooled=len(users) > 1)
