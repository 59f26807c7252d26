"""Output representations of tasks and runs. JSON keys are part of the public contract: add keys
freely, never rename or remove one.

Task serializers read their per-request facts from the context (see `task_context`): the
caller's delegators, the time of the request and the steps each task may be returned to, so
that a page of tasks is serialized without a query per task.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from viewflow.workflow.status import PROCESS

from edoc.api.serializers import UserRefSerializer
from edoc.models import Document, User
from edoc.selectors.access import delegators_of
from workflows import access
from workflows.actions import get_action
from workflows.calendar import VN_TZ
from workflows.deadlines import working_days_left
from workflows.engine import graph_of
from workflows.models import ProcessRun, RunEvent, WorkItem
from workflows.selectors import returnable_steps_of
from workflows.subjects import SubjectSummary, run_summaries, work_item_summaries

TASK_RELATED = (
    "assignee",
    "completed_by",
    "on_behalf_of",
    "document",
    "run__process",
    "run__version__definition",
)


def vn_datetime_field(**kwargs: Any) -> serializers.DateTimeField:
    """ISO 8601 in Vietnam time (+07:00), whatever the server's time zone."""
    return serializers.DateTimeField(read_only=True, default_timezone=VN_TZ, **kwargs)


def task_queryset(user: User, queryset: QuerySet[WorkItem] | None = None) -> QuerySet[WorkItem]:
    """Tasks with everything the task serializers read, joined in the same query; `queryset`
    (default: every task) is narrowed by the caller's access rules beforehand."""
    queryset = WorkItem.objects.all() if queryset is None else queryset
    return queryset.select_related(*TASK_RELATED).annotate(
        caller_is_candidate=access.candidate_annotation(user)
    )


def task_context(request: Any, items: Iterable[WorkItem]) -> dict[str, Any]:
    """What the task serializers need to know about the caller and the tasks."""
    return {
        "request": request,
        "now": timezone.now(),
        "delegator_ids": {user.pk for user in delegators_of(request.user)},
        "returnable": returnable_steps_of(items),
        "subjects": work_item_summaries(items),
    }


class TaskDocumentSerializer(serializers.ModelSerializer):
    symbol = serializers.CharField(read_only=True, help_text=_('Number and notation: "15/KH-SYT".'))

    class Meta:
        model = Document
        fields = ("id", "symbol", "subject", "direction")


class TaskSubjectSerializer(serializers.Serializer):
    """What a task is about: a document, or a registered subject such as a one-stop dossier."""

    kind = serializers.CharField(
        help_text=_('"document", "dossier" or "apology" (an apology letter of a dossier).')
    )
    id = serializers.IntegerField(help_text=_("Id of the document, dossier or letter."))
    code = serializers.CharField(
        help_text=_("The document's number and notation, or the dossier's code (\"\" before one).")
    )
    title = serializers.CharField(
        help_text=_("The document's subject, or the name of the dossier's procedure.")
    )
    applicant = serializers.CharField(help_text=_('The dossier\'s applicant ("" for documents).'))
    procedure = serializers.CharField(
        help_text=_('The dossier\'s procedure, "code – name" ("" for documents).')
    )
    url = serializers.CharField(help_text=_("Path of its staff page."))


def _summary_data(summary: SubjectSummary | None) -> dict[str, Any] | None:
    return TaskSubjectSerializer(summary).data if summary is not None else None


class TaskProcessSerializer(serializers.ModelSerializer):
    definition = serializers.CharField(
        source="version.definition.key", read_only=True, help_text=_("Definition key.")
    )
    name = serializers.CharField(
        source="version.definition.name", read_only=True, help_text=_("Definition name.")
    )
    version = serializers.IntegerField(source="version.number", read_only=True)
    current_step = serializers.CharField(
        read_only=True, help_text=_("Id of the step the run is at.")
    )

    class Meta:
        model = ProcessRun
        fields = ("id", "definition", "name", "version", "current_step")


class ReturnTargetSerializer(serializers.Serializer):
    step_id = serializers.CharField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="Task")
