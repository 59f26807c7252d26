"""Writes on running processes: start, complete, return, claim, reassign; fire timers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import PROCESS, STATUS

from edoc.models import Document, User
from edoc.selectors.access import Actor
from edoc.services.audit import audit_record
from edoc.text import nfc_inputs
from workflows import access
from workflows.actions import can_return_to
from workflows.graph import USER
from workflows.models import DefinitionVersion, ProcessDefinition, ProcessRun, RunEvent, WorkItem
from workflows.subjects import subject_ref, subject_step_check


def _flow():
    from workflows.flows import DefinitionFlow

    return DefinitionFlow


@transaction.atomic
def process_start(
    *,
    user: User,
    definition: ProcessDefinition,
    document: Document | None = None,
    subject: Any = None,
) -> ProcessRun:
    """Start a run on the definition's latest published version (pinned for its whole life).
    `subject` is a non-document subject registered in `workflows.subjects` (a dossier)."""
    version = definition.published_version()
    if version is None:
        raise ValidationError(_("“%(name)s” has no published version.") % {"name": definition})
    process = _flow().start.run(version=version, initiator=user, document=document, subject=subject)
    run = ProcessRun.objects.get(process=process)
    RunEvent.objects.create(
        run=run, kind="started", actor=user, step_id=version.graph.get("start", "")
    )
    audit_record(
        actor=user,
        action="process.start",
        target=run,
        details={
            "definition": definition.key,
            "version": version.number,
            "document": getattr(document, "pk", None),
            "subject": subject_ref(subject),
        },
    )
    return run


@transaction.atomic
def process_cancel(*, user: User, run: ProcessRun, reason: str = "") -> ProcessRun:
    """End a run before its end step (its subject was stopped or withdrawn): open tasks and
    waiting timers are cancelled in viewflow and in the inbox, and the run is finished."""
    run = ProcessRun.objects.select_for_update().get(pk=run.pk)
    if run.finished_at is not None:
        return run
    process = run.process
    now = timezone.now()
    with _flow().lock(process.pk):
        waiting = [STATUS.NEW, STATUS.SCHEDULED, STATUS.ASSIGNED, STATUS.STARTED]
        for task in process.task_set.filter(status__in=waiting):
            activation = task.flow_task.activation_class(task)
            if activation.cancel.can_proceed():
                activation.cancel()
        run.work_items.filter(status=WorkItem.Status.OPEN).update(
            status=WorkItem.Status.CANCELLED, completed_at=now
        )
        process.status = PROCESS.CANCELED
        process.finished = now
        process.save(update_fields=["status", "finished"])
        ProcessRun.objects.filter(pk=run.pk).update(finished_at=now)
    RunEvent.objects.create(run=run, kind="cancelled", actor=user, comment=reason)
    audit_record(actor=user, action="process.cancel", target=run, details={"reason": reason})
    run.finished_at = now
    return run


def startable_definitions(user: User, document: Document):
    """Published definitions the user may start on a document they can see."""
    from edoc.selectors.access import visible_documents

    if not visible_documents(user).filter(pk=document.pk).exists():
        return ProcessDefinition.objects.none()
    running = ProcessRun.objects.filter(document=document, finished_at__isnull=True).values(
        "version__definition_id"
    )
    return (
        ProcessDefinition.objects.filter(
            subject_kind__in=["any", document.direction],
            versions__status=DefinitionVersion.Status.PUBLISHED,
        )
        .exclude(pk__in=running)
        .distinct()
        .order_by("name")
    )


@transaction.atomic
def process_start_on_document(
    *, user: User, definition: ProcessDefinition, document: Document
) -> ProcessRun:
    """Start a definition on a document by hand (it must suit the document and not be running)."""
    if not startable_definitions(user, document).filter(pk=definition.pk).exists():
        raise PermissionDenied(_("This process cannot be started on this document."))
    return process_start(user=user, definition=definition, document=document)


def _locked(work_item: WorkItem) -> WorkItem:
    return (
        WorkItem.objects.select_for_update(of=("self",))
        .select_related("task", "run", "assignee")
        .get(pk=work_item.pk)
    )


def _already_done(work_item: WorkItem) -> ValidationError:
    return ValidationError(
        _("This task has already been handled (%(status)s).")
        % {"status": work_item.get_status_display()},
        code="already_done",
    )


def _finish(
    work_item: WorkItem, actor: Actor, *, outcome: str, comment: str, return_to: str = ""
) -> None:
    """Close the work item and let the flow move on, under the process lock."""
    flow = _flow()
    with flow.lock(work_item.run.process_id):
        # Read again under the lock, with its process (the activation needs it): one query.
        task = type(work_item.task).objects.select_related("process").get(pk=work_item.task_id)
        work_item.task = task
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.NEW:  # a group task completed by a candidate: claim it first
            activation.assign(actor.principal)
        work_item.status = (
            WorkItem.Status.RETURNED
            if outcome == WorkItem.Outcome.RETURNED
            else WorkItem.Status.DONE
        )
        work_item.outcome = outcome
        work_item.return_to = return_to
        work_item.comment = comment
        work_item.completed_by = actor.user
        work_item.on_behalf_of = actor.on_behalf_of
        work_item.completed_at = timezone.now()
        if work_item.assignee_id is None:
            work_item.assignee = actor.principal
        work_item.save()
        activation.start(None)
        activation.execute()


@nfc_inputs
@transaction.atomic
def work_item_complete(
    *,
    user: User,
    work_item: WorkItem,
    comment: str = "",
    data: dict | None = None,
    action_done: bool = False,
) -> WorkItem:
    """Finish one's task: perform the step's action with `data` (the action form's cleaned
    data) — unless `action_done`, when the user already did it in the registry — then the
    process moves to the next step."""
    from workflows.actions import get_action, performing

    work_item = _locked(work_item)
    if work_item.status != WorkItem.Status.OPEN:
        raise _already_done(work_item)
    actor = access.work_item_actor(user, work_item)
    if actor is None:
        raise PermissionDenied(_("This task is not yours."))
    subject_step_check(work_item)
    spec = get_action(work_item.action)
    if spec.perform is not None and not action_done:
        with performing(work_item.pk):
            spec.perform(actor, work_item, {**(data or {}), "comment": comment})
    # Recorded first so the history reads in order when the process finishes with this task.
    _record(work_item, actor, "completed", comment, "task.complete")
    _finish(work_item, actor, outcome=WorkItem.Outcome.COMPLETED, comment=comment)
    return work_item


def returnable_steps(work_item: WorkItem) -> list[tuple[str, str]]:
    """Earlier user steps of this run that a task may be sent back to: (id, name)."""
    from workflows.engine import graph_of

    graph = graph_of(work_item.run.process)
    step = graph.step(work_item.step_id)
    if step.type != USER or not step.allow_return:
        return []
    visited = (
        work_item.run.work_items.exclude(step_id=work_item.step_id)
        .filter(status__in=[WorkItem.Status.DONE, WorkItem.Status.RETURNED])
        .order_by("created_at")
        .values_list("step_id", flat=True)
    )
    seen: dict[str, str] = {}
    for step_id in visited:
        target = graph.by_id.get(step_id)
        if can_return_to(target):
            seen[step_id] = target.name or step_id
    return list(seen.items())


@nfc_inputs
@transaction.atomic
def work_item_return(*, user: User, work_item: WorkItem, to_step: str, reason: str) -> WorkItem:
    """Send the process back to an earlier step with a reason."""
    if not reason:
        raise ValidationError({"reason": _("Say why you return it.")})
    work_item = _locked(work_item)
    if work_item.status != WorkItem.Status.OPEN:
        raise _already_done(work_item)
    actor = access.work_item_actor(user, work_item)
    if actor is None:
        raise PermissionDenied(_("This task is not yours."))
    if to_step not in dict(returnable_steps(work_item)):
        raise ValidationError({"to_step": _("This task cannot be returned to that step.")})
    _reopen_target(work_item, actor, to_step, reason)
    _record(work_item, actor, "returned", reason, "task.return", {"to_step": to_step})
    _finish(work_item, actor, outcome=WorkItem.Outcome.RETURNED, comment=reason, return_to=to_step)
    from workflows.integration import registry_task_returned

    registry_task_returned(actor, work_item, to_step, reason)
    return work_item


def _reopen_target(work_item: WorkItem, actor: Actor, to_step: str, reason: str) -> None:
    """Let the target step's action give its work back (`ActionSpec.reopen`)."""
    from workflows.actions import get_action, performing
    from workflows.engine import graph_of

    target = graph_of(work_item.run.process).by_id.get(to_step)
    reopen = get_action(target.action).reopen if target is not None else None
    if reopen is not None:
        with performing(work_item.pk):
            reopen(actor, work_item, reason)


