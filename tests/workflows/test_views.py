"""Staff pages of running processes: the task inbox, the task page and its buttons, the process
page, the document page's panel, notifications and the menu counts."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django import forms
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from edoc.models import Document, User
from edoc.models.organisation import Role
from edoc.services.documents import incoming_register
from edoc.services.files import pdf_validate
from edoc.services.handling import delegation_create
from tests.conftest import make_pdf
from workflows import actions
from workflows.models import Notification, ProcessRun, RunEvent, WorkItem
from workflows.services.definitions import definition_create, version_publish
from workflows.services.processes import process_start, work_item_complete

pytestmark = pytest.mark.django_db


# --- Fixtures: a published three-step process on a registered incoming document.


@pytest.fixture
def admin(units) -> User:
    return User.objects.create_user(
        username="quantri", password="pw-quantri", unit=units["office"], role=Role.ADMIN
    )


@pytest.fixture
def second_deputy(units) -> User:
    return User.objects.create_user(
        username="phogiamdoc2",
        unit=units["board"],
        role=Role.DEPUTY_DIRECTOR,
        first_name="Tâm",
        last_name="Ngô Thị",
    )


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def graph(users: dict[str, User]) -> dict[str, Any]:
    """Draft (the initiator) → review (the unit head) → approval (any deputy director: a
    group task when the agency has several) → done."""
    return {
        "start": "draft",
        "steps": [
            {
                "id": "draft",
                "name": "Soạn dự thảo",
                "type": "user",
                "assignee": {"rule": "initiator"},
                "deadline": {"days": 2},
                "next": "review",
            },
            {
                "id": "review",
                "name": "Trưởng phòng xem xét",
                "type": "user",
                "assignee": {"rule": "user", "user": users["head"].pk},
                "deadline": {"days": 1},
                "next": "approve",
            },
            {
                "id": "approve",
                "name": "Phó Giám đốc phê duyệt",
                "type": "user",
                "assignee": {"rule": "role", "role": "deputy_director", "unit": "agency"},
                "next": "done",
            },
            {"id": "done", "name": "Hoàn thành", "type": "end"},
        ],
    }


@pytest.fixture
def definition(admin, users):
    definition = definition_create(
        user=admin, key="xu-ly-van-ban", name="Xử lý văn bản đến", graph=graph(users)
    )
    version_publish(user=admin, definition=definition)
    return definition


def register(users, catalogs, subject: str = "Về việc báo cáo số liệu tiêm chủng") -> Document:
    upload = io.BytesIO(make_pdf(["UBND TỈNH ĐỒNG NAI", "Số: 7/KH-UBND", subject]))
    upload.name = "van-ban.pdf"
    return incoming_register(
        user=users["clerk"],
        subject=subject,
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        pdf=pdf_validate(upload, "van-ban.pdf"),
        issuer="Ủy ban nhân dân tỉnh Đồng Nai",
        number="7",
        notation="KH-UBND",
    )


@pytest.fixture
def document(users, catalogs) -> Document:
    return register(users, catalogs)


def start(definition, user: User, document: Document | None = None) -> ProcessRun:
    return process_start(user=user, definition=definition, document=document)


def open_item(run: ProcessRun) -> WorkItem:
    return run.work_items.get(status=WorkItem.Status.OPEN)


def text_of(response) -> str:
    return response.content.decode()


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-task-id="(\d+)"', html)]


# --- The inbox.


def test_inbox_lists_my_open_tasks_with_document_process_and_deadline(definition, users, document):
    run = start(definition, users["clerk"], document)
    item = open_item(run)
    response = login(users["clerk"]).get(reverse("workflows:inbox"))
    assert response.status_code == 200
    html = text_of(response)
    assert 'id="inbox-table"' in html
    assert row_ids(html) == [item.pk]
    assert "Soạn dự thảo" in html and "7/KH-UBND" in html and "báo cáo số liệu tiêm chủng" in html
    assert "Xử lý văn bản đến" in html
    assert reverse("workflows:task", args=[item.pk]) in html
    assert reverse("edoc:document_detail", args=[document.pk]) in html
    assert reverse("workflows:process", args=[run.pk]) in html
    assert timezone.localtime(item.deadline).strftime("%H:%M %d/%m/%Y") in html
    # Someone else's inbox does not show it.
    assert row_ids(text_of(login(users["specialist"]).get(reverse("workflows:inbox")))) == []
    assert "Bạn không có công việc nào đang mở." in text_of(
        login(users["specialist"]).get(reverse("workflows:inbox"))
    )


def test_inbox_needs_a_login(client):
    response = client.get(reverse("workflows:inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_inbox_filters_overdue_due_soon_and_process(admin, definition, users):
    now = timezone.now()
    overdue = open_item(start(definition, users["head"]))
    soon = open_item(start(definition, users["head"]))
    later = open_item(start(definition, users["head"]))
    WorkItem.objects.filter(pk=overdue.pk).update(deadline=now - datetime.timedelta(hours=2))
    WorkItem.objects.filter(pk=soon.pk).update(deadline=now + datetime.timedelta(minutes=30))
    WorkItem.objects.filter(pk=later.pk).update(deadline=now + datetime.timedelta(days=30))
    other = definition_create(user=admin, key="khac", name="Quy trình khác", graph=graph(users))
    version_publish(user=admin, definition=other)
    elsewhere = open_item(start(other, users["head"]))
    WorkItem.objects.filter(pk=elsewhere.pk).update(deadline=None)

    client = login(users["head"])
    html = text_of(client.get(reverse("workflows:inbox")))
    assert row_ids(html) == [overdue.pk, soon.pk, later.pk, elsewhere.pk]  # no deadline last
    assert re.search(rf'data-task-id="{overdue.pk}" class="row-overdue"', html)
    assert re.search(rf'data-task-id="{soon.pk}" class="row-due-soon"', html)
    assert 'id="filter-overdue"' in html and 'id="filter-due-soon"' in html
    assert "Quá hạn" in html and "Sắp đến hạn" in html

    overdue_html = text_of(client.get(reverse("workflows:inbox"), {"filter": "overdue"}))
    assert row_ids(overdue_html) == [overdue.pk]
    assert row_ids(text_of(client.get(reverse("workflows:inbox"), {"filter": "due_soon"}))) == [
        soon.pk
    ]
    by_process = text_of(client.get(reverse("workflows:inbox"), {"process": other.pk}))
    assert row_ids(by_process) == [elsewhere.pk]
    assert 'id="filter-process"' in by_process and "Quy trình khác" in by_process
    # Unknown filters fall back to all tasks.
    assert len(row_ids(text_of(client.get(reverse("workflows:inbox"), {"filter": "x"})))) == 4
    assert len(row_ids(text_of(client.get(reverse("workflows:inbox"), {"process": "x"})))) == 4


def test_delegated_tasks_appear_for_the_delegate_on_behalf_of_the_leader(
    definition, users, document
):
    run = start(definition, users["clerk"], document)
    work_item_complete(user=users["clerk"], work_item=open_item(run))
    review = open_item(run)
    assert review.assignee == users["head"]
    # Without a delegation the specialist does not see the head's task.
    client = login(users["specialist"])
    assert row_ids(text_of(client.get(reverse("workflows:inbox")))) == []
    today = timezone.localdate()
    delegation_create(
        user=users["head"], delegate=users["specialist"], start_date=today, end_date=today
    )
    html = text_of(client.get(reverse("workflows:inbox")))
    assert row_ids(html) == [review.pk]
    assert f"thay mặt {users['head']}" in html
    # The delegate completes it on the leader's behalf; the history says so.
    page = text_of(client.get(reverse("workflows:task", args=[review.pk])))
    assert 'id="delegation-note"' in page and 'id="btn-complete-task"' in page
    response = client.post(
        reverse("workflows:task_complete", args=[review.pk]), {"comment": "Đồng ý"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.completed_by == users["specialist"] and review.on_behalf_of == users["head"]
    process_html = text_of(client.get(reverse("workflows:process", args=[run.pk])))
    assert f"thay mặt {users['head']}" in process_html


def test_group_tasks_are_claimed_from_the_inbox(definition, users, second_deputy, document):
    run = start(definition, users["clerk"], document)
    work_item_complete(user=users["clerk"], work_item=open_item(run))
    work_item_complete(user=users["head"], work_item=open_item(run))
    approval = open_item(run)
    assert approval.assignee is None
    client = login(users["deputy"])
    html = text_of(client.get(reverse("workflows:inbox")))
    assert row_ids(html) == [approval.pk]
    assert f'id="btn-claim-{approval.pk}"' in html and "Công việc nhóm" in html
    task_page = text_of(client.get(reverse("workflows:task", args=[approval.pk])))
    assert 'id="btn-claim"' in task_page and 'id="btn-complete-task"' not in task_page

    response = client.post(reverse("workflows:task_claim", args=[approval.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("workflows:task", args=[approval.pk])
    approval.refresh_from_db()
    assert approval.assignee == users["deputy"]
    page = text_of(client.get(response["Location"]))
    assert 'id="btn-complete-task"' in page and 'id="btn-claim"' not in page
    # The other deputy no longer has it, and a late claim gets a message, not an error page.
    other = login(second_deputy)
    assert row_ids(text_of(other.get(reverse("workflows:inbox")))) == []
    late = other.post(reverse("workflows:task_claim", args=[approval.pk]))
    assert late.status_code == 409
    assert "Người khác đã nhận xử lý công việc này." in text_of(late)


def test_inbox_queries_do_not_grow_with_the_number_of_tasks(admin, definition, users, catalogs):
    def queries_for(count: int) -> int:
        for index in range(count - WorkItem.objects.filter(assignee=users["head"]).count()):
            start(definition, users["head"], register(users, catalogs, f"Văn bản số {index}"))
        client = login(users["head"])
        client.get(reverse("workflows:inbox"))  # warm caches (session, calendar)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("workflows:inbox"))
        assert len(row_ids(text_of(response))) == count
        return len(captured)

    assert queries_for(3) == queries_for(30)


def test_inbox_reads_the_users_open_tasks_once(admin, definition, users, catalogs):
    """The list, the counts, the process filter and the menu's counts share one read of the
    user's open task ids: each read of that union reads a leader's candidate rows again
    (docs/benchmarks.md, inbox at 100,000 processes)."""
    for index in range(3):
        start(definition, users["head"], register(users, catalogs, f"Văn bản số {index}"))
    client = login(users["head"])
    client.get(reverse("workflows:inbox"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("workflows:inbox"))
    assert len(row_ids(text_of(response))) == 3
    unions = [query["sql"] for query in captured if "UNION ALL" in query["sql"]]
    assert len(unions) == 1, unions
    html = text_of(response)
    assert 'id="nav-tasks-count">3<' in html  # the menu's count, from the same ids


# --- The task page and its buttons.


def test_task_page_shows_the_task_and_its_forms_to_the_assignee(definition, users, document):
    run = start(definition, users["clerk"], document)
    work_item_complete(user=users["clerk"], work_item=open_item(run), comment="Đã soạn")
    review = open_item(run)
    response = login(users["head"]).get(reverse("workflows:task", args=[review.pk]))
    assert response.status_code == 200
    html = text_of(response)
    for element in ("task-form", "btn-complete-task", "return-form", "btn-return-task"):
        assert f'id="{element}"' in html
    assert 'id="reassign-form"' in html and 'id="btn-reassign"' in html  # the assignee may
    assert 'id="btn-claim"' not in html
    assert "Trưởng phòng xem xét" in html and "Xử lý văn bản đến" in html
    # The head of another unit is let into the clerk's document by the step given to them.
    assert "7/KH-UBND" in html and "(văn bản bạn không có quyền xem)" not in html
    assert reverse("edoc:document_detail", args=[document.pk]) in html
    assert str(users["clerk"]) in html  # who passed it on
    assert re.search(r'<option value="draft"[^>]*>Soạn dự thảo</option>', html)
    # Those who see the document get its summary and a link to it.
    director_html = text_of(
        login(users["director"]).get(reverse("workflows:task", args=[review.pk]))
    )
    assert reverse("edoc:document_detail", args=[document.pk]) in director_html
    assert "báo cáo số liệu tiêm chủng" in director_html


def test_task_page_is_404_for_outsiders_and_read_only_for_document_readers(
    definition, users, document
):
    run = start(definition, users["clerk"], document)
    item = open_item(run)
    url = reverse("workflows:task", args=[item.pk])
    assert login(users["other_specialist"]).get(url).status_code == 404
    assert login(users["clerk"]).get(reverse("workflows:task", args=[999999])).status_code == 404
    # The director sees every document of the agency: the page, but no buttons.
    director = login(users["director"])
    html = text_of(director.get(url))
    assert 'id="task-form"' not in html and 'id="btn-claim"' not in html
    response = director.post(
        reverse("workflows:task_complete", args=[item.pk]), {"comment": "Không phải việc tôi"}
    )
    assert response.status_code == 403
    assert "Không có quyền truy cập" in text_of(response)
    response = director.post(
        reverse("workflows:task_return", args=[item.pk]), {"to_step": "draft", "reason": "x"}
    )
    assert response.status_code in (400, 403)
    item.refresh_from_db()
    assert item.status == WorkItem.Status.OPEN
    # Outsiders cannot even post.
    outsider = login(users["other_specialist"])
    assert outsider.post(reverse("workflows:task_complete", args=[item.pk])).status_code == 404
    assert outsider.post(reverse("workflows:task_claim", args=[item.pk])).status_code == 404


def test_complete_moves_the_process_on_and_returns_to_the_inbox(definition, users, document):
    run = start(definition, users["clerk"], document)
    item = open_item(run)
    client = login(users["clerk"])
    response = client.post(
        reverse("workflows:task_complete", args=[item.pk]), {"comment": "Đã soạn xong"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("workflows:inbox")
    item.refresh_from_db()
    assert item.status == WorkItem.Status.DONE and item.comment == "Đã soạn xong"
    assert open_item(run).step_id == "review"
    html = text_of(client.get(response["Location"]))
    assert "Đã hoàn thành công việc “Soạn dự thảo”." in html


def test_already_done_shows_a_message_not_an_error(definition, users, document):
    run = start(definition, users["clerk"], document)
    item = open_item(run)
    client = login(users["clerk"])
    assert client.post(reverse("workflows:task_complete", args=[item.pk])).status_code == 302
    for name, data in (
        ("workflows:task_complete", {"comment": "lần hai"}),
        ("workflows:task_return", {"to_step": "draft", "reason": "lần hai"}),
    ):
        response = client.post(reverse(name, args=[item.pk]), data)
        assert response.status_code == 409
        html = text_of(response)
        assert "Công việc này đã được xử lý." in html and 'id="task-notice"' in html
        assert 'id="task-form"' not in html
    # The closed task's page shows its result.
    html = text_of(client.get(reverse("workflows:task", args=[item.pk])))
    assert 'id="task-closed"' in html and 'id="task-form"' not in html


def test_return_needs_a_reason_and_sends_the_process_back(definition, users, document):
    run = start(definition, users["clerk"], document)
    work_item_complete(user=users["clerk"], work_item=open_item(run))
    review = open_item(run)
    client = login(users["head"])
    url = reverse("workflows:task_return", args=[review.pk])
    response = client.post(url, {"to_step": "draft", "reason": ""})
    assert response.status_code == 400
    assert 'id="return-form"' in text_of(response) and "field-error" in text_of(response)
    response = client.post(url, {"to_step": "approve", "reason": "Sai bước"})
    assert response.status_code == 400  # not an earlier step
    response = client.post(url, {"to_step": "draft", "reason": "Bổ sung số liệu"})
    assert response.status_code == 302 and response["Location"] == reverse("workflows:inbox")
    review.refresh_from_db()
    assert review.status == WorkItem.Status.RETURNED and review.return_to == "draft"
    again = open_item(run)
    assert again.step_id == "draft" and again.assignee == users["clerk"]
    history = text_of(login(users["clerk"]).get(reverse("workflows:process", args=[run.pk])))
    assert "Bổ sung số liệu" in history
    assert "trả lại từ bước “Trưởng phòng xem xét” về bước “Soạn dự thảo”" in history


def test_reassign_gives_the_task_to_someone_else(definition, users, document):
    run = start(definition, users["clerk"], document)
    work_item_complete(user=users["clerk"], work_item=open_item(run))
    review = open_item(run)
    client = login(users["head"])
    url = reverse("workflows:task_reassign", args=[review.pk])
    assert client.post(url, {"to_user": ""}).status_code == 400
    response = client.post(url, {"to_user": users["specialist"].pk, "comment": "Em xử lý"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.assignee == users["specialist"]
    assert Notification.objects.filter(user=users["specialist"], work_item=review).exists()
    specialist = login(users["specialist"])
    assert row_ids(text_of(specialist.get(reverse("workflows:inbox")))) == [review.pk]
    page = text_of(specialist.get(reverse("workflows:task", args=[review.pk])))
    assert str(users["head"]) in page  # reassigned by the head
    # Someone who may not reassign gets no form and a 403 on posting.
    director = login(users["director"])
    assert 'id="reassign-form"' not in text_of(
        director.get(reverse("workflows:task", args=[review.pk]))
    )
    assert director.post(url, {"to_user": users["clerk"].pk}).status_code == 403


class OpinionForm(forms.Form):
    """A step's extra input, as actions may declare it."""

    opinion = forms.ChoiceField(choices=[("agree", "Đồng ý"), ("disagree", "Không đồng ý")])

    def __init__(self, *args: Any, user: User, work_item: WorkItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.work_item = work_item


@pytest.fixture
def opinion_action():
    """A real action with a form, registered for the test and removed afterwards."""
    performed: list[dict[str, Any]] = []
    spec = actions.register(
        actions.ActionSpec(
            "test_opinion",
            "Cho ý kiến",
            form_class=OpinionForm,
            perform=lambda actor, work_item, data: performed.append(data),
        )
    )
    yield performed
    actions.ACTIONS.pop(spec.key, None)


def test_the_steps_action_form_is_shown_and_its_data_performed(
    admin, users, document, opinion_action
):
    steps = graph(users)
    steps["steps"][0]["action"] = "test_opinion"
    definition = definition_create(user=admin, key="y-kien", name="Lấy ý kiến", graph=steps)
    version_publish(user=admin, definition=definition)
    item = open_item(start(definition, users["clerk"], document))
    client = login(users["clerk"])
    html = text_of(client.get(reverse("workflows:task", args=[item.pk])))
    assert 'name="action-opinion"' in html
    url = reverse("workflows:task_complete", args=[item.pk])
    response = client.post(url, {"comment": "Ý kiến"})
    assert response.status_code == 400 and opinion_action == []
    response = client.post(url, {"comment": "Ý kiến", "action-opinion": "agree"})
    assert response.status_code == 302
    assert opinion_action == [{"opinion": "agree", "comment": "Ý kiến"}]


# --- The process page.


def test_process_page_shows_definition_history_open_tasks_and_steps(definition, users, document):
    run = start(definition, users["clerk"], document)
    work_item_complete(user=users["clerk"], work_item=open_item(run), comment="Đã soạn xong")
    review = open_item(run)
    url = reverse("workflows:process", args=[run.pk])
    assert login(users["head"]).get(url).status_code == 200  # a participant
    response = login(users["clerk"]).get(url)
    assert response.status_code == 200
    html = text_of(response)
    assert "Xử lý văn bản đến" in html and "phiên bản 1" in html
    assert "Đang thực hiện" in html
    assert reverse("edoc:document_detail", args=[document.pk]) in html
    assert "Đã soạn xong" in html and str(users["clerk"]) in html
    assert f'data-task-id="{review.pk}"' in html and str(users["head"]) in html
    # Diagram (or, without the drawing module, the step list) marks current and done steps.
    if 'id="diagram"' in html:
        assert '<g class="wf-node wf-user is-done" data-step="draft">' in html
        assert '<g class="wf-node wf-user is-current" data-step="review">' in html
        assert '<g class="wf-node wf-user" data-step="approve">' in html
    else:  # without the drawing module: the plain list of steps
        assert 'class="step step-done" data-step="draft"' in html
        assert 'class="step step-current" data-step="review"' in html


def test_process_page_is_for_participants_and_document_readers(definition, users, document):
    run = start(definition, users["clerk"], document)
    url = reverse("workflows:process", args=[run.pk])
    assert login(users["clerk"]).get(url).status_code == 200  # initiator
    assert login(users["director"]).get(url).status_code == 200  # sees the document
    assert login(users["other_specialist"]).get(url).status_code == 404
    assert login(users["clerk"]).get(reverse("workflows:process", args=[99999])).status_code == 404
    # A run without a document: only its participants.
    bare = start(definition, users["specialist"])
    assert (
        login(users["specialist"]).get(reverse("workflows:process", args=[bare.pk])).status_code
        == 200
    )
    assert (
        login(users["director"]).get(reverse("workflows:process", args=[bare.pk])).status_code
        == 404
    )


def test_finished_process_is_shown_as_finished(definition, users, document, second_deputy):
    run = start(definition, users["clerk"], document)
    work_item_complete(user=users["clerk"], work_item=open_item(run))
    work_item_complete(user=users["head"], work_item=open_item(run))
    work_item_complete(user=users["deputy"], work_item=open_item(run))
    run.refresh_from_db()
    assert run.is_finished
    html = text_of(login(users["clerk"]).get(reverse("workflows:process", args=[run.pk])))
    assert 'data-status="finished"' in html and "Không có công việc đang mở." in html
    assert RunEvent.objects.filter(run=run, kind="finished").exists()


# --- The document page's panel.


def test_document_page_lists_processes_and_my_tasks(definition, users, catalogs, document):
    run = start(definition, users["clerk"], document)
    item = open_item(run)
    client = login(users["clerk"])
    html = text_of(client.get(reverse("edoc:document_detail", args=[document.pk])))
    assert 'id="document-processes"' in html
    assert reverse("workflows:process", args=[run.pk]) in html
    assert f'id="document-task-{item.pk}"' in html
    assert reverse("workflows:task", args=[item.pk]) in html
    # The director sees the run but has no task on it.
    director_html = text_of(
        login(users["director"]).get(reverse("edoc:document_detail", args=[document.pk]))
    )
    assert 'id="document-processes"' in director_html and "document-task-" not in director_html
    # A document without processes offers to start one (a published definition suits it).
    plain = register(users, catalogs, subject="Về việc khác")
    plain_html = text_of(client.get(reverse("edoc:document_detail", args=[plain.pk])))
    assert 'id="document-runs"' not in plain_html and 'id="process-start-form"' in plain_html


# --- Menu counts and notifications.


def test_menu_shows_open_and_overdue_counts(definition, users):
    first = open_item(start(definition, users["head"]))
    open_item(start(definition, users["head"]))
    WorkItem.objects.filter(pk=first.pk).update(
        deadline=timezone.now() - datetime.timedelta(days=1)
    )
    html = text_of(login(users["head"]).get(reverse("edoc:pending")))
    assert 'id="nav-tasks"' in html and "Công việc của tôi" in html
    assert 'id="nav-tasks-count">2<' in html
    assert 'id="nav-tasks-overdue"' in html and ">1</span>" in html
    empty = text_of(login(users["other_specialist"]).get(reverse("edoc:pending")))
    assert 'id="nav-tasks"' in empty and 'id="nav-tasks-count"' not in empty


def test_menu_counts_cost_two_queries(definition, users):
    from django.test import RequestFactory

    from workflows.context_processors import navigation

    start(definition, users["head"])
    request = RequestFactory().get("/")
    request.user = users["head"]
    context = navigation(request)
    with CaptureQueriesContext(connection) as captured:
        assert context["nav_tasks"].open == 1 and context["nav_tasks"].overdue == 0
        assert context["nav_notifications_unread"] == 1  # the new task was notified
    assert len(captured) == 2
    api_request = RequestFactory().get("/api/tasks/")
    api_request.user = users["head"]
    assert navigation(api_request) == {}


def test_notifications_bell_and_page_mark_them_read(definition, users, document):
    run = start(definition, users["clerk"], document)
    work_item_complete(user=users["clerk"], work_item=open_item(run))
    review = open_item(run)
    notice = Notification.objects.get(user=users["head"], work_item=review)
    client = login(users["head"])
    html = text_of(client.get(reverse("edoc:pending")))
    assert 'id="nav-notifications"' in html and 'id="nav-notifications-count">1<' in html
    page = client.get(reverse("workflows:notifications"))
    assert page.status_code == 200
    page_html = text_of(page)
    assert notice.text in page_html and reverse("workflows:task", args=[review.pk]) in page_html
    assert 'class="notice notice-assigned unread"' in page_html
    assert 'id="nav-notifications-count"' not in page_html  # read on opening
    notice.refresh_from_db()
    assert notice.read_at is not None
    again = text_of(client.get(reverse("workflows:notifications")))
    assert "unread" not in again.split('id="notification-list"')[1].split("</ul>")[0]
    # Nobody sees another's notifications.
    assert notice.text not in text_of(
        login(users["specialist"]).get(reverse("workflows:notifications"))
    )
