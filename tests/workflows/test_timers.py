"""Reminders before a deadline and escalation when overdue: database timers, each fires once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from viewflow.workflow.models import Task

from edoc.models import User
from edoc.models.organisation import Role
from workflows.models import Notification, WorkItem
from workflows.services.definitions import definition_create, version_publish
from workflows.services.processes import fire_timers, process_start, work_item_complete

GRAPH = {
    "start": "handle",
    "steps": [
        {
            "id": "handle",
            "name": "Xử lý",
            "type": "user",
            "assignee": {"rule": "initiator"},
            "deadline": {"days": 2},
            "next": "done",
        },
        {"id": "done", "type": "end", "name": "Xong"},
    ],
}


@pytest.fixture
def run(users, units, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    definition = definition_create(user=admin, key="hen", name="Hẹn giờ", graph=GRAPH)
    version_publish(user=admin, definition=definition)
    users["specialist"].email = "nam@soyte.example"
    users["specialist"].save()
    return process_start(user=users["specialist"], definition=definition)


def _due_now(flow_task_name: str) -> None:
    """Move the run's waiting timers of one node to the past, as if time had passed."""
    past = timezone.now() - datetime.timedelta(minutes=1)
    Task.objects.filter(flow_task_type="TIMER", status="SCHEDULED").filter(
        flow_task__endswith=flow_task_name
    ).update(scheduled=past)


@pytest.mark.django_db(transaction=True)
def test_deadline_reminder_and_escalation_each_fire_once(run, users):
    item = run.work_items.get()
    assert item.reminder_at < item.deadline
    assert fire_timers() == 0  # nothing is due yet

    _due_now("user_task__timeout")
    assert fire_timers() == 1
    assert fire_timers() == 0
    reminder = Notification.objects.get(kind="reminder")
    assert reminder.user == users["specialist"] and "Xử lý" in reminder.text
    assert [message.to for message in mail.outbox] == [["nam@soyte.example"]] * 2  # new + reminder

    _due_now("wait_deadline")
    call_command("fire_timers")
    escalation = Notification.objects.get(kind="escalation")
    assert escalation.user == users["head"]  # the specialist's unit head
    assert WorkItem.objects.get(pk=item.pk).escalated_at is not None
    assert fire_timers() == 0
    assert Notification.objects.filter(kind__in=["reminder", "escalation"]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_task_done_in_time_is_neither_reminded_nor_escalated(run, users):
    item = run.work_items.get()
    work_item_complete(user=users["specialist"], work_item=item)
    _due_now("")
    fire_timers()
    assert not Notification.objects.filter(kind__in=["reminder", "escalation"]).exists()
    run.refresh_from_db()
    assert run.is_finished and run.process.status == "DONE"