@transaction.atomic
def work_item_claim(*, user: User, work_item: WorkItem) -> WorkItem:
    """A member of the group takes the group task."""
    work_item = _locked(work_item)
    if work_item.status != WorkItem.Status.OPEN:
        raise _already_done(work_item)
    if work_item.assignee_id is not None:
        raise ValidationError(_("Someone has already claimed this task."), code="already_claimed")
    if not access.is_candidate(user, work_item):
        raise PermissionDenied(_("You are not in the group of this task."))
    with _flow().lock(work_item.run.process_id):
        task = work_item.task
        task.refresh_from_db()
        task.flow_task.activation_class(task).assign(user)
        work_item.assignee = user
        work_item.save(update_fields=["assignee"])
    _record(work_item, Actor(user), "claimed", "", "task.claim")
    return work_item


@nfc_inputs
@transaction.atomic
def work_item_reassign(
    *, user: User, work_item: WorkItem, to_user: User, comment: str = ""
) -> WorkItem:
    """Give the task to someone else of the agency."""
    work_item = _locked(work_item)
    if work_item.status != WorkItem.Status.OPEN:
        raise _already_done(work_item)
    if not access.can_reassign(user, work_item):
        raise PermissionDenied(_("You may not reassign this task."))
    if (
        not to_user.is_active
        or not to_user.unit_id
        or (user.unit_id and to_user.unit.agency_id != user.unit.agency_id)
    ):
        raise ValidationError({"to_user": _("Choose an active member of the agency.")})
    with _flow().lock(work_item.run.process_id):
        task = work_item.task
        task.refresh_from_db()
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.NEW:
            activation.assign(to_user)
        else:
            activation.reassign(to_user)
        previous = work_item.assignee
        work_item.assignee = to_user
        work_item.save(update_fields=["assignee"])
    _record(
        work_item,
        Actor(user),
        "reassigned",
        comment,
        "task.reassign",
        {"from": getattr(previous, "username", None), "to": to_user.username},
    )
    from workflows.engine import notify

    notify(to_user, work_item, "assigned", _("New task: %(step)s") % {"step": work_item.step_name})
    return work_item


def _record(
    work_item: WorkItem, actor: Actor, kind: str, comment: str, action: str, details=None
) -> None:
    RunEvent.objects.create(
        run=work_item.run,
        work_item=work_item,
        step_id=work_item.step_id,
        kind=kind,
        actor=actor.user,
        on_behalf_of=actor.on_behalf_of,
        comment=comment,
    )
    audit_record(
        actor=actor.user,
        on_behalf_of=actor.on_behalf_of,
        action=action,
        target=work_item,
        details={"run": work_item.run_id, "step": work_item.step_id, **(details or {})},
    )


def fire_timers() -> int:
    """Fire every due reminder and escalation timer (each fires once); returns how many."""
    from viewflow.workflow.timers import fire_due_timers

    return fire_due_timers()


__all__ = [
    "DefinitionVersion",
    "fire_timers",
    "process_start",
    "process_start_on_document",
    "startable_definitions",
    "returnable_steps",
    "work_item_claim",
    "work_item_complete",
    "work_item_reassign",
    "work_item_return",
]
