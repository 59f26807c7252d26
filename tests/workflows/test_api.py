"""The task API: list and filter one's tasks, complete, return, claim and reassign them, and
read a run. Definitions are built and published through the services, as an administrator
would; every request goes through the real views, services and engine."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from edoc.models import User
from edoc.models.organisation import Role
from edoc.services.documents import incoming_register
from edoc.services.handling import delegation_create
from workflows import calendar
from workflows.actions import ACTIONS, ActionSpec, register
from workflows.models import ProcessRun, RunEvent, WorkItem
from workflows.services.definitions import definition_create, version_publish
from workflows.services.processes import process_start, returnable_steps, work_item_complete

TASK_KEYS = {
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
}


# --- Fixtures and helpers.


@pytest.fixture
def admin(units) -> User:
    return User.objects.create_user(
        username="quantri", password="pw-quantri", unit=units["office"], role=Role.ADMIN
    )


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    def make(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def legal_team(users) -> Group:
    """A group whose members (the deputy director and the medical unit head) claim tasks."""
    group = Group.objects.create(name="Tổ pháp chế")
    group.user_set.add(users["deputy"], users["head"])
    return group


@pytest.fixture
def document(users, catalogs):
    return incoming_register(
        user=users["clerk"],
        subject="Triển khai tiêm chủng mở rộng năm 2026",
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        document_type=catalogs["types"]["KH"],
    )


def publish(admin: User, key: str, steps: list[dict[str, Any]], name: str = "") -> Any:
    graph = {"start": steps[0]["id"], "steps": [*steps, {"id": "done", "type": "end"}]}
    definition = definition_create(user=admin, key=key, name=name or key, graph=graph)
    version_publish(user=admin, definition=definition)
    return definition


def user_step(step_id: str, name: str, assignee: dict, next_step: str = "done", **extra) -> dict:
    return {
        "id": step_id,
        "name": name,
        "type": "user",
        "assignee": assignee,
        "next": next_step,
        **extra,
    }


def one_step(admin: User, key: str, assignee: dict, **extra) -> Any:
    """A definition with a single user step ("Xử lý")."""
    return publish(admin, key, [user_step("handle", "Xử lý", assignee, **extra)])


@pytest.fixture
def review(admin, users):
    """Draft (the initiator, 1 working day) → review by the medical unit head → done."""
    return publish(
        admin,
        "soan-thao",
        [
            user_step("draft", "Soạn thảo", {"rule": "initiator"}, "review", deadline={"days": 1}),
            user_step("review", "Trưởng phòng xem", {"rule": "user", "user": users["head"].pk}),
        ],
        name="Soạn thảo văn bản",
    )


def open_item(run: ProcessRun) -> WorkItem:
    (item,) = run.work_items.filter(status=WorkItem.Status.OPEN)
    return item


def error_of(response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


@pytest.fixture
def delegation(users):
    """The director delegates their handling to the deputy for today."""
    today = timezone.localdate()
    return delegation_create(
        user=users["director"], delegate=users["deputy"], start_date=today, end_date=today
    )


# --- Reading.


@pytest.mark.django_db
def test_the_list_shows_the_callers_open_task_with_every_key(
    api, admin, users, review, document, monkeypatch
):
    # A Wednesday morning: one working day later is Thursday (started before the office opens,
    # the step would be due the same day, 0 days left).
    wednesday = datetime.datetime(2026, 12, 9, 9, 30, tzinfo=calendar.VN_TZ)
    monkeypatch.setattr("django.utils.timezone.now", lambda: wednesday)
    run = process_start(user=users["specialist"], definition=review, document=document)
    response = api(users["specialist"]).get("/api/tasks/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None
    (task,) = body["results"]
    assert set(task) == TASK_KEYS
    item = open_item(run)
    assert task["id"] == item.pk
    assert task["step_id"] == "draft" and task["step_name"] == "Soạn thảo"
    assert task["action"] == "generic" and task["status"] == "open"
    assert task["assignee"]["id"] == users["specialist"].pk
    assert task["assignee"]["username"] == "chuyenvien"
    assert task["assignee"]["full_name"] == users["specialist"].get_full_name()
    assert task["claimable"] is False and task["on_behalf_of"] is None
    assert task["deadline"].endswith("+07:00")
    assert datetime.datetime.fromisoformat(task["deadline"]) == item.deadline
    assert task["working_days_left"] == 1  # the step gives one working day
    assert task["created_at"].endswith("+07:00")
    assert task["overdue"] is False and task["reminder_sent"] is False
    assert task["document"] == {
        "id": document.pk,
        "symbol": document.symbol,
        "subject": "Triển khai tiêm chủng mở rộng năm 2026",
        "direction": "incoming",
    }
    assert task["process"] == {
        "id": run.pk,
        "definition": "soan-thao",
        "name": "Soạn thảo văn bản",
        "version": 1,
        "current_step": "draft",
    }
    assert task["returnable_to"] == []
    assert api(users["head"]).get("/api/tasks/").json()["count"] == 0


@pytest.mark.django_db
def test_returnable_steps_are_listed_as_the_service_decides(api, users, review):
    run = process_start(user=users["specialist"], definition=review)
    work_item_complete(user=users["specialist"], work_item=open_item(run), comment="Đã soạn")
    item = open_item(run)
    (task,) = api(users["head"]).get("/api/tasks/").json()["results"]
    assert task["returnable_to"] == [{"step_id": "draft", "name": "Soạn thảo"}]
    assert [(t["step_id"], t["name"]) for t in task["returnable_to"]] == returnable_steps(item)
    assert task["process"]["current_step"] == "review"


@pytest.fixture
def deputy_inbox(admin, users, legal_team, delegation, document):
    """The deputy's tasks: their own (overdue), a group task (due soon), the director's
    delegated task on a document (due in a month), and a task of someone else."""
    own = process_start(
        user=admin,
        definition=one_step(admin, "rieng", {"rule": "user", "user": users["deputy"].pk}),
    )
    group = process_start(
        user=admin, definition=one_step(admin, "nhom", {"rule": "group", "group": "Tổ pháp chế"})
    )
    lead = process_start(
        user=admin,
        definition=one_step(admin, "lanh-dao", {"rule": "user", "user": users["director"].pk}),
        document=document,
    )
    other = process_start(
        user=admin,
        definition=one_step(admin, "khac", {"rule": "user", "user": users["specialist"].pk}),
    )
    now = timezone.now()
    deadlines = {
        own: now - datetime.timedelta(hours=2),
        group: now + datetime.timedelta(hours=1),
        lead: now + datetime.timedelta(days=30),
        other: now - datetime.timedelta(days=1),
    }
    items = {}
    for run, deadline in deadlines.items():
        item = open_item(run)
        WorkItem.objects.filter(pk=item.pk).update(deadline=deadline)
        items[run.version.definition.key] = item
    return items


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {task["id"] for task in response.json()["results"]}


@pytest.mark.django_db
def test_scope_and_filters(api, users, deputy_inbox, document):
    own, group, lead = deputy_inbox["rieng"], deputy_inbox["nhom"], deputy_inbox["lanh-dao"]
    client = api(users["deputy"])
    tasks = {task["id"]: task for task in client.get("/api/tasks/").json()["results"]}
    assert set(tasks) == {own.pk, group.pk, lead.pk}
    assert tasks[own.pk]["overdue"] is True and tasks[group.pk]["overdue"] is False
    assert tasks[group.pk]["claimable"] is True and tasks[group.pk]["assignee"] is None
    assert tasks[lead.pk]["on_behalf_of"]["id"] == users["director"].pk
    assert tasks[own.pk]["on_behalf_of"] is None and tasks[lead.pk]["claimable"] is False

    assert ids(client.get("/api/tasks/", {"scope": "mine"})) == {own.pk}
    assert ids(client.get("/api/tasks/", {"scope": "claimable"})) == {group.pk}
    assert ids(client.get("/api/tasks/", {"scope": "delegated"})) == {lead.pk}
    assert ids(client.get("/api/tasks/", {"overdue": "true"})) == {own.pk}
    assert ids(client.get("/api/tasks/", {"overdue": "false"})) == {group.pk, lead.pk}
    assert ids(client.get("/api/tasks/", {"due_soon": "true"})) == {group.pk}
    assert ids(client.get("/api/tasks/", {"document": document.pk})) == {lead.pk}
    assert ids(client.get("/api/tasks/", {"definition": "nhom"})) == {group.pk}
    assert ids(client.get("/api/tasks/", {"definition": "nhom", "scope": "mine"})) == set()
    assert ids(client.get("/api/tasks/", {"page_size": 1})) == {own.pk}  # nearest deadline

    bad = client.get("/api/tasks/", {"scope": "everyone"})
    assert bad.status_code == 400 and "scope" in error_of(bad)["fields"]
    # The other group member sees the group task too; the director, without delegation, theirs.
    assert ids(api(users["head"]).get("/api/tasks/")) == {group.pk}
    assert ids(api(users["director"]).get("/api/tasks/", {"scope": "mine"})) == {lead.pk}
    assert api(None).get("/api/tasks/").status_code == 401


@pytest.mark.django_db
def test_detail_for_participants_and_404_for_outsiders(api, users, review):
    run = process_start(user=users["specialist"], definition=review)
    item = open_item(run)
    response = api(users["specialist"]).get(f"/api/tasks/{item.pk}/")
    assert response.status_code == 200
    task = response.json()
    assert set(task) >= TASK_KEYS
    assert task["outcome"] == "" and task["completed_by"] is None
    assert task["action_label"]

    for outsider in (users["other_specialist"], users["head"]):
        response = api(outsider).get(f"/api/tasks/{item.pk}/")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert api(users["specialist"]).get("/api/tasks/999999/").status_code == 404
    # An outsider cannot act on it either, and learns nothing about it.
    response = api(users["other_specialist"]).post(f"/api/tasks/{item.pk}/complete/", {})
    assert response.status_code == 404


# --- Acting.


@pytest.mark.django_db
def test_complete_moves_the_process_on(api, users, review):
    run = process_start(user=users["specialist"], definition=review)
    item = open_item(run)
    client = api(users["specialist"])
    response = client.post(
        f"/api/tasks/{item.pk}/complete/", {"comment": "Đã soạn xong"}, format="json"
    )
    assert response.status_code == 200, response.content
    task = response.json()
    assert task["status"] == "done" and task["outcome"] == "completed"
    assert task["comment"] == "Đã soạn xong"
    assert task["completed_by"]["id"] == users["specialist"].pk
    assert task["completed_at"].endswith("+07:00")
    assert task["on_behalf_of"] is None and task["returnable_to"] == []
    assert task["process"]["current_step"] == "review"
    event = RunEvent.objects.get(run=run, kind="completed")
    assert event.actor == users["specialist"] and event.comment == "Đã soạn xong"
    assert ids(api(users["head"]).get("/api/tasks/")) == {open_item(run).pk}

    again = client.post(f"/api/tasks/{item.pk}/complete/", {}, format="json")
    assert again.status_code == 400
    assert error_of(again)["code"] == "already_done"


@pytest.mark.django_db
def test_someone_elses_task_is_refused_with_403(api, users, review):
    run = process_start(user=users["specialist"], definition=review)
    work_item_complete(user=users["specialist"], work_item=open_item(run))
    item = open_item(run)  # the head's review; the initiator sees it but may not act
    client = api(users["specialist"])
    assert client.get(f"/api/tasks/{item.pk}/").status_code == 200
    for action, body in (
        ("complete", {}),
        ("return", {"to_step": "draft", "reason": "Sai"}),
        ("reassign", {"to_user": users["other_specialist"].pk}),
    ):
        response = client.post(f"/api/tasks/{item.pk}/{action}/", body, format="json")
        assert response.status_code == 403, (action, response.content)
        error = error_of(response)
        assert error["code"] == "permission_denied" and error["message"]
    item.refresh_from_db()
    assert item.status == WorkItem.Status.OPEN and item.assignee == users["head"]


@pytest.mark.django_db
def test_input_errors_name_their_fields(api, users, review):
    run = process_start(user=users["specialist"], definition=review)
    item = open_item(run)
    client = api(users["specialist"])
    response = client.post(f"/api/tasks/{item.pk}/complete/", {"commment": "x"}, format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "unknown_field"
    assert "commment" in error_of(response)["fields"]
    response = client.post(f"/api/tasks/{item.pk}/complete/", {"data": [1]}, format="json")
    assert response.status_code == 400 and "data" in error_of(response)["fields"]
    item.refresh_from_db()
    assert item.status == WorkItem.Status.OPEN


@pytest.mark.django_db
def test_return_to_an_earlier_step(api, users, review):
    run = process_start(user=users["specialist"], definition=review)
    work_item_complete(user=users["specialist"], work_item=open_item(run))
    item = open_item(run)
    client = api(users["head"])
    url = f"/api/tasks/{item.pk}/return/"

    response = client.post(url, {"to_step": "review", "reason": "Sai"}, format="json")
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"to_step"}
    response = client.post(url, {"to_step": "draft"}, format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "required"
    assert set(error_of(response)["fields"]) == {"reason"}

    response = client.post(url, {"to_step": "draft", "reason": "Sửa số liệu"}, format="json")
    assert response.status_code == 200, response.content
    task = response.json()
    assert task["status"] == "returned" and task["outcome"] == "returned"
    assert task["return_to"] == "draft" and task["comment"] == "Sửa số liệu"
    again = open_item(run)
    assert again.step_id == "draft" and again.assignee == users["specialist"]
    assert RunEvent.objects.filter(run=run, kind="returned", actor=users["head"]).exists()

    response = client.post(url, {"to_step": "draft", "reason": "Lần nữa"}, format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "already_done"


@pytest.mark.django_db
def test_claim_a_group_task(api, admin, users, legal_team):
    run = process_start(
        user=admin, definition=one_step(admin, "nhom", {"rule": "group", "group": "Tổ pháp chế"})
    )
    item = open_item(run)
    # The initiator sees the task but is not in the group.
    response = api(admin).post(f"/api/tasks/{item.pk}/claim/")
    assert response.status_code == 403 and error_of(response)["code"] == "permission_denied"

    response = api(users["deputy"]).post(f"/api/tasks/{item.pk}/claim/")
    assert response.status_code == 200, response.content
    task = response.json()
    assert task["assignee"]["id"] == users["deputy"].pk and task["claimable"] is False
    assert task["status"] == "open"

    # The other member no longer sees it; one who still sees it is told it is taken.
    assert api(users["head"]).post(f"/api/tasks/{item.pk}/claim/").status_code == 404
    response = api(admin).post(f"/api/tasks/{item.pk}/claim/")
    assert response.status_code == 400 and error_of(response)["code"] == "already_claimed"
    assert ids(api(users["head"]).get("/api/tasks/")) == set()
    assert ids(api(users["deputy"]).get("/api/tasks/", {"scope": "mine"})) == {item.pk}


@pytest.mark.django_db
def test_reassign(api, users, review, agency):
    run = process_start(user=users["specialist"], definition=review)
    work_item_complete(user=users["specialist"], work_item=open_item(run))
    item = open_item(run)
    client = api(users["head"])
    url = f"/api/tasks/{item.pk}/reassign/"

    response = client.post(url, {"to_user": 999999}, format="json")
    assert response.status_code == 400 and set(error_of(response)["fields"]) == {"to_user"}
    response = client.post(url, {}, format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "required"

    response = client.post(
        url, {"to_user": users["other_head"].pk, "comment": "Nhờ anh xem"}, format="json"
    )
    assert response.status_code == 200, response.content
    task = response.json()  # shown although the head no longer holds the task
    assert task["assignee"]["id"] == users["other_head"].pk and task["status"] == "open"
    event = RunEvent.objects.get(run=run, kind="reassigned")
    assert event.actor == users["head"] and event.comment == "Nhờ anh xem"
    assert ids(api(users["other_head"]).get("/api/tasks/")) == {item.pk}
    assert ids(client.get("/api/tasks/")) == set()


@pytest.mark.django_db
def test_a_delegate_lists_and_completes_the_leaders_task(api, admin, users, delegation):
    run = process_start(
        user=admin,
        definition=one_step(admin, "lanh-dao", {"rule": "user", "user": users["director"].pk}),
    )
    item = open_item(run)
    client = api(users["deputy"])
    (task,) = client.get("/api/tasks/", {"scope": "delegated"}).json()["results"]
    assert task["id"] == item.pk and task["on_behalf_of"]["id"] == users["director"].pk
    assert client.get(f"/api/tasks/{item.pk}/").json()["on_behalf_of"]["username"] == "giamdoc"

    response = client.post(
        f"/api/tasks/{item.pk}/complete/", {"comment": "Thay Giám đốc"}, format="json"
    )
    assert response.status_code == 200, response.content
    task = response.json()
    assert task["status"] == "done"
    assert task["completed_by"]["id"] == users["deputy"].pk
    assert task["on_behalf_of"]["id"] == users["director"].pk
    event = RunEvent.objects.get(run=run, kind="completed")
    assert event.actor == users["deputy"] and event.on_behalf_of == users["director"]

    history = api(users["deputy"]).get(f"/api/processes/{run.pk}/").json()["history"]
    completed = next(line for line in history if line["kind"] == "completed")
    assert completed["actor"]["id"] == users["deputy"].pk
    assert completed["on_behalf_of"]["id"] == users["director"].pk


# --- An action with a form.

DECISIONS = [("agree", "Đồng ý"), ("refuse", "Không đồng ý")]
PERFORMED: list[dict[str, Any]] = []


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=DECISIONS)
    days = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args: Any, user: User, work_item: WorkItem, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.work_item = work_item

    def clean(self):
        cleaned = super().clean()
        if self.user.pk != self.work_item.assignee_id:
            raise forms.ValidationError("Không phải người được giao.")
        return cleaned


def perform_decision(actor, work_item: WorkItem, data: dict[str, Any]) -> None:
    PERFORMED.append({"user": actor.user.pk, "item": work_item.pk, **data})


@pytest.fixture
def decision_action() -> Iterator[ActionSpec]:
    spec = register(
        ActionSpec("test_decide", "Quyết định", form_class=DecisionForm, perform=perform_decision)
    )
    PERFORMED.clear()
    yield spec
    ACTIONS.pop(spec.key, None)
    PERFORMED.clear()


@pytest.mark.django_db
def test_the_actions_form_checks_data_first(api, admin, users, decision_action):
    definition = one_step(
        admin, "quyet-dinh", {"rule": "user", "user": users["head"].pk}, action="test_decide"
    )
    run = process_start(user=admin, definition=definition)
    item = open_item(run)
    client = api(users["head"])
    url = f"/api/tasks/{item.pk}/complete/"

    response = client.post(url, {"comment": "x"}, format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "required"
    assert set(error_of(response)["fields"]["data"]) == {"decision"}
    response = client.post(url, {"data": {"decision": "maybe", "days": 0}}, format="json")
    assert response.status_code == 400
    assert set(error_of(response)["fields"]["data"]) == {"decision", "days"}
    assert not PERFORMED
    # Someone else gets the 403 of the service, not the form's opinion.
    response = api(admin).post(url, {"data": {"decision": "agree"}}, format="json")
    assert response.status_code == 403

    response = client.post(
        url, {"comment": "Được", "data": {"decision": "agree", "days": "3"}}, format="json"
    )
    assert response.status_code == 200, response.content
    (performed,) = PERFORMED
    assert performed == {
        "user": users["head"].pk,
        "item": item.pk,
        "decision": "agree",
        "days": 3,
        "comment": "Được",
    }


@pytest.mark.django_db
def test_an_incoming_document_through_the_shipped_definition(api, users, units, catalogs):
    """The shipped incoming process driven only through the API: the director assigns (the
    assign action's form reads JSON data), the unit head forwards, the specialist handles and
    the head approves."""
    from edoc.models import Document
    from workflows.shipped import install_shipped_definitions

    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    install_shipped_definitions(admin=admin, office=units["office"])
    document = incoming_register(
        user=users["clerk"],
        subject="Về việc triển khai chuyển đổi số",
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
    )

    def only_task(user: User) -> dict[str, Any]:
        (task,) = api(user).get("/api/tasks/", {"document": document.pk}).json()["results"]
        return task

    assign = only_task(users["director"])
    assert assign["action"] == "assign" and assign["claimable"] is True
    url = f"/api/tasks/{assign['id']}/complete/"
    response = api(users["director"]).post(url, {"data": {}}, format="json")
    assert (
        response.status_code == 400 and "non_field_errors" in error_of(response)["fields"]["data"]
    )
    next_week = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    response = api(users["director"]).post(
        url,
        {"data": {"lead_unit": units["medical"].pk, "deadline": next_week}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["id"] == users["director"].pk

    forward = only_task(users["head"])
    assert forward["action"] == "forward"
    response = api(users["head"]).post(
        f"/api/tasks/{forward['id']}/complete/",
        {"data": {"to_user": users["specialist"].pk}},
        format="json",
    )
    assert response.status_code == 200, response.content
    handle = only_task(users["specialist"])
    response = api(users["specialist"]).post(
        f"/api/tasks/{handle['id']}/complete/", {"comment": "Đã tham mưu."}, format="json"
    )
    assert response.status_code == 200, response.content
    approve = only_task(users["head"])
    response = api(users["head"]).post(
        f"/api/tasks/{approve['id']}/complete/", {"comment": "Đồng ý."}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Document.objects.get(pk=document.pk).status == Document.Status.COMPLETED
    run = api(users["head"]).get(f"/api/processes/{approve['process']['id']}/").json()
    assert run["status"] == "finished" and run["document"]["id"] == document.pk


# --- A run.


@pytest.mark.django_db
def test_process_detail(api, users, review, document):
    run = process_start(user=users["specialist"], definition=review, document=document)
    work_item_complete(user=users["specialist"], work_item=open_item(run), comment="Xong")
    item = open_item(run)
    for reader in (users["specialist"], users["head"], users["clerk"]):  # clerk: the document
        response = api(reader).get(f"/api/processes/{run.pk}/")
        assert response.status_code == 200, (reader, response.content)
    body = response.json()
    assert body["id"] == run.pk and body["definition"] == "soan-thao"
    assert body["name"] == "Soạn thảo văn bản" and body["version"] == 1
    assert body["status"] == "running"
    assert body["current_step"] == "review" and body["current_step_name"] == "Trưởng phòng xem"
    assert body["document"]["id"] == document.pk
    assert body["initiator"]["id"] == users["specialist"].pk
    assert body["started_at"].endswith("+07:00") and body["finished_at"] is None
    assert [(e["kind"], e["step"]) for e in body["history"]] == [
        ("started", "draft"),
        ("completed", "draft"),
    ]
    completed = body["history"][1]
    assert completed["actor"]["id"] == users["specialist"].pk
    assert completed["on_behalf_of"] is None and completed["comment"] == "Xong"
    assert completed["step_name"] == "Soạn thảo" and completed["at"].endswith("+07:00")
    (task,) = body["open_tasks"]
    assert task["id"] == item.pk and set(task) == TASK_KEYS
    assert task["returnable_to"] == [{"step_id": "draft", "name": "Soạn thảo"}]

    response = api(users["other_specialist"]).get(f"/api/processes/{run.pk}/")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert api(users["head"]).get("/api/processes/999999/").status_code == 404

    work_item_complete(user=users["head"], work_item=item)
    body = api(users["head"]).get(f"/api/processes/{run.pk}/").json()
    assert body["status"] == "finished" and body["open_tasks"] == []
    assert body["finished_at"] is not None
    assert sorted(e["kind"] for e in body["history"]) == [
        "completed",
        "completed",
        "finished",
        "started",
    ]


# --- Performance and concurrency.


@pytest.mark.django_db
def test_the_list_does_not_query_per_task(api, admin, users, legal_team, delegation, document):
    """2 and then 20 tasks of every kind (own with a returnable step, group, delegated, on a
    document): the same number of queries."""
    review = publish(
        admin,
        "hai-buoc",
        [
            user_step("draft", "Soạn thảo", {"rule": "user", "user": users["deputy"].pk}, "check"),
            user_step("check", "Kiểm tra", {"rule": "user", "user": users["deputy"].pk}),
        ],
    )
    group = one_step(admin, "nhom", {"rule": "group", "group": "Tổ pháp chế"})
    lead = one_step(admin, "lanh-dao", {"rule": "user", "user": users["director"].pk})

    def add(count: int) -> None:
        for n in range(count):
            kind = n % 3
            if kind == 0:
                run = process_start(user=admin, definition=review, document=document)
                work_item_complete(user=users["deputy"], work_item=open_item(run))
            else:
                process_start(user=admin, definition=group if kind == 1 else lead)

    def queries() -> tuple[int, int]:
        client = api(users["deputy"])
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/tasks/")
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    add(2)
    few, count = queries()
    assert count == 2
    add(18)
    many, count = queries()
    assert count == 20
    assert few == many
    tasks = api(users["deputy"]).get("/api/tasks/").json()["results"]
    assert any(task["returnable_to"] for task in tasks)
    assert any(task["claimable"] for task in tasks)
    assert any(task["on_behalf_of"] for task in tasks)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_assignee_and_delegate_complete_the_same_task_at_once(admin, users, delegation):
    """The director and their delegate press "complete" at the same moment: the row lock lets
    exactly one through; the other gets 400 already_done."""
    run = process_start(
        user=admin,
        definition=one_step(admin, "lanh-dao", {"rule": "user", "user": users["director"].pk}),
    )
    item = open_item(run)
    start = threading.Barrier(2)
    results: dict[str, tuple[int, dict]] = {}
    errors: list[BaseException] = []

    def complete(user: User) -> None:
        try:
            client = APIClient()
            client.force_authenticate(user)
            start.wait()
            response = client.post(
                f"/api/tasks/{item.pk}/complete/", {"comment": user.username}, format="json"
            )
            results[user.username] = (response.status_code, response.json())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=complete, args=(person,))
        for person in (users["director"], users["deputy"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    statuses = sorted(status for status, _body in results.values())
    assert statuses == [200, 400], results
    (loser,) = [body for status, body in results.values() if status == 400]
    assert loser["error"]["code"] == "already_done"
    (winner,) = [name for name, (status, _body) in results.items() if status == 200]
    item.refresh_from_db()
    assert item.status == WorkItem.Status.DONE and item.comment == winner
    assert RunEvent.objects.filter(run=run, kind="completed").count() == 1
    assert ProcessRun.objects.get(pk=run.pk).is_finished
