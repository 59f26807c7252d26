"""Who gets a step: resolve a definition's assignee rule for one run.

Rules (JSON in the definition):
    {"rule": "user", "user": 12}                          a specific person
    {"rule": "role", "role": "unit_head", "unit": 7}        a role in a given unit
    {"rule": "role", "role": "clerk", "unit": "owner_unit"} … or in a unit taken from the subject:
        owner_unit (the document's unit), lead_unit (its lead handler's unit),
        initiator_unit, agency (anywhere in the agency)
    {"rule": "lead_unit_head"}                             head of the document's lead unit
    {"rule": "initiator"}                                  whoever started the process
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
    if reference == "owner_unit" and context.document is not None:
        return context.document.owner_unit
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
        reference = rule.get("unit")
        if reference == "agency":
            agency_id = context.agency_id or (
                context.initiator.unit.agency_id if context.initiator.unit_id else None
            )
            people = User.objects.filter(role=role, unit__agency_id=agency_id)
        else:
            unit = _unit_for(reference, context)
            if unit is None:
                return Resolution()
            people = User.objects.filter(role=role, unit=unit)
        return _one_or_pool(_active(people))
    return Resolution()


def _one_or_pool(users: list[User]) -> Resolution:
    return Resolution(users, pooled=len(users) > 1)
