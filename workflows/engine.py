"""The interpreter behind `workflows.flows.DefinitionFlow`: what each node does for a run.

Functions here are called by viewflow inside its activations (and its process lock); the public
writes (start, complete, return, claim, reassign) are in `workflows.services.processes`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from edoc.models import Document, User
from edoc.models.organisation import Role
from edoc.services.documents import document_grant_participant
from workflows import assignees, calendar, expressions
from workflows.actions import get_action
from workflows.deadlines import as_deadline
from workflows.graph import BRANCH, PARALLEL, Graph, Step, parse
from workflows.models import DefinitionVersion, Notification, ProcessRun, RunEvent, WorkItem
from workflows.subjects import (
    adapter_for,
    run_summaries,
    subject_fields,
    subject_load,
    subject_ref,
)

# A reminder goes out when this share of the step's working time has passed.
REMINDER_SHARE = Decimal("0.75")
NEVER = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)
MAX_BRANCH_HOPS = 50


@lru_cache(maxsize=256)
def _graph_of_version(version_id: int, stamp: str) -> Graph:
    """Published versions never change: their parsed graph is cached by id and publication time
    (the stamp guards against a reused id after a deleted definition)."""
    version = DefinitionVersion.objects.only("graph", "published_at").get(pk=version_id)
    if _stamp(version) != stamp:
        raise RuntimeError(f"Definition version {version_id} is not the one this run started on")
    return parse(version.graph)


def _stamp(version: DefinitionVersion) -> str:
    return version.published_at.isoformat() if version.published_at else ""


def graph_of(process) -> Graph:
    return _graph_of_version(process.data["version"], process.data.get("stamp", ""))


def current_step(process) -> Step:
    return graph_of(process).step(process.data["step"])


def current_step_type(process) -> str:
    return current_step(process).type


def run_of(process) -> ProcessRun:
    """The run of a process, created on first use (the process row exists only after start)."""
    try:
        return process.run
    except ProcessRun.DoesNotExist:
        pass
    run, _created = ProcessRun.objects.get_or_create(
        process=process,
        defaults={
            "version_id": process.data["version"],
            "document_id": process.data.get("document"),
            "initiator_id": process.data["initiator"],
            "current_step": process.data["step"],
        },
    )
    process.run = run
    return run


def _subject(run: ProcessRun) -> Any:
    """The run's subject: its document, or a registered subject such as a dossier, or None.
    Read once per run instance: one `run_of(process)` instance lives for one move of the flow
    (the branches, the next task's owners, its grants), after the step's action has written."""
    try:
        return run._subject
    except AttributeError:
        pass
    if run.document_id is None:
        subject = subject_load(run.process.data.get("subject"))
    else:
        subject = Document.objects.select_related(
            "document_type", "urgency", "confidentiality", "field", "owner_unit"
        ).get(pk=run.document_id)
    run._subject = subject
    return subject


def follow_branches(graph: Graph, step_id: str, document: Any) -> str:
    """From `step_id`, take branch decisions until a step that people (or the end) act on.
    `document` is the run's subject (a document or a registered subject such as a dossier)."""
    fields = subject_fields(document)
    for _hop in range(MAX_BRANCH_HOPS):
        step = graph.step(step_id)
        if step.type != BRANCH:
            return step_id
        step_id = step.default
        for branch in step.branches:
            if expressions.evaluate(branch["condition"], fields):
                step_id = branch["next"]
                break
    raise RuntimeError("Branches loop without reaching a step")


def on_start(
    activation, *, version: DefinitionVersion, initiator: User, document=None, subject=None
):
    """StartHandle callback: pin the version and place the run on its first step.
    `subject` is a non-document subject (a registered kind, see `workflows.subjects`)."""
    graph = _graph_of_version(version.pk, _stamp(version))
    first = follow_branches(graph, graph.start, document or subject)
    activation.process.data = {
        "version": version.pk,
        "stamp": _stamp(version),
        "initiator": initiator.pk,
        "document": document.pk if document else None,
        "step": first,
    }
    if subject is not None:
        activation.process.data["subject"] = subject_ref(subject)
    if document is not None:
        activation.process.artifact = document
    return activation.process


def _context(run: ProcessRun) -> assignees.RunContext:
    subject = _subject(run)
    return assignees.RunContext(
        initiator=run.initiator,
        document=subject if isinstance(subject, Document) else None,
        agency_id=getattr(subject, "agency_id", None),
        subject=subject,
    )


def owner_for(activation) -> User | None:
    """Assign callback: the single owner, or None for a group task (candidates kept in data)."""
    data = activation.task.data
    if "owner" in data:  # a parallel slot, resolved by the split
        return User.objects.filter(pk=data["owner"]).first() if data["owner"] else None
    run = run_of(activation.process)
    step = current_step(activation.process)
    resolution = assignees.resolve(step.assignee or {}, _context(run))
    data["candidates"] = [user.pk for user in resolution.users]
    return resolution.owner


def parallel_slots(activation) -> list[dict[str, Any]]:
    """One task per assignee rule of the parallel step (a rule with several people is a group)."""
    run = run_of(activation.process)
    step = current_step(activation.process)
    context = _context(run)
    slots = []
    for index, rule in enumerate(step.assignees):
        for resolution in assignees.resolve_slots(rule, context):
            owner = resolution.owner
            slots.append(
                {
                    "batch": activation.task.pk,
                    "slot": index,
                    "owner": owner.pk if owner else None,
                    "candidates": [user.pk for user in resolution.users],
                }
            )
    return slots


def _working_time(start: datetime.datetime, step: Step, share: Decimal = Decimal(1)):
    days, hours = step.deadline_amount()
    if days is None and hours is None:
        return None
    return calendar.add_working_time(
        start, days=float((days or 0) * share), hours=float((hours or 0) * share)
    )


def on_task_created(activation) -> None:
    """onCreate callback: the work item people see, with its deadline from the calendar."""
    process = activation.process
    run = run_of(process)
    step = current_step(process)
    task = activation.task
    now = timezone.now()
    deadline = _working_time(now, step)
    work_item = WorkItem.objects.create(
        task=task,
        run=run,
        document_id=run.document_id,
        step_id=step.id,
        step_name=step.name or step.id,
        action=step.action,
        assignee=task.owner,
        deadline=deadline,
        reminder_at=_working_time(now, step, REMINDER_SHARE) if deadline else None,
        batch=task.data.get("batch"),
    )
    candidates = task.data.get("candidates") or []
    if task.owner_id is None and candidates:
        work_item.candidates.set(candidates)
    _apply_action_deadline(work_item, now)
    recipients = [task.owner] if task.owner_id else list(User.objects.filter(pk__in=candidates))
    subject = _subject(run)
    document = subject if isinstance(subject, Document) else None
    for user in recipients:
        if document is not None:
            document_grant_participant(
                document=document,
                user=user,
                granted_by=run.initiator,
                reason=_("Process step: %(step)s") % {"step": work_item.step_name},
            )
        notify(user, work_item, "assigned", _("New task: %(step)s") % {"step": work_item.step_name})
    if run.current_step != step.id:
        ProcessRun.objects.filter(pk=run.pk).update(current_step=step.id)


def _apply_action_deadline(work_item: WorkItem, now: datetime.datetime) -> None:
    """One deadline per assignment: when the step's action carries a deadline of its own (the
    date a leader set when assigning or forwarding), the task takes it instead of the step's
    default, and its reminder comes at the same share of the time left."""
    hook = get_action(work_item.action).deadline
    own = hook(work_item) if hook is not None else None
    if own is None:
        return
    deadline = as_deadline(own)
    left = calendar.working_time_between(now, deadline)
    work_item.deadline = deadline
    work_item.reminder_at = calendar.add_working_duration(now, left * float(REMINDER_SHARE))
    work_item.save(update_fields=["deadline", "reminder_at"])


def join_satisfied(activation, active_tasks) -> bool:
    """Join callback: enough parallel tasks are done for the step's completion rule."""
    step = current_step(activation.process)
    if step.join == "all":
        return False  # viewflow continues by itself once no task is active
    batch = (
        WorkItem.objects.filter(task__in=activation.task.previous.all())
        .values_list("batch", flat=True)
        .first()
    )
    done = WorkItem.objects.filter(batch=batch, status=WorkItem.Status.DONE).count()
    needed = 1 if step.join == "any" else int(step.join)
    return done >= needed


def move_on(activation) -> None:
    """Function callback after a step: choose the next step (return target or `next`)."""
    process = activation.process
    graph = graph_of(process)
    step = graph.step(process.data["step"])
    previous = activation.task.previous.select_related("work_item").first()
    work_item = getattr(previous, "work_item", None) if previous is not None else None
    if work_item is not None and work_item.outcome == WorkItem.Outcome.RETURNED:
        target = work_item.return_to
    else:
        target = step.next
        if step.type == PARALLEL:  # tasks the join cancelled
            WorkItem.objects.filter(run__process=process, step_id=step.id).filter(
                status=WorkItem.Status.OPEN
            ).update(status=WorkItem.Status.CANCELLED, completed_at=timezone.now())
    run = run_of(process)
    target = follow_branches(graph, target, _subject(run))
    process.data["step"] = target
    process.save(update_fields=["data"])
    ProcessRun.objects.filter(pk=run.pk).update(current_step=target)


def _host_work_item(activation) -> WorkItem | None:
    """The work item a timer belongs to (its host task, or the host of the reminder path)."""
    task = activation.task
    for _hop in range(4):
        previous = task.previous.select_related("work_item").first()
        if previous is None:
            return None
        work_item = getattr(previous, "work_item", None)
        if work_item is not None:
            return work_item
        task = previous
    return None


def reminder_time(activation) -> datetime.datetime:
    work_item = _host_work_item(activation)
    return (work_item.reminder_at if work_item else None) or NEVER


def deadline_time(activation) -> datetime.datetime:
    work_item = _host_work_item(activation)
    return (work_item.deadline if work_item else None) or NEVER


def send_reminder(activation) -> None:
    """Timer callback, fired once: remind the assignee (or the group) that the deadline nears."""
    work_item = _host_work_item(activation)
    if work_item is None or work_item.status != WorkItem.Status.OPEN:
        return
    WorkItem.objects.filter(pk=work_item.pk).update(reminded_at=timezone.now())
    people = [work_item.assignee] if work_item.assignee_id else list(work_item.candidates.all())
    when = timezone.localtime(work_item.deadline).strftime("%H:%M %d/%m/%Y")
    for user in people:
        notify(
            user,
            work_item,
            "reminder",
            _("Reminder: “%(step)s” is due at %(when)s")
            % {"step": work_item.step_name, "when": when},
        )
    RunEvent.objects.create(
        run=work_item.run, work_item=work_item, step_id=work_item.step_id, kind="reminded"
    )


def escalation_targets(work_item: WorkItem) -> list[User]:
    """Heads of the assignee's unit (for a group task: of the candidates' units)."""
    people = [work_item.assignee] if work_item.assignee_id else list(work_item.candidates.all())
    unit_ids = {person.unit_id for person in people if person.unit_id}
    heads = User.objects.filter(unit_id__in=unit_ids, role=Role.UNIT_HEAD, is_active=True)
    return [head for head in heads if head not in people] or list(heads)


def escalate_overdue(activation) -> None:
    """Timer callback at the deadline, fired once: tell the unit head the task is overdue."""
    work_item = _host_work_item(activation)
    if work_item is None or work_item.status != WorkItem.Status.OPEN:
        return
    WorkItem.objects.filter(pk=work_item.pk).update(escalated_at=timezone.now())
    who = str(work_item.assignee or _("unclaimed"))
    for head in escalation_targets(work_item):
        notify(
            head,
            work_item,
            "escalation",
            _("Overdue: “%(step)s” (%(who)s) passed its deadline")
            % {"step": work_item.step_name, "who": who},
        )
    RunEvent.objects.create(
        run=work_item.run, work_item=work_item, step_id=work_item.step_id, kind="escalated"
    )


def close_run(activation) -> None:
    """Before the end event: cancel timers still waiting, close the run."""
    process = activation.process
    for task in process.task_set.exclude(pk=activation.task.pk).filter(
        status__in=[STATUS.NEW, STATUS.SCHEDULED, STATUS.ASSIGNED]
    ):
        task_activation = task.flow_task.activation_class(task)
        if task_activation.cancel.can_proceed():
            task_activation.cancel()
    run = run_of(process)
    now = timezone.now()
    run.work_items.filter(status=WorkItem.Status.OPEN).update(
        status=WorkItem.Status.CANCELLED, completed_at=now
    )
    ProcessRun.objects.filter(pk=run.pk).update(finished_at=now, current_step=process.data["step"])
    RunEvent.objects.create(run=run, step_id=process.data["step"], kind="finished")
    subject = _subject(run) if run.document_id is None else None
    adapter = adapter_for(subject)
    if adapter is not None and adapter.on_finished is not None:
        adapter.on_finished(run, subject)


def notify(user: User, work_item: WorkItem | None, kind: str, text: str) -> Notification:
    """In-app notice, and an e-mail when the user has an address. A task on a registered
    subject (a dossier) names it: "New task: … — Hồ sơ <code> (<applicant>): <procedure>"."""
    url = reverse("workflows:task", args=[work_item.pk]) if work_item else ""
    summary = None
    if work_item is not None and work_item.document_id is None:
        summary = run_summaries([work_item.run]).get(work_item.run_id)
    if summary is not None:
        text = f"{text} — {summary.label}"
    notice = Notification.objects.create(
        user=user, work_item=work_item, kind=kind, text=text[:500], url=url
    )
    if user.email:
        from workflows.tasks import email_notification_task

        transaction.on_commit(lambda: email_notification_task.delay(notice.pk))
    return notice
