"""Dossier tasks name their dossier: the code, the applicant and the procedure on the task
list (and its menu filters), the notifications page, the process and task pages, in the tasks
API (a `subject` object) and in the notifications (in-app and e-mail)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from onestop import services
from onestop.models import Dossier
from workflows.models import Notification, WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(
    process_procedure, applicant, officer, users, all_files, django_capture_on_commit_callbacks
) -> Dossier:
    users["head"].email = "truongphong@example.vn"
    users["head"].save()
    with django_capture_on_commit_callbacks(execute=True):
        return services.dossier_receive_at_counter(
            officer=officer, procedure=process_procedure, applicant=applicant, files=all_files()
        )


def _assign_task(dossier: Dossier) -> WorkItem:
    return WorkItem.objects.get(run_id=dossier.run_id, step_id="assign", status="open")


def test_the_task_list_names_the_dossier(client, users, dossier):
    client.force_login(users["head"])
    task = _assign_task(dossier)
    dossier_url = reverse("onestop:dossier_detail", args=[dossier.pk])
    for query in ("", "?filter=due_soon", f"?process={dossier.procedure.definition_id}"):
        page = client.get(reverse("workflows:inbox") + query).text
        row = page.split(f'data-task-id="{task.pk}"', 1)[1].split("</tr>", 1)[0]
        assert dossier.code in row, query
        assert "Nguyễn Văn An" in row
        assert dossier.procedure.name in row
        assert f'href="{dossier_url}"' in row


def test_the_tasks_api_gives_the_subject(client, users, dossier):
    client.force_login(users["head"])
    task = _assign_task(dossier)
    expected = {
        "kind": "dossier",
        "id": dossier.pk,
        "code": dossier.code,
        "title": dossier.procedure.name,
        "applicant": "Nguyễn Văn An",
        "procedure": f"{dossier.procedure.code} – {dossier.procedure.name}",
        "url": reverse("onestop:dossier_detail", args=[dossier.pk]),
    }
    listed = client.get("/api/tasks/").json()
    items = listed["results"] if isinstance(listed, dict) else listed
    item = next(entry for entry in items if entry["id"] == task.pk)
    assert item["document"] is None
    assert item["subject"] == expected
    detail = client.get(f"/api/tasks/{task.pk}/").json()
    assert detail["subject"] == expected
    run = client.get(f"/api/processes/{dossier.run_id}/").json()
    assert run["subject"] == expected


def test_document_tasks_keep_document_and_get_a_subject(client, users, in_signing):
    document, sign = in_signing
    client.force_login(users["director"])
    detail = client.get(f"/api/tasks/{sign.pk}/").json()
    assert detail["document"]["id"] == document.pk
    assert detail["subject"]["kind"] == "document"
    assert detail["subject"]["id"] == document.pk
    assert detail["subject"]["title"] == document.subject
    assert detail["subject"]["url"] == reverse("edoc:document_detail", args=[document.pk])


def test_notifications_name_the_dossier(client, users, dossier, settings):
    notice = Notification.objects.get(user=users["head"], kind="assigned")
    assert dossier.code in notice.text and "Nguyễn Văn An" in notice.text
    assert dossier.procedure.name[:40] in notice.text
    sent = [message for message in mail.outbox if "truongphong@example.vn" in message.to]
    assert sent and dossier.code in sent[0].subject + sent[0].body
    assert "Nguyễn Văn An" in sent[0].body

    client.force_login(users["head"])
    page = client.get(reverse("workflows:notifications")).text
    entry = page.split(f'data-notification-id="{notice.pk}"', 1)[1].split("</li>", 1)[0]
    assert dossier.code in entry and "Nguyễn Văn An" in entry


@pytest.mark.django_db(transaction=True)
def test_reminders_and_escalations_name_the_dossier(users, dossier):
    from django.utils import timezone
    from viewflow.workflow.models import Task

    from workflows.services.processes import fire_timers

    for _timer in ("reminder", "escalation"):  # the deadline's timer waits for the reminder
        Task.objects.filter(flow_task_type="TIMER", status="SCHEDULED").update(
            scheduled=timezone.now() - datetime.timedelta(minutes=1)
        )
        fire_timers()
    notices = Notification.objects.filter(kind__in=["reminder", "escalation"])
    assert {notice.kind for notice in notices} == {"reminder", "escalation"}
    for notice in notices:
        assert dossier.code in notice.text and "Nguyễn Văn An" in notice.text, notice.text


def test_the_process_page_names_the_dossier(client, users, dossier):
    client.force_login(users["head"])
    page = client.get(reverse("workflows:process", args=[dossier.run_id])).text
    link = page.split('id="process-subject-link"', 1)[1].split("</a>", 1)[0]
    assert dossier.code in link and "Nguyễn Văn An" in link


def test_apology_letter_tasks_name_their_dossier(client, users, officer, dossier):
    from workflows import calendar

    new_date = calendar.add_working_days(dossier.due_at.date(), 5)
    letter = services.apology_draft(
        officer=officer, dossier=dossier, new_due_date=new_date, reason="Chờ thẩm định"
    )
    task = WorkItem.objects.get(run_id=letter.run_id, status="open")
    client.force_login(users["head"])
    subject = client.get(f"/api/tasks/{task.pk}/").json()["subject"]
    assert subject["kind"] == "apology" and subject["id"] == letter.pk
    assert subject["code"] == dossier.code and subject["applicant"] == "Nguyễn Văn An"
    assert new_date.strftime("%d/%m/%Y") in subject["title"]
    assert subject["url"] == reverse("onestop:dossier_detail", args=[dossier.pk])
