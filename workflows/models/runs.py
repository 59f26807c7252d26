"""Running processes and their work items (the tasks people see in their inbox)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

from .definitions import DefinitionVersion


class ProcessRun(models.Model):
    """Our side of a viewflow process: the pinned definition version and the subject."""

    process = models.OneToOneField(Process, on_delete=models.CASCADE, related_name="run")
    version = models.ForeignKey(
        DefinitionVersion,
        on_delete=models.PROTECT,  # a definition in use cannot be deleted
        related_name="runs",
        verbose_name=_("definition version"),
    )
    document = models.ForeignKey(
        "edoc.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="process_runs",
    )
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    current_step = models.CharField(_("current step"), max_length=50, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("running process")
        verbose_name_plural = _("running processes")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.version.definition} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class WorkItem(models.Model):
    """A user task of a run: one person's (or a group's) part of one step."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("completed")
        RETURNED = "returned", _("returned")

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="work_item")
    run = models.ForeignKey(ProcessRun, on_delete=models.CASCADE, related_name="work_items")
    document = models.ForeignKey(
        "edoc.Document", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    step_id = models.CharField(max_length=50)
    step_name = models.CharField(_("step"), max_length=200)
    action = models.CharField(max_length=30, default="generic")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_items",
        verbose_name=_("assignee"),
    )
    candidates = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="claimable_work_items"
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    reminder_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    batch = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The split task of a parallel step's tasks."
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    return_to = models.CharField(max_length=50, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["deadline", "created_at"]
        indexes = [
            models.Index(fields=["assignee", "status", "deadline"]),
            models.Index(fields=["status", "deadline"]),
        ]

    def __str__(self) -> str:
        return f"{self.step_name} — {self.assignee or _('unclaimed')}"


class RunEvent(models.Model):
    """One line of a run's history: who did what, when, with which comment."""

    run = models.ForeignKey(ProcessRun, on_delete=models.CASCADE, related_name="events")
    work_item = models.ForeignKey(
        WorkItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    step_id = models.CharField(max_length=50, blank=True)
    kind = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.step_id}"


class Notification(models.Model):
    """An in-app notice (also e-mailed when the user has an address): reminders, escalations."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    work_item = models.ForeignKey(
        WorkItem, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text
