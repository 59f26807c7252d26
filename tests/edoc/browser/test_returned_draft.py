"""Issue 9 #3 in Chromium: the unit head returned the draft with a reason; the drafter sees why
on the document page, corrects the details, uploads a new version and submits it again."""

from __future__ import annotations

import io
import os

import pytest
from playwright.sync_api import expect

from edoc.models import Document, User
from edoc.models.organisation import Role
from edoc.services.documents import outgoing_create, outgoing_submit
from edoc.services.files import pdf_validate
from tests.browser_support import login, submit
from tests.conftest import make_pdf
from workflows.models import WorkItem
from workflows.services.processes import work_item_return
from workflows.shipped import install_shipped_definitions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Bổ sung căn cứ pháp lý và sửa trích yếu."


def test_the_drafter_corrects_and_resubmits_a_returned_draft(
    page, users, units, catalogs, tmp_path, screenshots
):
    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    install_shipped_definitions(admin=admin, office=units["office"])
    draft = outgoing_create(
        user=users["specialist"],
        subject="Kế hoạch kiểm tra an toàn thực phẩm",
        document_type=catalogs["types"]["KH"],
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        signer=users["director"],
        pdf=pdf_validate(io.BytesIO(make_pdf(["Dự thảo lần 1"])), "du-thao-1.pdf"),
    )
    outgoing_submit(user=users["specialist"], document=draft)
    review = WorkItem.objects.get(document=draft, status=WorkItem.Status.OPEN)
    work_item_return(user=users["head"], work_item=review, to_step="draft", reason=REASON)

    login(page, "chuyenvien")
    page.goto(f"/documents/{draft.pk}/")
    expect(page.locator("#returned-draft-notice")).to_contain_text(REASON)
    expect(page.locator("#timeline")).to_contain_text("trả lại dự thảo để chỉnh sửa")
    page.screenshot(path=os.path.join(screenshots, "edoc-returned-draft.png"), full_page=True)

    page.click("#btn-edit")
    page.fill(
        "#outgoing-form textarea[name=subject]", "Kế hoạch kiểm tra an toàn thực phẩm năm 2027"
    )
    submit(page, "#btn-save-draft")
    second = tmp_path / "du-thao-2.pdf"
    second.write_bytes(make_pdf(["Dự thảo lần 2"]))
    page.set_input_files("#file-form input[name=file]", str(second))
    submit(page, "#btn-upload")
    expect(page.locator("#download-v2")).to_be_visible()
    submit(page, "#btn-submit")
    expect(page.locator("#returned-draft-notice")).to_have_count(0)

    draft.refresh_from_db()
    assert draft.status == Document.Status.IN_REVIEW
    assert draft.subject == "Kế hoạch kiểm tra an toàn thực phẩm năm 2027"
    (open_task,) = WorkItem.objects.filter(document=draft, status=WorkItem.Status.OPEN)
    assert open_task.step_id == "review" and open_task.assignee == users["head"]
