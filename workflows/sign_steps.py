"""The processes' "sign" steps, as signing asks for them (`signing.steps`, a lower layer):
whose step it is comes from `workflows.access`, the order of the signatures from the process
graph; completing the step signs through its action (`workflows.integration`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from edoc.models import Document, User
from edoc.selectors.access import Actor
from signing.steps import SIGN_ACTION
from workflows import access
from workflows.models import WorkItem
from workflows.task_forms import CompleteTaskForm


class ProcessSignSteps:
    """`signing.steps.SignSteps` over the open "sign" work items of a document's runs."""

    def step_for(
        self, user: User, document: Document, task: WorkItem | None = None
    ) -> tuple[WorkItem, Actor] | tuple[None, None]:
        if task is not None:
            if (
                task.document_id != document.pk
                or task.action != SIGN_ACTION
                or task.status != WorkItem.Status.OPEN
            ):
                return None, None
            actor = access.work_item_actor(user, task)
            return (task, actor) if actor is not None else (None, None)
        open_steps = WorkItem.objects.filter(
            document=document, status=WorkItem.Status.OPEN, action=SIGN_ACTION
        )
        return next(access.acting_on(user, open_steps), (None, None))

    def signature_slots(self, task: WorkItem) -> tuple[tuple[str, ...], str]:
        from workflows.engine import graph_of

        graph = graph_of(task.run.process)
        steps = graph.by_id
        ordered: list[str] = []
        seen: set[str] = set()
        queue = [graph.start] if graph.start else []
        while queue:
            step_id = queue.pop(0)
            if step_id in seen or step_id not in steps:
                continue
            seen.add(step_id)
            step = steps[step_id]
            if step.action == SIGN_ACTION:
                ordered.append(step_id)
            queue.extend(
                target
                for target in [step.next, *(b.get("next") for b in step.branches), step.default]
                if target
            )
        if task.step_id not in ordered:
            ordered.append(task.step_id)
        return tuple(ordered), task.step_id

    def complete(self, *, user: User, task: WorkItem, comment: str, data: dict[str, Any]) -> None:
        from workflows.services.processes import work_item_complete

        work_item_complete(user=user, work_item=task, comment=comment, data=data)

    def comment_form(self, data: Any = None) -> CompleteTaskForm:
        return CompleteTaskForm(data)

    def task_url(self, task: WorkItem) -> str:
        return reverse("workflows:task", args=[task.pk])
