"""THE access rules for tasks (work items) and process runs. The selectors, services, pages,
API, the registry integration and signing's "who signs this step" (`workflows.sign_steps`) ask
here; nothing else decides whose task it is.

- A task is the user's when it is assigned to them, or to someone whose handling is delegated
  to them today (they act on that person's behalf), or when it is a group task nobody has
  claimed yet and the user is one of its candidates (they act in person).
- A candidate of an unclaimed group task may claim it.
- The assignee hands a task over; an administrator or the assignee's unit head redistributes it.
- A task is visible to those whose task it is, to whoever completed it, to the initiator of its
  run and to whoever may see its document.
- A run is visible to those who take part in it (initiator, assignee, candidate, who completed
  a task or acted in it; in person or for someone who delegated to them) and to whoever may see
  its document.

Who sees a document is edoc's rule (`edoc.selectors.access`); delegations too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db.models import Exists, OuterRef, Q, QuerySet

from edoc.models import Delegation, User
from edoc.models.organisation import Role
from edoc.selectors.access import Actor, principals_of, visible_documents
from workflows.models import ProcessRun, WorkItem


def claimable_q(user: User) -> Q:
    """Unclaimed group tasks `user` is a candidate of."""
    return Q(assignee__isnull=True, candidates=user)


def _mine_q(user: User, principals: Sequence[User]) -> Q:
    return Q(assignee_id__in=[principal.pk for principal in principals]) | claimable_q(user)


def mine_q(user: User) -> Q:
    """The user's tasks: assigned to them or to someone they act for today, and unclaimed group
    tasks they are a candidate of (may need `.distinct()`: a task has many candidates)."""
    return _mine_q(user, principals_of(user))


def open_mine_ids(user: User) -> QuerySet:
    """Ids of the user's open tasks (the rule of `mine_q`), for the inbox.

    A UNION ALL of three index scans; an OR of subqueries made PostgreSQL read every open task
    of the agency (docs/benchmarks.md, workflows inbox)."""
    delegators = Delegation.objects.active_on().filter(delegate=user).values("delegator_id")
    open_items = WorkItem.objects.filter(status=WorkItem.Status.OPEN).order_by()
    return (
        open_items.filter(assignee=user)
        .values("pk")
        .union(
            open_items.filter(assignee_id__in=delegators).values("pk"),
            WorkItem.candidates.through.objects.filter(
                user=user, workitem__assignee__isnull=True, workitem__status=WorkItem.Status.OPEN
            ).values("workitem_id"),
            all=True,
        )
    )


def is_candidate(user: User, work_item: WorkItem) -> bool:
    """An unclaimed group task with the user among its candidates."""
    return work_item.assignee_id is None and work_item.candidates.filter(pk=user.pk).exists()


def candidate_annotation(user: User) -> Exists:
    """`is_candidate`'s candidate part as an annotation of a task list (one query for all)."""
    return Exists(
        WorkItem.candidates.through.objects.filter(workitem_id=OuterRef("pk"), user_id=user.pk)
    )


def can_claim(user: User, work_item: WorkItem) -> bool:
    """An open, unclaimed group task the user is a candidate of."""
    return work_item.status == WorkItem.Status.OPEN and is_candidate(user, work_item)


def _actor(user: User, work_item: WorkItem, principals: Sequence[User]) -> Actor | None:
    """As whom the user acts on a task of theirs whose assignee is among `principals` (a group
    task: in person; else, maybe, on behalf of the assignee who delegated)."""
    if work_item.assignee_id is None:
        return Actor(user)
    for principal in principals:
        if principal.pk == work_item.assignee_id:
            return Actor(user, None if principal.pk == user.pk else principal)
    return None


def work_item_actor(user: User, work_item: WorkItem) -> Actor | None:
    """As whom the user may act on the task (the rule of `mine_q`), None when it is not theirs."""
    if work_item.assignee_id is None:
        return Actor(user) if is_candidate(user, work_item) else None
    return _actor(user, work_item, principals_of(user))


def acting_on(user: User, work_items: QuerySet[WorkItem]) -> Iterator[tuple[WorkItem, Actor]]:
    """The tasks of `work_items` that are the user's, oldest first, each with the actor."""
    principals = principals_of(user)
    mine = work_items.filter(_mine_q(user, principals)).distinct().order_by("pk")
    for work_item in mine:
        actor = _actor(user, work_item, principals)
        if actor is not None:
            yield work_item, actor


def can_reassign(user: User, work_item: WorkItem) -> bool:
    """The assignee hands over; an administrator or the assignee's unit head redistributes."""
    if user.role == Role.ADMIN or user.pk == work_item.assignee_id:
        return True
    assignee = work_item.assignee
    return bool(
        assignee
        and user.role == Role.UNIT_HEAD
        and assignee.unit_id
        and assignee.unit_id == user.unit_id
    )


def _document_visible(user: User, document_id: int | None) -> bool:
    return bool(document_id) and visible_documents(user).filter(pk=document_id).exists()


def can_see_work_item(user: User, work_item: WorkItem) -> bool:
    """The user's task (open or not), one they completed, of a run they started, or about a
    document they may see."""
    return (
        WorkItem.objects.filter(mine_q(user), pk=work_item.pk).exists()
        or work_item.completed_by_id == user.pk
        or _document_visible(user, work_item.document_id)
        or work_item.run.initiator_id == user.pk
    )


def can_see_run(user: User, run: ProcessRun) -> bool:
    """A run the user takes part in (initiator, assignee, candidate, actor; in person or for
    someone who delegated to them) or whose document they may see."""
    if not user.is_authenticated:
        return False
    people = [principal.pk for principal in principals_of(user)]
    if run.initiator_id in people:
        return True
    took_part = (
        Q(assignee_id__in=people)
        | Q(candidates__in=people)
        | Q(completed_by_id__in=people)
        | Q(on_behalf_of_id__in=people)
    )
    return (
        run.work_items.filter(took_part).exists()
        or run.events.filter(Q(actor_id__in=people) | Q(on_behalf_of_id__in=people)).exists()
        or _document_visible(user, run.document_id)
    )