class TaskSerializer(serializers.ModelSerializer):
    """One task (work item) as its assignee, their delegate or a group member sees it."""

    status = serializers.ChoiceField(choices=WorkItem.Status.choices, read_only=True)
    assignee = UserRefSerializer(
        read_only=True, allow_null=True, help_text=_("Null for an unclaimed group task.")
    )
    claimable = serializers.SerializerMethodField(
        help_text=_("An unclaimed group task you may claim.")
    )
    on_behalf_of = serializers.SerializerMethodField(
        help_text=_(
            "Open task: the leader you would act for (their delegation to you is active). "
            "Closed task: whom it was completed on behalf of. Null otherwise."
        )
    )
    deadline = vn_datetime_field(allow_null=True)
    working_days_left = serializers.SerializerMethodField(
        help_text=_(
            "Open task with a deadline: whole working days left by the working-day calendar "
            "(0: due today; negative: working days overdue). Null otherwise."
        )
    )
    overdue = serializers.SerializerMethodField()
    reminder_sent = serializers.SerializerMethodField()
    document = TaskDocumentSerializer(read_only=True, allow_null=True)
    subject = serializers.SerializerMethodField(
        help_text=_(
            "What the task is about: its document (also under document) or a one-stop "
            "dossier (kind, id, code, title, applicant, procedure, url)."
        )
    )
    process = TaskProcessSerializer(source="run", read_only=True)
    returnable_to = serializers.SerializerMethodField(
        help_text=_("Earlier steps this task may be returned to.")
    )
    created_at = vn_datetime_field()

    class Meta:
        model = WorkItem
        fields = (
            "id",
            "step_id",
            "step_name",
            "action",
            "status",
            "assignee",
            "claimable",
            "on_behalf_of",
            "deadline",
            "working_days_left",
            "overdue",
            "reminder_sent",
            "document",
            "subject",
            "process",
            "returnable_to",
            "created_at",
        )

    def get_claimable(self, item: WorkItem) -> bool:
        return bool(
            item.status == WorkItem.Status.OPEN
            and item.assignee_id is None
            and getattr(item, "caller_is_candidate", False)
        )

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_on_behalf_of(self, item: WorkItem) -> dict[str, Any] | None:
        if item.status == WorkItem.Status.OPEN:
            delegators = self.context.get("delegator_ids", set())
            person = item.assignee if item.assignee_id in delegators else None
        else:
            person = item.on_behalf_of
        return UserRefSerializer(person).data if person else None

    @extend_schema_field(TaskSubjectSerializer(allow_null=True))
    def get_subject(self, item: WorkItem) -> dict[str, Any] | None:
        subjects = self.context.get("subjects")
        if subjects is None:
            subjects = work_item_summaries([item])
        return _summary_data(subjects.get(item.pk))

    def get_overdue(self, item: WorkItem) -> bool:
        now: datetime.datetime = self.context.get("now") or timezone.now()
        return bool(item.status == WorkItem.Status.OPEN and item.deadline and item.deadline < now)

    def get_working_days_left(self, item: WorkItem) -> int | None:
        if item.status != WorkItem.Status.OPEN:
            return None
        return working_days_left(item.deadline, self.context.get("now"))

    def get_reminder_sent(self, item: WorkItem) -> bool:
        return item.reminded_at is not None

    @extend_schema_field(ReturnTargetSerializer(many=True))
    def get_returnable_to(self, item: WorkItem) -> list[dict[str, str]]:
        steps = self.context.get("returnable", {}).get(item.pk, [])
        return [{"step_id": step_id, "name": name} for step_id, name in steps]


@extend_schema_serializer(component_name="TaskDetail")
class TaskDetailSerializer(TaskSerializer):
    """A task with its outcome once handled."""

    action_label = serializers.SerializerMethodField()
    outcome = serializers.ChoiceField(
        choices=WorkItem.Outcome.choices,
        read_only=True,
        allow_blank=True,
        help_text=_('"completed" or "returned" once handled; "" while open.'),
    )
    comment = serializers.CharField(
        read_only=True, help_text=_("The completion comment or the reason of a return.")
    )
    return_to = serializers.CharField(
        read_only=True, help_text=_("The step it was returned to, if returned.")
    )
    completed_by = UserRefSerializer(read_only=True, allow_null=True)
    completed_at = vn_datetime_field(allow_null=True)

    class Meta(TaskSerializer.Meta):
        fields = (
            *TaskSerializer.Meta.fields,
            "action_label",
            "outcome",
            "comment",
            "return_to",
            "completed_by",
            "completed_at",
        )

    def get_action_label(self, item: WorkItem) -> str:
        return str(get_action(item.action).label)


