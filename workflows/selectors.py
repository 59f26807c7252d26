"""Reads of the workflows app: the inbox and single tasks, permission-filtered."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from edoc.models import User
from edoc.selectors.access import principals_of, visible_documents
from workflows.models import WorkItem


def _mine_q(user: User) -> Q:
    """Tasks assigned to the user or to someone they act for, and group tasks they may claim."""
    people = [principal.pk for principal in principals_of(user)]
    return Q(assignee_id__in=people) | Q(assignee__isnull=True, candidates=user)


def inbox_work_items(user: User) -> QuerySet[WorkItem]:
    """Open tasks of the user (own, delegated to them, claimable), nearest deadline first."""
    if not user.is_authenticated:
        return WorkItem.objects.none()
    return (
        WorkItem.objects.filter(_mine_q(user), status=WorkItem.Status.OPEN)
        .select_related("assignee", "document__document_type", "run__version__definition")
        .distinct()
        .order_by("deadline", "created_at")
    )


def work_item_get_for_user(user: User, pk: int) -> WorkItem:
    """A task the user takes part in (or whose document they may see); else 404."""
    queryset = WorkItem.objects.select_related(
        "assignee", "document", "run__version__definition", "run__initiator"
    )
    item = queryset.filter(pk=pk).first()
    if item is None:
        raise Http404
    if queryset.filter(_mine_q(user), pk=pk).exists() or item.completed_by_id == user.pk:
        return item
    if item.document_id and visible_documents(user).filter(pk=item.document_id).exists():
        return item
    if item.run.initiator_id == user.pk:
        return item
    raise Http404
