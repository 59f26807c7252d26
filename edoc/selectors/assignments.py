"""Reads of handling assignments, built on the document access rules."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.http import Http404

from edoc.models import Assignment, User
from edoc.selectors.access import assignment_holders_q, principals_of, visible_documents

ASSIGNMENT_RELATED = (
    "document__document_type",
    "document__urgency",
    "document__confidentiality",
    "unit",
    "user",
    "assigned_by",
    "on_behalf_of",
    "closed_by",
)


def assignment_list(user: User, *, status: str | None = None) -> QuerySet[Assignment]:
    """Assignments `user` holds (in person, as head of the assigned unit, or for a delegator)
    on documents they may see; nearest deadline first. status="pending" gives the to-do list."""
    if not user.is_authenticated or not user.is_active:
        return Assignment.objects.none()
    condition = Q(pk__in=[])
    for principal in principals_of(user):
        condition |= assignment_holders_q(principal)
    queryset = Assignment.objects.filter(
        condition, document_id__in=visible_documents(user).values("pk")
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related(*ASSIGNMENT_RELATED).order_by(
        F("deadline").asc(nulls_last=True), "created_at", "pk"
    )


def assignment_get_for_user(user: User, assignment_id: int) -> Assignment:
    """One assignment of a document the user may see (whoever holds it), or Http404."""
    try:
        return (
            Assignment.objects.filter(document_id__in=visible_documents(user).values("pk"))
            .select_related(*ASSIGNMENT_RELATED)
            .get(pk=assignment_id)
        )
    except (Assignment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assignment.")
