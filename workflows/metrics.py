"""Overdue tasks for /metrics (observability.registry)."""

from __future__ import annotations

from django.utils import timezone

from workflows.models import WorkItem


def overdue_task_count() -> int:
    """Open tasks whose deadline has passed."""
    return WorkItem.objects.filter(status=WorkItem.Status.OPEN, deadline__lt=timezone.now()).count()


def register() -> None:
    from observability.registry import register_gauge

    register_gauge(
        "workflow_tasks_overdue",
        "Open workflow tasks past their deadline.",
        overdue_task_count,
    )
