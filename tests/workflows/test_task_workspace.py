"""The task page as the workspace (issue 9): what the person needs to decide, without leaving
the page — the document's PDF, its metadata, the earlier opinions and assignments, the files,
the deadline — and the actions beside it; the clerk's issue task says what completing it does."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from edoc.models import Assignment, AuditEntry, Document, DocumentFile, ReadReceipt, User
from edoc.models.organisation import Role
from edoc.services.documents import (
    incoming_register,
    outgoing_create,
    outgoing_issue,
    outgoing_submit,
)
from edoc.services.files import pdf_validate
from tests.conftest import make_pdf
from workflows import calendar
from workflows.models import WorkItem
from workflows.models.calendar_days import CalendarDay, DayKind
from workflows.selectors import file_inline_viewable
from workflows.services.calendar_days import add_calendar_day, delete_calendar_day
from workflows.services.definitions import definition_create, version_publish
from workflows.services.processes import process_start, work_item_complete
from workflows.shipped import install_shipped_definitions

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(units) -> User:
    return User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def outgoing_ready(users, catalogs, subject: str, *, type_code: str = "KH") -> Document:
    """An outgoing plan drafted, with its file, and submitted: ready for issuance (no process)."""
    draft = outgoing_create(
        user=users["specialist"],
        subject=subject,
        document_type=catalogs["types"][type_code],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        signer=users["director"],
        pdf=pdf_validate(io.BytesIO(make_pdf(["SỞ Y TẾ", subject])), "du-thao.pdf"),
    )
    return outgoing_submit(user=users["specialist"], document=draft)


@pytest.fixture
def issue_definition(admin, units):
    clerks = {"rule": "role", "role": "clerk", "unit": units["office"].pk}
    graph = {
        "start": "issue",
        "steps": [
            {
                "id": "issue",
                "name": "Văn thư cấp số, phát hành",
                "type": "user",
                "action": "issue",
                "assignee": clerks,
                "deadline": {"hours": 4},
                "next": "done",
            },
            {"id": "done", "name": "Hoàn thành", "type": "end"},
        ],
    }
    definition = definition_create(user=admin, key="phat-hanh", name="Phát hành", graph=graph)
    version_publish(user=admin, definition=definition)
    return definition


def set_today(admin, committed, kind: str) -> None:
    """Make today a working day or a day off, as an administrator records it."""
    today = timezone.localdate()
    with committed():
        for day in CalendarDay.objects.filter(date=today):
            delete_calendar_day(day, actor=admin)
        add_calendar_day(actor=admin, date=today, kind=kind, name="Ngày thử nghiệm")
    assert calendar.is_working_day(today) == (kind == DayKind.WORKING_DAY)


def test_the_issue_task_says_which_number_it_will_take(
    users, catalogs, admin, issue_definition, committed
):
    """Issue 9 (#15): completing the clerk's task numbers and issues the document — the page says
    so, with the number it will take; on a day off it warns."""
    earlier = outgoing_ready(users, catalogs, "Kế hoạch phòng chống dịch")
    assert outgoing_issue(user=users["clerk"], document=earlier).symbol == "01/KH-SYT"
    document = outgoing_ready(users, catalogs, "Kế hoạch chuyển đổi số")
    run = process_start(user=users["specialist"], definition=issue_definition, document=document)
    item = run.work_items.get(status=WorkItem.Status.OPEN)
    clerk = login(users["clerk"])

    set_today(admin, committed, DayKind.WORKING_DAY)
    page = clerk.get(reverse("workflows:task", args=[item.pk])).content.decode()
    preview = re.search(r'id="task-preview".*?</div>', page, re.S).group(0)
    assert "Hoàn thành bước này sẽ cấp số và phát hành văn bản: Số: 02/KH-SYT (dự kiến)" in preview
    assert "không phải ngày làm việc" not in page
    assert Document.objects.get(pk=document.pk).number == ""  # showing takes no number

    set_today(admin, committed, DayKind.DAY_OFF)
    page = clerk.get(reverse("workflows:task", args=[item.pk])).content.decode()
    warning = re.search(r'id="task-preview".*?</div>', page, re.S).group(0)
    assert "alert-warning" in warning and "không phải ngày làm việc" in warning
    assert "Ngày thử nghiệm" in warning


# --- The workspace of an incoming document's handling: the unit head reviews the result.


@pytest.fixture
def shipped(admin, units):
    install_shipped_definitions(admin=admin, office=units["office"])


def register_incoming(users, catalogs) -> Document:
    pdf = make_pdf(["ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI", "Số: 45/KH-UBND", "Về việc tiêm chủng"])
    return incoming_register(
        user=users["clerk"],
        subject="Về việc triển khai tiêm chủng mở rộng năm 2027",
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        pdf=pdf_validate(io.BytesIO(pdf), "kh-45-ubnd.pdf"),
        issuer="Ủy ban nhân dân tỉnh Đồng Nai",
        number="45",
        notation="KH-UBND",
    )


def handled_to_review(users, units, catalogs) -> tuple[Document, WorkItem]:
    """Assigned by the director, forwarded by the unit head with a directive, handled by the
    specialist with a comment: the unit head's approval task is open."""
    document = register_incoming(users, catalogs)
    (assign,) = open_items(document)
    work_item_complete(
        user=users["director"],
        work_item=assign,
        data={"lead_unit": units["medical"], "directive": "Giao Phòng Nghiệp vụ Y chủ trì."},
    )
    (forward,) = open_items(document)
    work_item_complete(
        user=users["head"],
        work_item=forward,
        data={"to_user": users["specialist"], "directive": "Dự thảo báo cáo trong tuần."},
    )
    (handle,) = open_items(document)
    work_item_complete(
        user=users["specialist"], work_item=handle, comment="Đã dự thảo báo cáo, trình duyệt."
    )
    (approve,) = open_items(document)
    assert approve.step_id == "approve" and approve.assignee == users["head"]
    return document, approve


def open_items(document) -> list[WorkItem]:
    return list(
        WorkItem.objects.filter(document=document, status=WorkItem.Status.OPEN).order_by("pk")
    )


def test_the_review_task_shows_the_document_the_result_and_earlier_opinions(
    shipped, users, units, catalogs
):
    document, approve = handled_to_review(users, units, catalogs)
    head = login(users["head"])
    before = AuditEntry.objects.filter(action="document.view").count()
    response = head.get(reverse("workflows:task", args=[approve.pk]))
    assert response.status_code == 200
    html = response.content.decode()

    # The PDF inline: the current version, drawn by the vendored pdf.js module (no inline script).
    current = document.files.get()
    viewer = re.search(r'<div class="pdf-viewer" id="pdf-viewer".*?>', html, re.S).group(0)
    file_url = reverse("edoc:document_file_download", args=[document.pk, current.pk])
    assert f'data-pdf-url="{file_url}?inline=1"' in viewer
    assert "vendor/pdfjs/pdf.min.mjs" in viewer and "vendor/pdfjs/pdf.worker.min.mjs" in viewer
    assert '<script type="module" src="/static/js/pdf_viewer.mjs"></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    assert " style=" not in html and "onclick=" not in html
    # Its details and files.
    metadata = re.search(r'id="metadata".*?</section>', html, re.S).group(0)
    for expected in ("45/KH-UBND", "Ủy ban nhân dân tỉnh Đồng Nai", "Sổ văn bản đến"):
        assert expected in metadata
    heading = re.search(r'id="task-document".*?</p>', html, re.S).group(0)
    assert document.subject in heading and "45/KH-UBND" in heading
    assert "kh-45-ubnd.pdf" in re.search(r'id="task-files".*?</section>', html, re.S).group(0)

    # What is under review: the specialist's result and comment.
    handed = re.search(r'id="task-handed-over".*?</section>', html, re.S).group(0)
    assert "Trình bạn xem xét, quyết định" in handed
    assert "Võ Thành Nam" in handed and "Đã dự thảo báo cáo, trình duyệt." in handed

    # The earlier opinions and assignments, in order: the director's directive, the unit head's
    # forwarding with its directive, the specialist's comment.
    history = re.search(r'id="task-history".*?</section>', html, re.S).group(0)
    directive = history.index("Giao Phòng Nghiệp vụ Y chủ trì.")
    forwarded = history.index("Dự thảo báo cáo trong tuần.")
    result = history.index("Đã dự thảo báo cáo, trình duyệt.")
    assert directive < forwarded < result
    assert history.count("Đã dự thảo báo cáo, trình duyệt.") == 1  # one line per action
    assignments = re.search(r'id="task-assignments".*?</section>', html, re.S).group(0)
    assert "Phòng Nghiệp vụ Y" in assignments and "Võ Thành Nam" in assignments

    # The actions beside it: complete, and return with a reason to the handling step only
    # (assigning and forwarding cannot be done a second time).
    assert 'id="btn-complete-task"' in html
    return_form = re.search(r'id="return-form".*?</form>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]+)"', return_form) == ["handle"]
    assert 'name="reason"' in return_form

    # Opening the task page is a read of the document, recorded like on the document page.
    receipt = ReadReceipt.objects.get(document=document, user=users["head"])
    assert receipt.read_count >= 1
    view = AuditEntry.objects.filter(action="document.view").order_by("-pk").first()
    assert AuditEntry.objects.filter(action="document.view").count() == before + 1
    assert view.details == {"task": approve.pk, "step": "approve"}
    # … and so is fetching the file for the inline viewer.
    assert head.get(f"{file_url}?inline=1").status_code == 200
    assert ReadReceipt.objects.get(pk=receipt.pk).read_count == receipt.read_count + 1


def test_the_reviewer_returns_the_result_with_a_reason(shipped, users, units, catalogs):
    document, approve = handled_to_review(users, units, catalogs)
    head = login(users["head"])
    url = reverse("workflows:task_return", args=[approve.pk])

    refused = head.post(url, {"to_step": "handle", "reason": ""})
    assert refused.status_code == 400
    assert WorkItem.objects.get(pk=approve.pk).status == WorkItem.Status.OPEN

    reason = "Bổ sung số liệu tiêm chủng của quý IV."
    assert head.post(url, {"to_step": "handle", "reason": reason}).status_code == 302
    (again,) = open_items(document)
    assert again.step_id == "handle" and again.assignee == users["specialist"]
    lead = Assignment.objects.get(document=document, user=users["specialist"])
    assert lead.status == Assignment.Status.PENDING  # the specialist's work is theirs again

    page = login(users["specialist"]).get(reverse("workflows:task", args=[again.pk]))
    handed = re.search(r'id="task-handed-over".*?</section>', page.content.decode(), re.S)
    assert "Được trả lại cho bạn" in handed.group(0)
    assert f"Lý do:</span> {reason}" in handed.group(0)
    history = re.search(r'id="task-history".*?</section>', page.content.decode(), re.S).group(0)
    assert reason in history and "“Chuyên viên xử lý, đơn vị phối hợp cho ý kiến”" in history

    work_item_complete(user=users["specialist"], work_item=again, comment="Đã bổ sung số liệu.")
    (approve_again,) = open_items(document)
    work_item_complete(user=users["head"], work_item=approve_again, comment="Đồng ý.")
    assert Document.objects.get(pk=document.pk).status == Document.Status.COMPLETED


def test_every_review_step_of_the_shipped_processes_can_return(shipped, users, units):
    from workflows.graph import parse
    from workflows.models import ProcessDefinition

    review_actions = {"approve", "complete", "sign"}
    for definition in ProcessDefinition.objects.all():
        graph = parse(definition.published_version().graph)
        for step in graph.steps:
            if step.type == "user" and step.action in review_actions:
                assert step.allow_return, (definition.key, step.id)


def test_a_file_with_active_content_is_offered_as_a_download_only(shipped, users, units, catalogs):
    document, approve = handled_to_review(users, units, catalogs)
    current = document.files.get()
    assert file_inline_viewable(current)
    DocumentFile.objects.filter(pk=current.pk).update(active_content=["javascript"])
    current.refresh_from_db()
    assert not file_inline_viewable(current)
    html = login(users["head"]).get(reverse("workflows:task", args=[approve.pk])).content.decode()
    assert 'id="pdf-viewer"' not in html and "pdf_viewer.mjs" not in html
    fallback = re.search(r'id="pdf-download-only".*?</p>', html, re.S).group(0)
    assert reverse("edoc:document_file_download", args=[document.pk, current.pk]) in fallback


def test_an_outsider_gets_neither_the_workspace_nor_a_read(shipped, users, units, catalogs):
    """Another unit's specialist takes no part in the task: no page, and no read recorded."""
    document, approve = handled_to_review(users, units, catalogs)
    outsider = users["other_specialist"]
    assert login(outsider).get(reverse("workflows:task", args=[approve.pk])).status_code == 404
    assert not ReadReceipt.objects.filter(document=document, user=outsider).exists()


def test_the_reviewer_sees_the_draft_and_the_comment_it_was_submitted_with(
    shipped, users, units, catalogs
):
    """The specialist submits the draft from the document page (its comment is the registry's):
    the unit head's review task shows the draft inline and that comment."""
    draft = outgoing_create(
        user=users["specialist"],
        subject="Kế hoạch kiểm tra an toàn thực phẩm Tết",
        document_type=catalogs["types"]["KH"],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        signer=users["director"],
        pdf=pdf_validate(io.BytesIO(make_pdf(["SỞ Y TẾ", "KẾ HOẠCH"])), "du-thao-v1.pdf"),
    )
    outgoing_submit(user=users["specialist"], document=draft, comment="Kính trình anh xem xét.")
    (review,) = open_items(draft)
    assert review.step_id == "review" and review.assignee == users["head"]
    html = login(users["head"]).get(reverse("workflows:task", args=[review.pk])).content.decode()
    handed = re.search(r'id="task-handed-over".*?</section>', html, re.S).group(0)
    assert "Kính trình anh xem xét." in handed and "Không có ý kiến." not in handed
    assert "du-thao-v1.pdf" in re.search(r'id="pdf-viewer-card".*?</section>', html, re.S).group(0)
    return_form = re.search(r'id="return-form".*?</form>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]+)"', return_form) == ["draft"]
