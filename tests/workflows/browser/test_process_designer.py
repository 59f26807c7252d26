"""Issue 3, end to end in Debian Chromium: an administrator designs a 4-step definition with a
parallel step and a branch, publishes it; a document runs through it, each step reaching the
right people with deadlines from the working-day calendar (an added day off is skipped)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from edoc.models import User
from edoc.models.organisation import Role
from edoc.services.documents import incoming_register
from tests.browser_support import login, submit
from workflows import calendar
from workflows.models import ProcessRun, WorkItem
from workflows.services import add_calendar_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _save_step(page, fields: dict, *, selects: dict | None = None, rules=(), branches=()):
    page.click("#btn-add-step")
    page.wait_for_selector('#step-form[data-step="__new__"]')
    form = page.locator("#step-form")
    for name, value in (selects or {}).items():
        form.locator(f"select[name='{name}']").select_option(value)
    for name, value in fields.items():
        form.locator(f"[name='{name}']").fill(value)
    for index, rule in enumerate(rules):
        for name, value in rule.items():
            field = form.locator(f"[name='rule-{index}-{name}']")
            if name == "role":
                form.locator(f"[name='rule-{index}-role'][value='{value}']").check()
            elif name in ("rule", "user", "unit"):
                field.select_option(value)
            else:
                field.fill(value)
    for index, (condition, target) in enumerate(branches):
        form.locator(f"[name='branch-{index}-condition']").fill(condition)
        form.locator(f"[name='branch-{index}-next']").fill(target)
    with page.expect_response(lambda response: "/steps/save/" in response.url):
        page.click("#btn-save-step")
    expect(page.locator("#step-form")).to_have_attribute("data-step", fields["id"])


def test_admin_designs_publishes_and_a_document_runs_through(
    page, users, units, catalogs, screenshots
):
    User.objects.create_user(
        username="quantri", password="pw-quantri", unit=units["office"], role=Role.ADMIN
    )
    # The day a one-day deadline would end on is announced as a day off: deadlines skip it.
    # (The next working day; or today itself before office hours, when the clock starts at
    # today's opening.)
    holiday = timezone.localtime(calendar.add_working_time(timezone.now(), days=1)).date()
    add_calendar_day(actor=users["clerk"], date=holiday, kind="day_off", name="Nghỉ bù (thử)")

    login(page, "quantri")
    page.goto("/workflows/designer/")
    page.fill("#definition-form [name=key]", "xin-y-kien")
    page.fill("#definition-form [name=name]", "Xin ý kiến và trình lãnh đạo")
    page.select_option("#definition-form [name=subject_kind]", "incoming")
    submit(page, "#btn-create-definition")

    _save_step(
        page,
        {"id": "tiep_nhan", "name": "Văn thư tiếp nhận", "deadline": "1", "next": "y_kien"},
        rules=[{"rule": "initiator"}],
    )
    _save_step(
        page,
        {"id": "y_kien", "name": "Các phòng cho ý kiến", "deadline": "2", "next": "phan_loai"},
        selects={"type": "parallel", "join": "all"},
        rules=[
            {"rule": "user", "user": str(users["head"].pk)},
            {"rule": "user", "user": str(users["other_head"].pk)},
        ],
    )
    _save_step(
        page,
        {"id": "phan_loai", "name": "Theo độ khẩn", "default": "pho_giam_doc"},
        selects={"type": "branch"},
        branches=[('urgency != "normal"', "giam_doc")],
    )
    _save_step(
        page,
        {"id": "giam_doc", "name": "Giám đốc cho ý kiến", "next": "xong"},
        rules=[{"rule": "user", "user": str(users["director"].pk)}],
    )
    _save_step(
        page,
        {"id": "pho_giam_doc", "name": "Phó Giám đốc cho ý kiến", "next": "xong"},
        rules=[{"rule": "role", "role": "deputy_director", "unit": "agency"}],
    )
    _save_step(page, {"id": "xong", "name": "Kết thúc"}, selects={"type": "end"})
    expect(page.locator("#diagram svg")).to_be_visible()
    page.screenshot(path=f"{screenshots}/edoc-designer.png", full_page=True)
    submit(page, "#btn-publish")
    expect(page.locator("#versions-table")).to_contain_text("1")

    # The clerk registers an urgent document and starts the process on it.
    document = incoming_register(
        user=users["clerk"],
        subject="Về việc xin ý kiến về kế hoạch tiêm chủng",
        urgency=catalogs["urgent"],
        confidentiality=catalogs["public"],
    )
    login(page, "vanthu")
    page.goto(f"/documents/{document.pk}/")
    page.select_option("#process-start-definition", label="Xin ý kiến và trình lãnh đạo")
    submit(page, "#btn-start-process")
    run = ProcessRun.objects.get(document=document)

    # Step 1, the clerk's own: due one working day later, skipping the announced day off.
    first = WorkItem.objects.get(run=run, step_id="tiep_nhan")
    deadline = timezone.localtime(first.deadline).date()
    assert deadline > holiday
    assert (
        deadline == timezone.localtime(calendar.add_working_time(first.created_at, days=1)).date()
    )
    page.goto("/workflows/tasks/")
    row = page.locator(f"tr[data-task-id='{first.pk}']")
    expect(row).to_contain_text(deadline.strftime("%d/%m/%Y"))
    row.locator("a").first.click()
    submit(page, "#btn-complete-task")

    # Step 2, in parallel: both unit heads get a task; the process waits for both.
    opinions = list(WorkItem.objects.filter(run=run, step_id="y_kien").order_by("pk"))
    assert {item.assignee for item in opinions} == {users["head"], users["other_head"]}
    for item in opinions:
        login(page, item.assignee.username)
        page.goto(f"/workflows/tasks/{item.pk}/")
        page.fill("#task-form textarea[name=comment]", "Thống nhất.")
        submit(page, "#btn-complete-task")

    # The branch: an urgent document goes to the director, not the deputy.
    (final,) = WorkItem.objects.filter(run=run, status=WorkItem.Status.OPEN)
    assert final.step_id == "giam_doc" and final.assignee == users["director"]
    login(page, "giamdoc")
    page.goto("/workflows/tasks/")
    page.click(f"tr[data-task-id='{final.pk}'] a")
    submit(page, "#btn-complete-task")
    run.refresh_from_db()
    assert run.is_finished
    page.goto(f"/workflows/processes/{run.pk}/")
    expect(page.locator("#diagram svg")).to_be_visible()
    page.screenshot(path=f"{screenshots}/edoc-process.png", full_page=True)
