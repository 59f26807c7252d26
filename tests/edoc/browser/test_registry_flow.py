"""Issue 2, end to end in Debian Chromium: the clerk registers an incoming PDF with the fields
proposed from it, the director assigns it, the specialist completes it; the specialist drafts an
outgoing plan and the clerk issues it with the Decree 30 number."""

from __future__ import annotations

import datetime
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from edoc.models import Document
from edoc.pdfgen import OfficialDocument, render_pdf
from tests.browser_support import draft_and_submit, login, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Về việc triển khai Kế hoạch chuyển đổi số ngành y tế năm 2026"


@pytest.fixture
def incoming_pdf(tmp_path):
    path = tmp_path / "qd-123-ubnd.pdf"
    path.write_bytes(
        render_pdf(
            OfficialDocument(
                governing_body="",
                issuer="ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG NAI",
                number="123",
                notation="QĐ-UBND",
                place="Đồng Nai",
                date=datetime.date(2026, 3, 5),
                type_name="QUYẾT ĐỊNH",
                subject=SUBJECT,
                body=["Căn cứ Luật Tổ chức chính quyền địa phương;", "# QUYẾT ĐỊNH:"],
                recipients=["Như Điều 3;", "Lưu: VT."],
                signing_authority="TM. ỦY BAN NHÂN DÂN",
                signer_position="CHỦ TỊCH",
                signer_name="Võ Tấn Đức",
            )
        )
    )
    return path


#: The specialist's draft plan: Decree 30 layout, number and date left blank for the clerk.
DRAFT_PLAN = OfficialDocument(
    governing_body="UBND TỈNH ĐỒNG NAI",
    issuer="SỞ Y TẾ",
    notation="KH-SYT",
    type_name="KẾ HOẠCH",
    subject="Chuyển đổi số ngành y tế năm 2027",
    body=["Thực hiện Kế hoạch số 49/KH-UBND của UBND tỉnh."],
    signing_authority="",
    signer_position="GIÁM ĐỐC",
    signer_name="Trần Văn Hùng",
)


@pytest.fixture
def draft_pdf(tmp_path):
    path = tmp_path / "du-thao-ke-hoach.pdf"
    path.write_bytes(render_pdf(DRAFT_PLAN))
    return path


def _shot(page, screenshots, name):
    page.screenshot(path=os.path.join(screenshots, f"edoc-{name}.png"), full_page=True)


def test_register_assign_complete_draft_issue(
    page, users, units, catalogs, incoming_pdf, draft_pdf, screenshots
):
    # 1. The clerk registers the incoming PDF; the fields are proposed from its text.
    login(page, "vanthu")
    page.click("#nav-register")
    page.set_input_files("#register-form input[name=file]", str(incoming_pdf))
    expect(page.locator("#file-ok")).to_be_visible()
    expect(page.locator("#id_number")).to_have_value("123")
    expect(page.locator("#id_notation")).to_have_value("QĐ-UBND")
    expect(page.locator("#id_issue_date")).to_have_value("2026-03-05")
    expect(page.locator("#id_subject")).to_have_value(SUBJECT)
    _shot(page, screenshots, "1-register")
    submit(page, "#btn-register")
    expect(page.locator("#incoming-number")).to_have_text("1")
    document = Document.objects.get(direction="incoming")
    assert document.symbol == "123/QĐ-UBND" and document.files.count() == 1

    # 2. The director assigns the specialist as lead handler, with a deadline.
    login(page, "giamdoc")
    page.goto("/")
    page.click(f"#inbox-to-assign a[href='/documents/{document.pk}/']")
    page.select_option("#assign-form select[name=lead_user]", str(users["specialist"].pk))
    deadline = timezone.localdate() + datetime.timedelta(days=7)
    page.fill("#assign-form input[name=deadline]", deadline.isoformat())
    page.fill("#assign-form textarea[name=directive]", "Giao chuyên viên tham mưu.")
    submit(page, "#btn-assign")
    expect(page.locator("#assignments")).to_contain_text(str(users["specialist"]))

    # 3. The specialist finds it in the pending list and completes it.
    login(page, "chuyenvien")
    page.goto("/")
    page.click(f"#inbox-tasks a[href='/documents/{document.pk}/']")
    submit(page, "#btn-complete")
    expect(page.locator("#timeline")).to_contain_text("Giao chuyên viên tham mưu.")
    document.refresh_from_db()
    assert document.status == Document.Status.COMPLETED

    # 4. The specialist drafts an outgoing plan and submits it for issuance.
    draft_and_submit(
        page,
        type_label="Kế hoạch",
        subject="Chuyển đổi số ngành y tế năm 2027",
        signer_pk=users["director"].pk,
        pdf_path=draft_pdf,
    )
    outgoing = Document.objects.get(direction="outgoing")
    assert outgoing.status == Document.Status.READY

    # 5. The clerk issues it: number 01 of the year, notation KH-SYT.
    login(page, "vanthu")
    page.goto("/")
    page.click(f"#inbox-to-issue a[href='/documents/{outgoing.pk}/']")
    submit(page, "#btn-issue")
    expect(page.locator("#document-symbol")).to_have_text("01/KH-SYT")
    _shot(page, screenshots, "5-issued")