class RunEventSerializer(serializers.ModelSerializer):
    step = serializers.CharField(source="step_id", read_only=True, help_text=_("Step id."))
    step_name = serializers.SerializerMethodField()
    actor = UserRefSerializer(read_only=True, allow_null=True)
    on_behalf_of = UserRefSerializer(read_only=True, allow_null=True)
    at = vn_datetime_field(source="created_at")

    class Meta:
        model = RunEvent
        fields = ("id", "kind", "step", "step_name", "actor", "on_behalf_of", "comment", "at")
        extra_kwargs = {
            "kind": {
                "help_text": _(
                    "started, completed, returned, claimed, reassigned, reminded, escalated, "
                    "finished"
                )
            }
        }

    def get_step_name(self, event: RunEvent) -> str:
        names = self.context.get("step_names", {})
        return names.get(event.step_id, event.step_id)


class ProcessStatus(models.TextChoices):
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")
    CANCELLED = "cancelled", _("cancelled")


@extend_schema_serializer(component_name="ProcessRun")
class ProcessRunSerializer(TaskProcessSerializer):
    """A run with its history and its open tasks."""

    current_step_name = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    document = TaskDocumentSerializer(read_only=True, allow_null=True)
    subject = serializers.SerializerMethodField(
        help_text=_("What the run is about (as a task's subject).")
    )
    initiator = UserRefSerializer(read_only=True)
    started_at = vn_datetime_field()
    finished_at = vn_datetime_field(allow_null=True)
    history = serializers.SerializerMethodField(help_text=_("Oldest first."))
    open_tasks = serializers.SerializerMethodField()

    class Meta(TaskProcessSerializer.Meta):
        fields = (
            *TaskProcessSerializer.Meta.fields,
            "current_step_name",
            "status",
            "document",
            "subject",
            "initiator",
            "started_at",
            "finished_at",
            "history",
            "open_tasks",
        )

    def get_current_step_name(self, run: ProcessRun) -> str:
        return self.context.get("step_names", {}).get(run.current_step, run.current_step)

    @extend_schema_field(TaskSubjectSerializer(allow_null=True))
    def get_subject(self, run: ProcessRun) -> dict[str, Any] | None:
        return _summary_data(run_summaries([run]).get(run.pk))

    @extend_schema_field(serializers.ChoiceField(choices=ProcessStatus.choices))
    def get_status(self, run: ProcessRun) -> str:
        if run.process.status == PROCESS.CANCELED:
            return ProcessStatus.CANCELLED
        return ProcessStatus.FINISHED if run.is_finished else ProcessStatus.RUNNING

    @extend_schema_field(RunEventSerializer(many=True))
    def get_history(self, run: ProcessRun) -> list[dict[str, Any]]:
        events = run.events.select_related("actor", "on_behalf_of").order_by("created_at", "pk")
        return RunEventSerializer(events, many=True, context=self.context).data

    @extend_schema_field(TaskSerializer(many=True))
    def get_open_tasks(self, run: ProcessRun) -> list[dict[str, Any]]:
        items = self.context.get("open_tasks", [])
        return TaskSerializer(items, many=True, context=self.context).data


def process_context(request: Any, run: ProcessRun) -> dict[str, Any]:
    """The serializer context of a run: its open tasks and the names of its steps."""
    items = list(
        task_queryset(request.user, run.work_items.filter(status=WorkItem.Status.OPEN)).order_by(
            "created_at", "pk"
        )
    )
    graph = graph_of(run.process)
    return {
        **task_context(request, items),
        "open_tasks": items,
        "step_names": {step.id: step.name or step.id for step in graph.steps},
    }
