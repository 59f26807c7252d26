"""One deadline per assignment (issue 9, #7): the deadline a leader sets when assigning or
forwarding is the deadline of the task that carries the assignment — on the task page, the
task list, the tasks API, the document page and the reminder — shown also as whole working days
left ("còn 3 ngày làm việc"), never as "còn 10,0 ngày"."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task

from edoc.models import Assignment, User
from edoc.models.organisation import Role
from edoc.services.documents import incoming_register
from workflows import calendar
from workflows.deadlines import days_left_text, working_days_left
from workflows.models import WorkItem
from workflows.services.processes import work_item_complete
from workflows.shipped import install_shipped_definitions

pytestmark = pytest.mark.django_db

VN = calendar.VN_TZ


@pytest.fixture
def shipped(users, units):
    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    install_shipped_definitions(admin=admin, office=units["office"])
    return admin


def open_items(document) -> list[WorkItem]:
    return list(
        WorkItem.objects.filter(document=document, status=WorkItem.Status.OPEN).order_by("pk")
    )


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_forwarding_deadline_is_the_specialists_task_deadline(shipped, users, units, catalogs):
    document = incoming_register(
        user=users["clerk"],
        subject="Về việc báo cáo công tác tiêm chủng",
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )
    today = timezone.localdate()
    for_unit = calendar.add_working_days(today, 12)
    (assign,) = open_items(document)
    work_item_complete(
        user=users["director"],
        work_item=assign,
        data={"lead_unit": units["medical"], "deadline": for_unit},
    )
    (forward,) = open_items(document)
    # The unit head's task carries the unit's assignment: its deadline is the director's.
    assert forward.deadline == calendar.end_of_working_day(for_unit)

    # The unit head gives the specialist 8 working days: not the step's default of 5.
    chosen = calendar.add_working_days(today, 8)
    work_item_complete(
        user=users["head"],
        work_item=forward,
        data={"to_user": users["specialist"], "deadline": chosen},
    )
    (handle,) = open_items(document)
    assignment = Assignment.objects.get(document=document, user=users["specialist"])
    assert assignment.deadline == chosen
    assert handle.deadline.astimezone(VN).date() == chosen
    assert handle.deadline == calendar.end_of_working_day(chosen)
    # The reminder comes before that deadline, and the reminder timer waits for it.
    assert timezone.now() < handle.reminder_at < handle.deadline
    reminder_timer = Task.objects.get(
        process_id=handle.run.process_id,
        flow_task_type="TIMER",
        status="SCHEDULED",
        previous=handle.task,
    )
    assert reminder_timer.scheduled == handle.reminder_at

    shown = chosen.strftime("%d/%m/%Y")
    left = calendar.working_days_between(today, chosen)
    assert left == 8 and working_days_left(handle.deadline) == 8
    words = f"còn {left} ngày làm việc"
    specialist = login(users["specialist"])

    task_page = specialist.get(reverse("workflows:task", args=[handle.pk])).content.decode()
    deadline_cell = re.search(r'id="task-deadline">(.*?)</dd>', task_page, re.S).group(1)
    assert shown in deadline_cell and words in deadline_cell

    inbox = specialist.get(reverse("workflows:inbox")).content.decode()
    row = re.search(rf'<tr data-task-id="{handle.pk}".*?</tr>', inbox, re.S).group(0)
    assert shown in row and words in row

    api = specialist.get("/api/tasks/").json()
    (listed,) = [task for task in api["results"] if task["id"] == handle.pk]
    assert listed["deadline"].startswith(chosen.isoformat())
    assert listed["working_days_left"] == 8

    document_page = specialist.get(reverse("edoc:document_detail", args=[document.pk]))
    html = document_page.content.decode()
    assignments = re.search(r'id="assignments".*?</section>', html, re.S).group(0)
    specialist_row = [row for row in assignments.split("<tr") if "Võ Thành Nam" in row][0]
    assert shown in specialist_row and words in specialist_row
    panel = re.search(r'id="document-my-tasks".*?</ul>', html, re.S).group(0)
    assert shown in panel and words in panel
    assert not re.search(r"\d,\d ngày", html + inbox + task_page)


def test_working_days_left_counts_whole_days_of_the_calendar():
    friday = datetime.datetime(2026, 4, 24, 10, 0, tzinfo=VN)  # 27/4 compensatory, 30/4, 1/5 off
    due = calendar.end_of_working_day(datetime.date(2026, 5, 7))
    assert working_days_left(due, friday) == 6  # 28, 29/4, 4, 5, 6, 7/5
    assert working_days_left(datetime.date(2026, 5, 7), friday) == 6
    assert days_left_text(due, friday) == "còn 6 ngày làm việc"
    assert days_left_text(friday.replace(hour=16), friday) == "hạn trong hôm nay"
    late = datetime.datetime(2026, 5, 11, 9, 0, tzinfo=VN)  # Monday after Friday 8/5
    assert working_days_left(due, late) == -2  # 8/5 and 11/5
    assert days_left_text(due, late) == "quá hạn 2 ngày làm việc"
    assert days_left_text(late.replace(hour=8), late) == "quá hạn từ hôm nay"
    assert days_left_text(None, late) == "" and working_days_left(None, late) is None


def test_forwarding_from_the_document_page_gives_the_task_the_same_deadline(
    shipped, users, units, catalogs
):
    from edoc.services.handling import assignment_forward

    document = incoming_register(
        user=users["clerk"],
        subject="Về việc kiểm tra an toàn thực phẩm",
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )
    (assign,) = open_items(document)
    work_item_complete(
        user=users["director"], work_item=assign, data={"lead_unit": units["medical"]}
    )
    (forward,) = open_items(document)
    assert forward.deadline is not None  # no date from the director: the step's default
    chosen = calendar.add_working_days(timezone.localdate(), 3)
    lead = Assignment.objects.get(document=document, unit=units["medical"], user__isnull=True)
    assignment_forward(
        user=users["head"], assignment=lead, to_user=users["specialist"], deadline=chosen
    )
    (handle,) = open_items(document)
    assert handle.step_id == "handle" and handle.deadline == calendar.end_of_working_day(chosen)
