"""Reads of the workflows app: the inbox and single tasks, permission-filtered."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from edoc.models import Assignment, Document, DocumentEvent, DocumentFile, User
from edoc.selectors.access import assignment_holders_q, visible_documents
from workflows import access, calendar
from workflows.actions import can_return_to
from workflows.graph import USER
from workflows.models import Notification, ProcessDefinition, ProcessRun, RunEvent, WorkItem


def inbox_work_items(user: User) -> QuerySet[WorkItem]:
    """Open tasks of the user (own, delegated to them, claimable), nearest deadline first."""
    if not user.is_authenticated:
        return WorkItem.objects.none()
    # The ids first (three index scans, one sub-millisecond query): as a subquery inside the
    # API's wide join, PostgreSQL would apply it last (beyond join_collapse_limit).
    ids = open_task_ids(user)
    return (
        WorkItem.objects.filter(pk__in=ids)
        .select_related("assignee", "document__document_type", "run__version__definition")
        .order_by("deadline", "created_at")
    )


def work_item_get_for_user(user: User, pk: int) -> WorkItem:
    """A task the user may see (`workflows.access.can_see_work_item`); else 404."""
    queryset = WorkItem.objects.select_related(
        "assignee", "document", "run__version__definition", "run__initiator"
    )
    item = queryset.filter(pk=pk).first()
    if item is None or not access.can_see_work_item(user, item):
        raise Http404
    return item


def returnable_steps_of(work_items: Iterable[WorkItem]) -> dict[int, list[tuple[str, str]]]:
    """`returnable_steps` of many tasks at once, keyed by task id, in one query for all their
    runs (the tasks' `run__process` should be select_related). Closed tasks return nowhere."""
    from workflows.engine import graph_of

    work_items = list(work_items)
    items = [item for item in work_items if item.status == WorkItem.Status.OPEN]
    visited: dict[int, list[str]] = {}
    closed = (
        WorkItem.objects.filter(
            run_id__in={item.run_id for item in items},
            status__in=[WorkItem.Status.DONE, WorkItem.Status.RETURNED],
        )
        .order_by("created_at", "pk")
        .values_list("run_id", "step_id")
    )
    if items:
        for run_id, step_id in closed:
            visited.setdefault(run_id, []).append(step_id)
    result: dict[int, list[tuple[str, str]]] = {}
    for item in work_items:
        result[item.pk] = []
        if item.status != WorkItem.Status.OPEN:
            continue
        graph = graph_of(item.run.process)
        step = graph.by_id.get(item.step_id)
        if step is None or step.type != USER or not step.allow_return:
            continue
        steps = graph.by_id
        seen: dict[str, str] = {}
        for step_id in visited.get(item.run_id, []):
            target = steps.get(step_id)
            if step_id != item.step_id and can_return_to(target):
                seen[step_id] = target.name or step_id
        result[item.pk] = list(seen.items())
    return result


def process_run_get_for_user(user: User, pk: int) -> ProcessRun:
    """A run the user may see (`workflows.access.can_see_run`); else 404."""
    run = (
        ProcessRun.objects.select_related("process", "version__definition", "document", "initiator")
        .filter(pk=pk)
        .first()
    )
    if run is None or not access.can_see_run(user, run):
        raise Http404
    return run


# --- The task inbox page, the task and process pages, the menu counts.

INBOX_ALL, INBOX_OVERDUE, INBOX_DUE_SOON = "all", "overdue", "due_soon"
INBOX_VIEWS = (INBOX_ALL, INBOX_OVERDUE, INBOX_DUE_SOON)


def open_task_ids(user: User) -> list[int]:
    """Ids of the user's open tasks (own, delegated to them, claimable), read once so that one
    page's list, counts and process filter share them (`mine_ids` below)."""
    if not user.is_authenticated:
        return []
    return list(access.open_mine_ids(user).values_list("pk", flat=True))


def _open_tasks(
    user: User,
    definition_id: int | None = None,
    *,
    ids_first: bool = False,
    mine_ids: list[int] | None = None,
) -> QuerySet[WorkItem]:
    """The user's open tasks. `ids_first`: read their ids first (one narrow query, as
    `inbox_work_items`) for a query that joins the wide tables: as a subquery there PostgreSQL
    joins every open task of the agency to its run and process before filtering (beyond
    join_collapse_limit; 1.5 s at 100,000 processes, docs/benchmarks.md). `mine_ids`: those ids,
    already read by `open_task_ids` for this request (each evaluation of the union reads a
    leader's candidate rows again: ~50 ms for 3,000 group tasks at 100,000 processes)."""
    if not user.is_authenticated:
        return WorkItem.objects.none()
    if mine_ids is not None:
        mine = mine_ids
    else:
        mine = access.open_mine_ids(user)
        if ids_first:
            mine = list(mine.values_list("pk", flat=True))
    queryset = WorkItem.objects.filter(pk__in=mine, status=WorkItem.Status.OPEN)
    if definition_id is not None:
        queryset = queryset.filter(run__version__definition_id=definition_id)
    return queryset


def due_soon_until(now: datetime.datetime | None = None) -> datetime.datetime:
    """Deadlines up to this moment are "due soon": within one working day from now."""
    return calendar.add_working_time(now or timezone.now(), days=1)


def inbox_tasks(
    user: User,
    *,
    view: str = INBOX_ALL,
    definition_id: int | None = None,
    now: datetime.datetime | None = None,
    soon: datetime.datetime | None = None,
    mine_ids: list[int] | None = None,
) -> QuerySet[WorkItem]:
    """The inbox page's rows: open tasks of the user (own, delegated to them, claimable),
    optionally only overdue ones or those due within a working day, or of one process;
    nearest deadline first, tasks without a deadline last."""
    now = now or timezone.now()
    queryset = _open_tasks(user, definition_id, ids_first=True, mine_ids=mine_ids)
    if view == INBOX_OVERDUE:
        queryset = queryset.filter(deadline__lt=now)
    elif view == INBOX_DUE_SOON:
        queryset = queryset.filter(deadline__gte=now, deadline__lte=soon or due_soon_until(now))
    return queryset.select_related(
        "assignee", "document__document_type", "run__version__definition", "run__process"
    ).order_by(F("deadline").asc(nulls_last=True), "created_at", "pk")


@dataclass(frozen=True)
class TaskCounts:
    """How many open tasks the user has; `due_soon` only when asked for."""

    open: int
    overdue: int
    due_soon: int | None = None


def task_counts(
    user: User,
    *,
    now: datetime.datetime | None = None,
    soon: datetime.datetime | None = None,
    definition_id: int | None = None,
    mine_ids: list[int] | None = None,
) -> TaskCounts:
    """Open and overdue tasks (and those due before `soon`, when given) in one query."""
    if not user.is_authenticated:
        return TaskCounts(0, 0, 0 if soon else None)
    now = now or timezone.now()
    aggregates: dict[str, Count] = {
        "open": Count("pk"),
        "overdue": Count("pk", filter=Q(deadline__lt=now)),
    }
    if soon is not None:
        aggregates["due_soon"] = Count("pk", filter=Q(deadline__gte=now, deadline__lte=soon))
    values = _open_tasks(user, definition_id, mine_ids=mine_ids).aggregate(**aggregates)
    return TaskCounts(values["open"], values["overdue"], values.get("due_soon"))


def inbox_processes(user: User, mine_ids: list[int] | None = None) -> QuerySet[ProcessDefinition]:
    """Process definitions the user has open tasks of (the inbox's process filter)."""
    used = _open_tasks(user, mine_ids=mine_ids).values("run__version__definition_id")
    return ProcessDefinition.objects.filter(pk__in=used).order_by("name", "pk")


def visible_document_ids(user: User, document_ids: Iterable[int | None]) -> set[int]:
    """Which of these documents the user may see (one query, for lists of tasks)."""
    wanted = {pk for pk in document_ids if pk}
    if not wanted:
        return set()
    return set(visible_documents(user).filter(pk__in=wanted).values_list("pk", flat=True))


@dataclass(frozen=True)
class AssignedBy:
    """Who gave the user this task, and when (the previous step's handler, a reassignment, or
    whoever started the process)."""

    user: User | None
    on_behalf_of: User | None
    at: datetime.datetime | None
    how: str  # "started", "completed", "returned", "reassigned"


def _previous_finished(item: WorkItem) -> WorkItem | None:
    """The run's task finished (done or returned) last before `item` was created."""
    return (
        item.run.work_items.filter(
            completed_at__lte=item.created_at,
            status__in=[WorkItem.Status.DONE, WorkItem.Status.RETURNED],
        )
        .exclude(pk=item.pk)
        .select_related("completed_by", "on_behalf_of")
        .order_by("-completed_at", "-pk")
        .first()
    )


def work_item_assigned_by(item: WorkItem) -> AssignedBy:
    """Where the task came from, for the task page."""
    reassigned = (
        RunEvent.objects.filter(work_item=item, kind="reassigned")
        .select_related("actor", "on_behalf_of")
        .order_by("-created_at", "-pk")
        .first()
    )
    if reassigned is not None:
        return AssignedBy(
            reassigned.actor, reassigned.on_behalf_of, reassigned.created_at, "reassigned"
        )
    previous = _previous_finished(item)
    if previous is not None:
        how = "returned" if previous.status == WorkItem.Status.RETURNED else "completed"
        return AssignedBy(previous.completed_by, previous.on_behalf_of, previous.completed_at, how)
    return AssignedBy(item.run.initiator, None, item.run.started_at, "started")


def run_events(run: ProcessRun) -> QuerySet[RunEvent]:
    """The run's history, oldest first."""
    return run.events.select_related("actor", "on_behalf_of", "work_item").order_by(
        "created_at", "pk"
    )


def run_open_work_items(run: ProcessRun) -> list[WorkItem]:
    """Open tasks of the run with their assignee or the group that may claim them."""
    return list(
        run.work_items.filter(status=WorkItem.Status.OPEN)
        .select_related("assignee")
        .prefetch_related("candidates")
        .order_by("created_at", "pk")
    )


def run_done_step_ids(run: ProcessRun) -> set[str]:
    """Steps of the run somebody has completed or returned at least once."""
    return set(
        run.work_items.filter(status__in=[WorkItem.Status.DONE, WorkItem.Status.RETURNED])
        .values_list("step_id", flat=True)
        .distinct()
    )


def document_runs(document_id: int) -> list[ProcessRun]:
    """Runs on a document, newest first, each with `open_items` (its open tasks)."""
    open_items = Prefetch(
        "work_items",
        queryset=WorkItem.objects.filter(status=WorkItem.Status.OPEN).order_by("created_at", "pk"),
        to_attr="open_items",
    )
    return list(
        ProcessRun.objects.filter(document_id=document_id)
        .select_related("version__definition")
        .prefetch_related(open_items)
        .order_by("-started_at", "-pk")
    )


def document_tasks_for_user(user: User, document_id: int) -> QuerySet[WorkItem]:
    """The user's open tasks on one document."""
    return (
        _open_tasks(user)
        .filter(document_id=document_id)
        .select_related("assignee", "run__version__definition")
        .order_by(F("deadline").asc(nulls_last=True), "created_at", "pk")
    )


def notification_list(user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return (
        Notification.objects.filter(user=user)
        .select_related(
            "work_item__document",
            "work_item__run__version__definition",
            "work_item__run__process",
        )
        .order_by("-created_at", "-pk")
    )


def notification_unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


# --- Returns: tasks sent back to an earlier step, with their reasons (task and process pages).


@dataclass(frozen=True)
class ReturnNote:
    """One task sent back to an earlier step: by whom, when, from which step to which, why."""

    work_item_id: int
    from_step: str  # the returning task's step name
    to_step_id: str
    to_step: str  # the target step's name
    by: User | None
    on_behalf_of: User | None
    at: datetime.datetime | None
    reason: str


def _return_notes(run: ProcessRun, returned: Iterable[WorkItem]) -> list[ReturnNote]:
    from workflows.engine import graph_of

    steps = graph_of(run.process).by_id
    notes = []
    for item in returned:
        target = steps.get(item.return_to)
        notes.append(
            ReturnNote(
                work_item_id=item.pk,
                from_step=item.step_name,
                to_step_id=item.return_to,
                to_step=(target.name if target else "") or item.return_to,
                by=item.completed_by,
                on_behalf_of=item.on_behalf_of,
                at=item.completed_at,
                reason=item.comment,
            )
        )
    return notes


def _returned_items(run: ProcessRun) -> QuerySet[WorkItem]:
    return run.work_items.filter(status=WorkItem.Status.RETURNED).select_related(
        "completed_by", "on_behalf_of"
    )


def run_returns(run: ProcessRun) -> list[ReturnNote]:
    """Every return of the run with its reason, oldest first (the earlier opinions of a task
    page: who sent the work back, from where, to where, why)."""
    return _return_notes(run, _returned_items(run).order_by("completed_at", "pk"))


def work_item_return_note(item: WorkItem) -> ReturnNote | None:
    """The return that gave this task its work (the process was sent back to its step), or
    None when the task came the normal way. The drafter of a returned draft reads here why."""
    previous = _previous_finished(item)
    if (
        previous is None
        or previous.status != WorkItem.Status.RETURNED
        or previous.return_to != item.step_id
    ):
        return None
    return _return_notes(item.run, [previous])[0]


# --- The task page as the workspace: the document, its history and what is under review.

# Registry events written by the same action as a process event (completing a step performs the
# registry action in the same transaction) fall within this span of it.
SAME_ACTION_WINDOW = datetime.timedelta(seconds=5)
# What the workspace's history leaves out: access bookkeeping, not opinions.
HISTORY_HIDDEN_DOCUMENT_ACTIONS = (DocumentEvent.Action.GRANTED,)
HISTORY_HIDDEN_RUN_KINDS = ("reminded",)
# Registry events that say what a step did even without a comment of their own.
INFORMATIVE_DOCUMENT_ACTIONS = (
    DocumentEvent.Action.ASSIGNED,
    DocumentEvent.Action.FORWARDED,
    DocumentEvent.Action.RETURNED,
    DocumentEvent.Action.ISSUED,
    DocumentEvent.Action.FILE_ADDED,
)
PDF_CONTENT_TYPES = ("application/pdf",)


def work_item_assignment(work_item: WorkItem) -> Assignment | None:
    """The pending handling assignment (lead or coordinator) the task's assignee carries on the
    task's document, in person or as the unit's head: the latest one."""
    if work_item.document_id is None or work_item.assignee_id is None:
        return None
    return (
        Assignment.objects.filter(
            assignment_holders_q(work_item.assignee),
            document_id=work_item.document_id,
            status=Assignment.Status.PENDING,
            role__in=[Assignment.Role.LEAD, Assignment.Role.COORDINATOR],
        )
        .select_related("assigned_by", "on_behalf_of")
        .order_by("-created_at", "-pk")
        .first()
    )


def file_inline_viewable(document_file: DocumentFile) -> bool:
    """Whether the task page may render the file in the page (pdf.js). A version flagged with
    active content (JavaScript, launch actions, embedded files: `download_only`) is offered
    as a download only, like anything that is not a PDF."""
    if document_file.content_type not in PDF_CONTENT_TYPES:
        return False
    return not document_file.download_only


@dataclass(frozen=True)
class ViewerFile:
    """The file version the workspace shows: rendered inline when `inline`, else offered as a
    download."""

    document: Document
    file: DocumentFile
    inline: bool


def document_viewer_file(document: Document) -> ViewerFile | None:
    """The document's current (latest) version for the workspace, None without a file."""
    current = (
        DocumentFile.objects.filter(document=document)
        .select_related("uploaded_by")
        .order_by("-version")
        .first()
    )
    if current is None:
        return None
    return ViewerFile(document=document, file=current, inline=file_inline_viewable(current))


@dataclass
class HistoryLine:
    """One line of the workspace's history: a process event (with the registry events its
    action wrote, `attached`) or a registry event of its own (a comment, a forwarding …)."""

    at: datetime.datetime
    run_event: RunEvent | None = None
    document_event: DocumentEvent | None = None
    attached: list[DocumentEvent] = field(default_factory=list)

    @property
    def details(self) -> list[DocumentEvent]:
        """The attached registry events that say more than the process event: to whom it was
        assigned or forwarded (with the directive), a comment of their own."""
        comment = self.run_event.comment if self.run_event else ""
        return [
            event
            for event in self.attached
            if event.action in INFORMATIVE_DOCUMENT_ACTIONS
            or (event.comment and event.comment != comment)
        ]


def task_history(item: WorkItem, *, with_document: bool) -> list[HistoryLine]:
    """Earlier opinions and assignments, oldest first: the run's steps (completed, returned with
    their reasons, reassigned …) merged with the document's registry timeline (assignments,
    forwards with their directives, comments, returns to the clerk) when `with_document`
    (the caller checked the user may see the document)."""
    run_events = (
        item.run.events.exclude(kind__in=HISTORY_HIDDEN_RUN_KINDS)
        .select_related("actor", "on_behalf_of", "work_item")
        .order_by("created_at", "pk")
    )
    lines = [HistoryLine(at=event.created_at, run_event=event) for event in run_events]
    if with_document and item.document_id:
        document_events = (
            DocumentEvent.objects.filter(document_id=item.document_id)
            .exclude(action__in=HISTORY_HIDDEN_DOCUMENT_ACTIONS)
            .select_related("actor", "on_behalf_of")
            .order_by("created_at", "pk")
        )
        process_lines = list(lines)
        for event in document_events:
            host = min(
                (
                    line
                    for line in process_lines
                    if line.run_event.actor_id == event.actor_id
                    and abs(line.at - event.created_at) <= SAME_ACTION_WINDOW
                ),
                key=lambda line: abs(line.at - event.created_at),
                default=None,
            )
            if host is not None:
                host.attached.append(event)
            else:
                lines.append(HistoryLine(at=event.created_at, document_event=event))
    lines.sort(key=lambda line: line.at)
    return lines


@dataclass(frozen=True)
class HandedOver:
    """A task that gave the user theirs, with the comment it was completed with — or, when
    the action was done from the document page, the comment the registry recorded for it."""

    item: WorkItem
    comment: str


def work_item_handed_over(item: WorkItem) -> list[HandedOver]:
    """The tasks whose completion (or return) gave the user this one — what a reviewer reviews:
    the specialist's result and comment, or the reason it came back; all the tasks of a
    parallel step."""
    previous = _previous_finished(item)
    if previous is None:
        return []
    items = [previous]
    if previous.batch is not None:
        items = list(
            item.run.work_items.filter(batch=previous.batch, status=WorkItem.Status.DONE)
            .select_related("completed_by", "on_behalf_of")
            .order_by("completed_at", "pk")
        )
    return [
        HandedOver(item=done, comment=done.comment or _registry_comment(done)) for done in items
    ]


def _registry_comment(item: WorkItem) -> str:
    """The comment of the registry action that completed the task from the document page
    (submitting a draft, completing an assignment), if any."""
    if item.document_id is None or item.completed_at is None or item.completed_by_id is None:
        return ""
    event = (
        DocumentEvent.objects.filter(
            document_id=item.document_id,
            actor_id=item.completed_by_id,
            created_at__gte=item.completed_at - SAME_ACTION_WINDOW,
            created_at__lte=item.completed_at + SAME_ACTION_WINDOW,
        )
        .exclude(comment="")
        .order_by("-created_at", "-pk")
        .first()
    )
    return event.comment if event is not None else ""


def document_assignments(document_id: int) -> QuerySet[Assignment]:
    """The document's handling assignments, oldest first, for the workspace."""
    return (
        Assignment.objects.filter(document_id=document_id)
        .select_related("unit", "user", "assigned_by", "on_behalf_of")
        .order_by("created_at", "pk")
    )
