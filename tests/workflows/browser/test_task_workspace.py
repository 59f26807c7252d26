"""The task page as the workspace (issue 9), in Debian Chromium: the unit head opens the review
task of a handled incoming document, sees its PDF drawn by pdf.js (under a strict
Content-Security-Policy), its details and the earlier opinions, and returns it to the specialist
with a reason, which the specialist then sees on their task; on a phone the columns stack."""

from __future__ import annotations

import datetime
import io
import os

import pytest
from playwright.sync_api import expect

from edoc.models import Document, ReadReceipt, User
from edoc.models.organisation import Role
from edoc.pdfgen import OfficialDocument, render_pdf
from edoc.services.documents import incoming_register
from edoc.services.files import pdf_validate
from tests.browser_support import canvas_is_drawn, login, submit
from workflows.deadlines import days_left_text
from workflows.models import WorkItem
from workflows.services.processes import work_item_complete
from workflows.shipped import install_shipped_definitions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Về việc triển khai tiêm chủng mở rộng năm 2027"
# What the ops helper's policy will be at least as strict as: no inline script or style, no eval,
# nothing from elsewhere; the viewer needs worker-src 'self' and connect-src 'self' only.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; frame-src 'none'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    [event.effectiveDirective, event.blockedURI, event.sourceFile].join(" ")
  );
});
"""


def _with_strict_csp(page, origin: str) -> None:
    """Serve every page of the site with the strict policy (a header on each response)."""

    def handle(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": STRICT_CSP}
        route.fulfill(response=response, headers=headers)

    page.route(f"{origin}/**", handle)
    page.add_init_script(RECORD_CSP_VIOLATIONS)


def _incoming_pdf() -> bytes:
    return render_pdf(
        OfficialDocument(
            governing_body="",
            issuer="ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG NAI",
            number="45",
            notation="KH-UBND",
            place="Đồng Nai",
            date=datetime.date(2026, 11, 20),
            type_name="KẾ HOẠCH",
            subject=SUBJECT,
            body=["Căn cứ Luật Phòng, chống bệnh truyền nhiễm;", "Triển khai tiêm chủng."],
            recipients=["Sở Y tế;", "Lưu: VT."],
            signing_authority="TM. ỦY BAN NHÂN DÂN",
            signer_position="CHỦ TỊCH",
            signer_name="Võ Tấn Đức",
        )
    )


@pytest.fixture
def review_task(users, units, catalogs) -> WorkItem:
    admin = User.objects.create_user(username="quantri", unit=units["office"], role=Role.ADMIN)
    install_shipped_definitions(admin=admin, office=units["office"])
    document = incoming_register(
        user=users["clerk"],
        subject=SUBJECT,
        urgency=catalogs["normal"],
        confidentiality=catalogs["public"],
        pdf=pdf_validate(io.BytesIO(_incoming_pdf()), "kh-45-ubnd.pdf"),
        issuer="Ủy ban nhân dân tỉnh Đồng Nai",
        number="45",
        notation="KH-UBND",
    )

    def open_item() -> WorkItem:
        return WorkItem.objects.get(document=document, status=WorkItem.Status.OPEN)

    work_item_complete(
        user=users["director"],
        work_item=open_item(),
        data={"lead_unit": units["medical"], "directive": "Giao Phòng Nghiệp vụ Y chủ trì."},
    )
    work_item_complete(
        user=users["head"],
        work_item=open_item(),
        data={"to_user": users["specialist"], "directive": "Dự thảo báo cáo trong tuần."},
    )
    work_item_complete(
        user=users["specialist"], work_item=open_item(), comment="Đã dự thảo báo cáo, trình duyệt."
    )
    return open_item()


def test_review_in_the_workspace_and_return_with_a_reason(
    page, live_server, users, review_task, screenshots
):
    document = review_task.document
    _with_strict_csp(page, live_server.url)
    login(page, "truongphong")
    page.goto(f"/workflows/tasks/{review_task.pk}/")

    # The PDF, drawn on a canvas by pdf.js.
    expect(page.locator("#pdf-viewer")).to_have_attribute("data-pdf-state", "ready")
    expect(page.locator("#pdf-viewer [data-pdf-page-count]")).to_have_text("1")
    assert canvas_is_drawn(page)
    # Its details, what is under review and the earlier opinions, beside the actions.
    expect(page.locator("#task-document")).to_contain_text(SUBJECT)
    expect(page.locator("#metadata")).to_contain_text("45/KH-UBND")
    expect(page.locator("#metadata")).to_contain_text("Ủy ban nhân dân tỉnh Đồng Nai")
    expect(page.locator("#task-handed-over")).to_contain_text("Đã dự thảo báo cáo, trình duyệt.")
    expect(page.locator("#task-history")).to_contain_text("Giao Phòng Nghiệp vụ Y chủ trì.")
    expect(page.locator("#task-history")).to_contain_text("Dự thảo báo cáo trong tuần.")
    # "còn 1 ngày làm việc", or "hạn trong hôm nay" when the run started before office hours.
    expect(page.locator("#task-deadline")).to_contain_text(days_left_text(review_task.deadline))
    # Two columns: the document left, the decision right.
    left = page.locator("#workspace-document").bounding_box()
    right = page.locator("#actions").bounding_box()
    assert left["x"] + left["width"] <= right["x"]
    page.screenshot(path=os.path.join(screenshots, "edoc-task-workspace.png"), full_page=True)
    violations = page.evaluate("window.__cspViolations")
    assert [v for v in violations if "htmx" not in v] == [], violations
    assert ReadReceipt.objects.get(document=document, user=users["head"]).read_count >= 2

    # Return to the specialist with a reason.
    page.click("#return-card summary")
    page.select_option("#return-form select[name=to_step]", "handle")
    reason = "Bổ sung số liệu tiêm chủng của quý IV."
    page.fill("#return-form textarea[name=reason]", reason)
    submit(page, "#btn-return-task")
    expect(page.locator("#messages")).to_contain_text("Trưởng phòng duyệt kết quả")
    again = WorkItem.objects.get(document=document, status=WorkItem.Status.OPEN)
    assert again.step_id == "handle" and again.assignee == users["specialist"]

    # The specialist sees the reason on their task, beside the same document; on a phone the
    # document comes first, then the task and the decision, then the document's details.
    login(page, "chuyenvien")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/workflows/tasks/{again.pk}/")
    expect(page.locator("#task-handed-over")).to_contain_text("Được trả lại cho bạn")
    expect(page.locator("#task-handed-over")).to_contain_text(reason)
    expect(page.locator("#pdf-viewer")).to_have_attribute("data-pdf-state", "ready")
    assert canvas_is_drawn(page)
    order = [
        page.locator(selector).bounding_box()
        for selector in ("#pdf-viewer-card", "#task-handed-over", "#complete-card", "#metadata")
    ]
    assert all(box["width"] <= 390 for box in order)
    assert all(a["y"] + a["height"] <= b["y"] for a, b in zip(order, order[1:], strict=False))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=os.path.join(screenshots, "edoc-task-workspace-phone.png"), full_page=True)
    assert Document.objects.get(pk=document.pk).status == Document.Status.IN_PROGRESS
