"""The dossier's clock: the appointment counted in working days from reception, paused while
the citizen supplements papers and moved by exactly the paused office time (the open tasks of
its process and their timers too)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from onestop.models import Dossier, Procedure
from workflows import calendar


def due_from(received_at: datetime.datetime, procedure: Procedure) -> datetime.datetime:
    """The appointment: `processing_days` working days after reception (the one calendar)."""
    return calendar.deadline_for(received_at, days=procedure.processing_days)


def _pause(dossier: Dossier, now: datetime.datetime) -> None:
    if dossier.received_at is not None and dossier.paused_at is None:
        dossier.paused_at = now


def _resume(dossier: Dossier, now: datetime.datetime) -> datetime.timedelta:
    """Stop the pause: the appointment moves by exactly the paused office time."""
    if dossier.paused_at is None:
        return datetime.timedelta()
    paused = calendar.working_time_between(dossier.paused_at, now)
    if dossier.due_at is not None and paused:
        dossier.due_at = calendar.add_working_duration(dossier.due_at, paused)
    days = Decimal(paused / calendar.working_day_length()).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    dossier.paused_working_days += days
    dossier.paused_at = None
    return paused


def _shift_task_deadlines(dossier: Dossier, paused: datetime.timedelta) -> None:
    """The open tasks of the dossier's process get the paused office time back too: their
    deadline, a reminder not yet sent and the process's waiting timers (reminder, escalation)
    move by it."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from workflows.models import ProcessRun, WorkItem

    run = ProcessRun.objects.filter(pk=dossier.run_id, finished_at__isnull=True).first()
    if not paused or run is None:
        return
    for item in WorkItem.objects.filter(run=run, status=WorkItem.Status.OPEN):
        fields = []
        if item.deadline is not None:
            item.deadline = calendar.add_working_duration(item.deadline, paused)
            fields.append("deadline")
        if item.reminder_at is not None and item.reminded_at is None:
            item.reminder_at = calendar.add_working_duration(item.reminder_at, paused)
            fields.append("reminder_at")
        if fields:
            item.save(update_fields=fields)
    timers = Task.objects.filter(
        process_id=run.process_id, flow_task_type="TIMER", status=STATUS.SCHEDULED
    ).exclude(scheduled=None)
    for timer in timers:
        timer.scheduled = calendar.add_working_duration(timer.scheduled, paused)
        timer.save(update_fields=["scheduled"])
