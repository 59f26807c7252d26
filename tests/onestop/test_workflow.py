"""Dossiers inside processes: the shipped dossier definition from acceptance to the returned
result (signed with the test PKI), branch fields, the apology letter's approval."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from onestop import selectors, services
from onestop.models import ApologyLetter, Dossier
from onestop.shipped import step_days
from workflows import calendar
from workflows.models import WorkItem
from workflows.services.processes import work_item_claim, work_item_complete
from workflows.subjects import subject_fields

pytestmark = pytest.mark.django_db
Status = Dossier.Status


def open_item(run_id: int, step_id: str) -> WorkItem:
    return WorkItem.objects.get(run_id=run_id, step_id=step_id, status=WorkItem.Status.OPEN)


def test_dossier_runs_through_its_process_to_the_returned_result(
    process_procedure, applicant, officer, users, all_files, signed_result
):
    draft = services.dossier_save_draft(
        procedure=process_procedure, applicant=applicant, files=all_files()
    )
    dossier = services.dossier_submit_online(dossier=draft)
    dossier = services.dossier_accept(officer=officer, dossier=dossier)
    assert dossier.run is not None

    fields = subject_fields(dossier)
    assert fields["procedure"] == "1.004616" and fields["amount"] == 360_000
    assert fields["channel"] == "online" and fields["unit"] == "NVY"

    assign = open_item(dossier.run_id, "assign")
    assert assign.assignee == users["head"]  # head of the procedure's handling unit
    assert assign.deadline is not None
    work_item_complete(user=users["head"], work_item=assign, data={"handler": users["specialist"]})
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.handler == users["specialist"]

    appraise = open_item(dossier.run_id, "appraise")
    assert appraise.assignee == users["specialist"]
    services.dossier_record_payment(officer=officer, dossier=dossier, reference="BL-0001")
    work_item_complete(
        user=users["specialist"], work_item=appraise, data={"result_document": signed_result}
    )
    work_item_complete(user=users["head"], work_item=open_item(dossier.run_id, "review"))

    approve = open_item(dossier.run_id, "approve")
    work_item_complete(user=users["director"], work_item=approve)
    dossier.refresh_from_db()
    assert dossier.status == Status.DONE and dossier.result == signed_result

    content, name = selectors.dossier_result_file(dossier)
    assert content.startswith(b"%PDF") and name == f"{dossier.code}-ket-qua.pdf"
    assert b"/ByteRange" in content  # the signed version, not the draft

    ret = open_item(dossier.run_id, "return")
    assert ret.assignee is None and officer in ret.candidates.all()  # the one-stop group
    work_item_complete(user=officer, work_item=ret, data={"channel": "online"})
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.return_channel == "online"
    assert dossier.run.finished_at is not None
    statuses = [event.status for event in selectors.public_timeline(dossier) if event.status]
    assert statuses == [1, 2, 4, 9, 10]


def test_finishing_needs_a_signed_result(
    process_procedure, applicant, officer, users, all_files, in_signing
):
    """The result is checked where it is chosen (tests/onestop/test_result_choice.py) and again
    when the dossier is finished."""
    unsigned, _sign = in_signing
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=process_procedure, applicant=applicant, files=all_files()
    )
    with pytest.raises(ValidationError, match="chưa được ký số"):
        services.dossier_set_result(
            user=users["specialist"], dossier=dossier, result_document=unsigned
        )
    Dossier.objects.filter(pk=dossier.pk).update(result=unsigned)
    with pytest.raises(ValidationError, match="phải được ký số"):
        services.dossier_finish(officer=users["director"], dossier=dossier, via_process=True)
    dossier.refresh_from_db()
    assert dossier.status == Status.ACCEPTED


def test_a_process_that_ends_finishes_the_dossier(
    procedure, applicant, officer, users, all_files, signed_result, shipped
):
    """Any definition: completing its last step marks a dossier still in processing done."""
    from workflows.services.definitions import definition_create, version_publish

    graph = {
        "start": "check",
        "steps": [
            {
                "id": "check",
                "name": "Kiểm tra",
                "type": "user",
                "action": "approve",
                "assignee": {"rule": "role", "role": "unit_head", "unit": "owner_unit"},
                "deadline": {"days": 2},
                "next": "done",
            },
            {"id": "done", "name": "Xong", "type": "end"},
        ],
    }
    definition = definition_create(user=shipped, key="mini", name="Mini", graph=graph)
    version_publish(user=shipped, definition=definition)
    procedure.definition = definition
    procedure.fee = 0
    procedure.save()
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files()
    )
    services.dossier_set_result(user=users["head"], dossier=dossier, result_document=signed_result)
    work_item_complete(user=users["head"], work_item=open_item(dossier.run_id, "check"))
    dossier.refresh_from_db()
    assert dossier.status == Status.DONE


def test_stopping_cancels_the_process(process_procedure, applicant, officer, users, all_files):
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=process_procedure, applicant=applicant, files=all_files()
    )
    services.dossier_stop(officer=users["head"], dossier=dossier, reason="Không đủ điều kiện")
    assert not WorkItem.objects.filter(run_id=dossier.run_id, status="open").exists()
    dossier.refresh_from_db()
    process = dossier.run.process
    assert process.status == "CANCELED" and dossier.run.finished_at is not None
    # No viewflow task (user task or its reminder timer) is left waiting.
    assert not process.task_set.filter(status__in=["NEW", "SCHEDULED", "ASSIGNED"]).exists()


def test_apology_moves_the_appointment_only_when_approved(
    process_procedure, applicant, officer, users, all_files, clock
):
    clock.set(datetime.datetime(2026, 6, 1, 8, 0))
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=process_procedure, applicant=applicant, files=all_files()
    )
    due = dossier.due_at
    with pytest.raises(ValidationError):  # a Sunday
        services.apology_draft(
            officer=officer,
            dossier=dossier,
            new_due_date=datetime.date(2026, 6, 21),
            reason="Chờ ý kiến Bộ Y tế",
        )
    letter = services.apology_draft(
        officer=officer,
        dossier=dossier,
        new_due_date=datetime.date(2026, 6, 26),
        reason="Chờ ý kiến Bộ Y tế",
    )
    dossier.refresh_from_db()
    assert dossier.due_at == due and letter.status == ApologyLetter.Status.PENDING
    work_item_complete(user=users["head"], work_item=open_item(letter.run_id, "unit_review"))
    dossier.refresh_from_db()
    assert dossier.due_at == due  # not yet: the director approves
    work_item_complete(user=users["director"], work_item=open_item(letter.run_id, "approve"))
    letter.refresh_from_db()
    dossier.refresh_from_db()
    assert letter.status == ApologyLetter.Status.APPROVED and letter.decided_by == users["director"]
    assert dossier.due_at == datetime.datetime(2026, 6, 26, 17, 30, tzinfo=calendar.VN_TZ)
    message = selectors.public_timeline(dossier)[-1].message
    assert "Chờ ý kiến Bộ Y tế" in message and "26/06/2026" in message


def test_step_deadlines_share_the_legal_time():
    for total in (3, 5, 10, 20, 90):
        days = step_days(total)
        assert sum(days.values()) == total
        assert min(days.values()) > 0


def test_the_pause_moves_the_open_tasks_deadlines_too(
    process_procedure, applicant, officer, users, papers, upload, all_files, clock
):
    clock.set(datetime.datetime(2026, 4, 20, 8, 0))
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=process_procedure, applicant=applicant, files=all_files()
    )
    task = open_item(dossier.run_id, "assign")
    deadline, reminder = task.deadline, task.reminder_at
    clock.set(datetime.datetime(2026, 4, 29, 9, 0))
    services.dossier_request_supplement(officer=users["head"], dossier=dossier, message="Bổ sung")
    clock.set(datetime.datetime(2026, 5, 4, 9, 0))
    services.dossier_submit_supplement(dossier=dossier, files={papers[0].pk: upload("pdf")})
    task.refresh_from_db()
    one_day = datetime.timedelta(hours=8)  # 29/4 09:00 → 4/5 09:00 across 30/4, 1/5, weekend
    assert task.deadline == calendar.add_working_duration(deadline, one_day)
    assert task.reminder_at == calendar.add_working_duration(reminder, one_day)
    # The viewflow reminder timer waiting on the task moved with it.
    timers = dossier.run.process.task_set.filter(flow_task_type="TIMER", status="SCHEDULED")
    assert [timer.scheduled for timer in timers] == [task.reminder_at]


def test_apology_withdrawn_or_closed_with_the_dossier(
    process_procedure, applicant, officer, users, all_files
):
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=process_procedure, applicant=applicant, files=all_files()
    )
    new_date = calendar.add_working_days(dossier.due_at.date(), 5)
    letter = services.apology_draft(
        officer=officer, dossier=dossier, new_due_date=new_date, reason="Chờ thẩm định"
    )
    with pytest.raises(ValidationError):  # one pending letter at a time
        services.apology_draft(
            officer=officer, dossier=dossier, new_due_date=new_date, reason="Lần hai"
        )
    with pytest.raises(ValidationError):
        services.apology_cancel(user=officer, letter=letter, reason="")
    services.apology_cancel(user=officer, letter=letter, reason="Sai ngày hẹn")
    letter.refresh_from_db()
    assert letter.status == ApologyLetter.Status.REFUSED
    assert not WorkItem.objects.filter(run_id=letter.run_id, status="open").exists()

    second = services.apology_draft(
        officer=officer, dossier=dossier, new_due_date=new_date, reason="Chờ thẩm định"
    )
    due = Dossier.objects.get(pk=dossier.pk).due_at
    services.dossier_stop(officer=users["head"], dossier=dossier, reason="Không đủ điều kiện")
    second.refresh_from_db()
    assert second.status == ApologyLetter.Status.REFUSED
    assert not WorkItem.objects.filter(run_id=second.run_id, status="open").exists()
    assert Dossier.objects.get(pk=dossier.pk).due_at == due


def test_dossier_tasks_through_the_tasks_api(
    client, process_procedure, applicant, officer, users, all_files
):
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=process_procedure, applicant=applicant, files=all_files()
    )
    client.force_login(users["head"])
    listed = client.get("/api/tasks/").json()
    items = listed["results"] if isinstance(listed, dict) and "results" in listed else listed
    task = next(item for item in items if item["step_name"].startswith("Lãnh đạo phòng phân công"))
    assert task["document"] is None
    refused = client.post(
        f"/api/tasks/{task['id']}/complete/",
        {"data": {"handler": users["other_specialist"].pk}},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "error" in refused.json()
    done = client.post(
        f"/api/tasks/{task['id']}/complete/",
        {"data": {"handler": users["specialist"].pk}},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    dossier.refresh_from_db()
    assert dossier.handler == users["specialist"] and dossier.status == Dossier.Status.PROCESSING


def test_designer_shows_and_exports_the_dossier_definition(client, process_procedure, shipped):
    from django.urls import reverse

    shipped.is_staff = True
    shipped.save()
    client.force_login(shipped)
    definition = process_procedure.definition
    page = client.get(reverse("designer:edit", args=[definition.pk]))
    assert page.status_code == 200
    assert "Chuyên viên được giao hồ sơ" in page.text or "chuyên viên được giao hồ sơ" in page.text
    bpmn = client.get(reverse("designer:export_bpmn", args=[definition.pk]))
    assert bpmn.status_code == 200
    assert "Chuyên viên thẩm định" in bpmn.content.decode()
    listing = client.get(reverse("designer:list"))
    assert "Hồ sơ một cửa" in listing.text  # the definition's subject kind


@pytest.mark.parametrize(
    ("channel", "said"),
    [
        ("online", "tải về"),
        ("post", "bưu điện"),
        ("counter", "trực tiếp tại bộ phận một cửa"),
    ],
)
def test_the_history_says_how_the_result_was_returned(
    client, process_procedure, applicant, officer, users, all_files, signed_result, channel, said
):
    """An online dossier's return step offers "online" first; the history says the way
    chosen (online, by post, at the counter)."""
    draft = services.dossier_save_draft(
        procedure=process_procedure, applicant=applicant, files=all_files()
    )
    dossier = services.dossier_accept(
        officer=officer, dossier=services.dossier_submit_online(dossier=draft)
    )
    services.dossier_record_payment(officer=officer, dossier=dossier, reference="BL-1")
    work_item_complete(
        user=users["head"],
        work_item=open_item(dossier.run_id, "assign"),
        data={"handler": users["specialist"]},
    )
    work_item_complete(
        user=users["specialist"],
        work_item=open_item(dossier.run_id, "appraise"),
        data={"result_document": signed_result},
    )
    work_item_complete(user=users["head"], work_item=open_item(dossier.run_id, "review"))
    work_item_complete(user=users["director"], work_item=open_item(dossier.run_id, "approve"))
    task = open_item(dossier.run_id, "return")
    work_item_claim(user=officer, work_item=task)
    client.force_login(officer)
    page = client.get(f"/workflows/tasks/{task.pk}/").text
    select = page.split('name="action-channel"', 1)[1].split("</select>", 1)[0]
    assert '<option value="online" selected>' in select
    assert 'value="post"' in select and 'value="counter"' in select
    response = client.post(f"/workflows/tasks/{task.pk}/complete/", {"action-channel": channel})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.return_channel == channel
    message = selectors.public_timeline(dossier)[-1].message
    assert said in message
    if channel != "counter":
        assert "tại bộ phận một cửa" not in message
