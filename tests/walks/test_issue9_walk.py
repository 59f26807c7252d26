# ruff: noqa: F811 (pytest fixtures imported from other test modules are parameters here)
"""Issue 9's "Done when", walked in Debian Chromium through the real pages only: the clerk
registers an incoming PDF (the same PDF again is flagged before "Vào sổ" and takes no number),
the director assigns it on the task page beside the PDF, the unit head forwards it with a
deadline that the specialist sees unchanged everywhere, the specialist drafts the reply, the
unit head returns it with a reason, the specialist corrects and resubmits it, the unit head
approves, the director signs (another person's key file refused, their own accepted), the
clerk issues it, and the issued PDF's header is checked on a rendering of its first page."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
import subprocess

import pytest
from django.utils import timezone
from PIL import Image, ImageChops
from playwright.sync_api import expect
from pyhanko.pdf_utils.reader import PdfFileReader

from edoc.models import Document
from edoc.pdfgen import render_pdf
from signing import fields as pdf_fields
from tests.browser_support import canvas_is_drawn, draft_and_submit, login, submit
from tests.edoc.browser.test_registry_flow import (  # noqa: F401 (fixtures)
    DRAFT_PLAN,
    SUBJECT,
    draft_pdf,
    incoming_pdf,
)
from tests.signing.conftest import signing_settings, test_pki, trust_root, tsa_url  # noqa: F401
from tests.signing.signing_support import (  # noqa: F401 (fixtures)
    _no_token_unless_asked,
    open_item,
    registered_signers,
    shipped,
)
from tests.signing.test_number_fields import FONT_FILES, appearance_fonts
from workflows import calendar
from workflows.models import ProcessRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPLY_SUBJECT = DRAFT_PLAN.subject
RETURN_REASON = "Bổ sung căn cứ Quyết định số 123/QĐ-UBND và sửa trích yếu."
RENDER_DPI = 100


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _open_task(page, document: Document, step_id: str) -> None:
    """From the task list, open the task of `step_id` on `document` (the row's link)."""
    item = open_item(document, step_id)
    page.click("#nav-tasks")
    with page.expect_navigation():
        page.click(f"#task-link-{item.pk}")


def _expect_pdf_drawn(page) -> None:
    expect(page.locator("#pdf-viewer")).to_have_attribute("data-pdf-state", "ready")
    assert canvas_is_drawn(page)


def _sign_with(page, key_file, passphrase: str) -> None:
    page.check("input[name='action-method'][value='pkcs12']")
    page.set_input_files("input[name='action-pkcs12_file']", str(key_file))
    page.fill("input[name='action-passphrase']", passphrase)
    submit(page, "#btn-complete-task")


def _render_first_page(pdf_path, png_stem, *, annotations: bool = True) -> Image.Image:
    """The first page drawn by poppler's pdftoppm (with or without the form fields' and
    signatures' appearances)."""
    command = ["pdftoppm", "-png", "-r", str(RENDER_DPI), "-f", "1", "-l", "1", "-singlefile"]
    if not annotations:
        command.append("-hide-annotations")
    subprocess.run([*command, str(pdf_path), str(png_stem)], check=True, capture_output=True)
    with Image.open(f"{png_stem}.png") as png:
        return png.convert("L")


def _region(png: Image.Image, rect: list[float], page_height: float) -> Image.Image:
    """The pixels of a PDF rectangle (points, origin at the bottom left)."""
    scale = RENDER_DPI / 72
    x1, y1, x2, y2 = rect
    return png.crop(
        (
            round(x1 * scale),
            round((page_height - y2) * scale),
            round(x2 * scale),
            round((page_height - y1) * scale),
        )
    )


def _share_of(region: Image.Image, levels: range) -> float:
    """The share of a greyscale region's pixels whose level is in `levels`."""
    histogram = region.histogram()
    return sum(histogram[level] for level in levels) / max(sum(histogram), 1)


def test_issue9_done_when(
    page,
    users,
    units,
    catalogs,
    shipped,
    test_pki,
    trust_root,
    signing_settings,
    registered_signers,
    incoming_pdf,
    draft_pdf,
    tmp_path,
    screenshots,
):
    # 1. The clerk registers the incoming PDF: number 1 of the book.
    login(page, "vanthu")
    page.click("#nav-register")
    page.set_input_files("#register-form input[name=file]", str(incoming_pdf))
    expect(page.locator("#file-ok")).to_be_visible()
    expect(page.locator("#duplicate-proposal")).to_have_count(0)
    expect(page.locator("#id_subject")).to_have_value(SUBJECT)
    submit(page, "#btn-register")
    expect(page.locator("#incoming-number")).to_have_text("1")
    incoming = Document.objects.get(direction="incoming")
    book = incoming.register_book

    # The same PDF again: the duplicate is flagged on the proposal, before "Vào sổ".
    page.click("#nav-register")
    page.set_input_files("#register-form input[name=file]", str(incoming_pdf))
    warning = page.locator("#duplicate-proposal")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Có thể trùng")
    expect(warning.locator("a.duplicate-link")).to_have_attribute(
        "href", f"/documents/{incoming.pk}/"
    )
    submit(page, "#btn-register")  # refused without the confirmation box
    expect(page.locator("#field-confirm_duplicate .field-error")).to_be_visible()
    page.click("#register-form a.btn-ghost")  # "Hủy"
    page.wait_for_url("**/incoming/")
    page.click("#nav-books")
    book_row = page.locator("#register-books tr", has=page.locator(f"#book-{book.pk}"))
    expect(book_row.locator("td").nth(4)).to_have_text("1")  # the last number used
    book.refresh_from_db()
    assert book.last_number == 1, "the refused duplicate took a number"
    assert Document.objects.filter(direction="incoming").count() == 1
    assert ProcessRun.objects.count() == 1

    # 2. The director assigns it to the medical unit on the task page, beside the drawn PDF.
    today = timezone.localdate()
    director_deadline = calendar.add_working_days(today, 6)
    forward_deadline = calendar.add_working_days(today, 3)
    login(page, "giamdoc")
    _open_task(page, incoming, "assign")
    submit(page, "#btn-claim")  # a task of the leaders' group: the director takes it
    _expect_pdf_drawn(page)
    expect(page.locator("#task-document")).to_contain_text(SUBJECT)
    page.select_option("#task-form select[name='action-lead_unit']", str(units["medical"].pk))
    page.fill("#task-form input[name='action-deadline']", director_deadline.isoformat())
    page.fill("#task-form textarea[name='action-directive']", "Giao Phòng Nghiệp vụ Y chủ trì.")
    submit(page, "#btn-complete-task")
    expect(page.locator("#messages")).to_be_visible()

    # 3. The unit head forwards it to the specialist with an earlier deadline of their own.
    login(page, "truongphong")
    _open_task(page, incoming, "forward")
    page.select_option("#task-form select[name='action-to_user']", str(users["specialist"].pk))
    page.fill("#task-form input[name='action-deadline']", forward_deadline.isoformat())
    page.fill("#task-form textarea[name='action-directive']", "Dự thảo báo cáo trả lời.")
    submit(page, "#btn-complete-task")
    expect(page.locator("#messages")).to_be_visible()

    # The specialist sees that same deadline on the task list, the task page and the document.
    handle = open_item(incoming, "handle")
    due, left = _date(forward_deadline), "còn 3 ngày làm việc"
    login(page, "chuyenvien")
    page.click("#nav-tasks")
    row = page.locator(f"tr[data-task-id='{handle.pk}']")
    expect(row).to_contain_text(due)
    expect(row).to_contain_text(left)
    page.click(f"#task-link-{handle.pk}")
    expect(page.locator("#task-deadline")).to_contain_text(due)
    expect(page.locator("#task-deadline")).to_contain_text(left)
    page.click("#task-document-link")
    my_task = page.locator("#actions .action-card").first
    expect(my_task).to_contain_text(due)
    expect(my_task).to_contain_text(left)
    pending = page.locator("#assignments tr", has=page.locator(".assignment-pending"))
    expect(pending).to_contain_text(due)
    expect(pending).to_contain_text(left)
    page.screenshot(path=f"{screenshots}/edoc-walk-3-deadline.png", full_page=True)

    # 4. The specialist drafts the reply with its PDF and submits it.
    draft_and_submit(
        page,
        type_label="Kế hoạch",
        subject=REPLY_SUBJECT,
        signer_pk=users["director"].pk,
        pdf_path=draft_pdf,
    )
    reply = Document.objects.get(direction="outgoing")
    assert reply.status == Document.Status.IN_REVIEW

    # 5. The unit head reviews it on the task page and returns it with a reason.
    login(page, "truongphong")
    _open_task(page, reply, "review")
    _expect_pdf_drawn(page)
    page.click("#return-card summary")
    page.select_option("#return-form select[name=to_step]", "draft")
    page.fill("#return-form textarea[name=reason]", RETURN_REASON)
    submit(page, "#btn-return-task")
    expect(page.locator("#messages")).to_be_visible()

    # The specialist sees why, on the task and on the document's timeline, corrects the draft
    # (details and a new version) and submits it again.
    login(page, "chuyenvien")
    _open_task(page, reply, "draft")
    expect(page.locator("#task-handed-over")).to_contain_text(RETURN_REASON)
    page.click("#task-document-link")
    expect(page.locator("#returned-draft-notice")).to_contain_text(RETURN_REASON)
    expect(page.locator("#timeline")).to_contain_text(RETURN_REASON)
    page.click("#btn-edit")
    page.fill("#outgoing-form textarea[name=subject]", f"{REPLY_SUBJECT} (bổ sung căn cứ)")
    submit(page, "#btn-save-draft")
    expect(page.locator("#timeline .event-updated")).to_contain_text("trích yếu")
    corrected = tmp_path / "du-thao-ke-hoach-v2.pdf"
    corrected.write_bytes(
        render_pdf(
            dataclasses.replace(
                DRAFT_PLAN,
                subject=f"{REPLY_SUBJECT} (bổ sung căn cứ)",
                body=["Căn cứ Quyết định số 123/QĐ-UBND ngày 05/3/2026 của UBND tỉnh Đồng Nai;"]
                + DRAFT_PLAN.body,
            )
        )
    )
    page.set_input_files("#file-form input[name=file]", str(corrected))
    submit(page, "#btn-upload")
    expect(page.locator("#download-v2")).to_be_visible()
    submit(page, "#btn-submit")
    expect(page.locator("#returned-draft-notice")).to_have_count(0)

    # The unit head approves it; the director approves it for signing.
    login(page, "truongphong")
    _open_task(page, reply, "review")
    expect(page.locator("#pdf-file-name")).to_have_text("du-thao-ke-hoach-v2.pdf")
    submit(page, "#btn-complete-task")
    login(page, "giamdoc")
    _open_task(page, reply, "approve")
    submit(page, "#btn-complete-task")

    # 6. The director signs: the unit head's key file is refused, their own is accepted.
    others_key = tmp_path / "truongphong.p12"
    others_key.write_bytes(test_pki.signers["head"].pkcs12)
    _open_task(page, reply, "sign")
    sign_task = open_item(reply, "sign")
    _sign_with(page, others_key, test_pki.signers["head"].passphrase)
    refusal = page.locator(".errorlist, .alert-error").first
    expect(refusal).to_contain_text("không phải chứng thư số đã đăng ký cho tài khoản của bạn")
    expect(refusal).to_contain_text(test_pki.signers["head"].common_name)
    reply.refresh_from_db()
    assert reply.status == Document.Status.IN_REVIEW and reply.files.count() == 2
    assert not reply.signature_records.exists()
    assert open_item(reply, "sign").pk == sign_task.pk

    own_key = tmp_path / "giamdoc.p12"
    own_key.write_bytes(test_pki.signers["director"].pkcs12)
    page.goto(f"/workflows/tasks/{sign_task.pk}/")
    _sign_with(page, own_key, test_pki.signers["director"].passphrase)
    expect(page.locator("#messages")).to_be_visible()
    reply.refresh_from_db()
    assert reply.status == Document.Status.READY

    # 7. The clerk issues it on the issue task, which says the number it will take.
    login(page, "vanthu")
    _open_task(page, reply, "issue")
    expect(page.locator("#task-preview")).to_contain_text("01/KH-SYT")
    submit(page, "#btn-complete-task")
    reply.refresh_from_db()
    assert reply.status == Document.Status.ISSUED and reply.symbol == "01/KH-SYT"

    # 8. The issued PDF, downloaded from the document page.
    latest = reply.latest_file()
    page.click("#nav-outgoing")
    page.locator(f"a[href='/documents/{reply.pk}/']").first.click()
    with page.expect_download() as download:
        page.click(f"#download-v{latest.version}")
    issued = tmp_path / "01-KH-SYT.pdf"
    download.value.save_as(issued)
    content = issued.read_bytes()

    # The number and the place-and-date line are filled in the serif, the date in italics.
    reader = PdfFileReader(io.BytesIO(content))
    values = {}
    rects = {}
    for ref in reader.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        values[str(field["/T"])] = str(field.get("/V", ""))
        rects[str(field["/T"])] = [float(v) for v in field["/Rect"]]
    number_line = values[pdf_fields.NUMBER_FIELD]
    date_line = values[pdf_fields.DATE_FIELD]
    assert re.fullmatch(r"Số: \d{2}/[A-ZĐ]+-SYT", number_line), number_line
    assert number_line == "Số: 01/KH-SYT"
    assert re.fullmatch(
        rf"Đồng Nai, ngày \d{{2}} tháng \d{{1,2}} năm {reply.issue_date.year}", date_line
    ), date_line
    fonts = appearance_fonts(content)
    assert set(fonts) == set(FONT_FILES)
    assert re.fullmatch(r"/[A-Z]{6}\+LiberationSerif-Identity-H", fonts[pdf_fields.NUMBER_FIELD][0])
    assert re.fullmatch(
        r"/[A-Z]{6}\+LiberationSerif-Italic-Identity-H", fonts[pdf_fields.DATE_FIELD][0]
    )

    # Its first page rendered by poppler: the filled fields put ink where the number and the
    # date line are, over the draft's blanks (hiding the fields' appearances changes them).
    page_height = float(reader.root["/Pages"]["/Kids"][0].get_object()["/MediaBox"][3])
    shown = _render_first_page(issued, tmp_path / "issued")
    bare = _render_first_page(issued, tmp_path / "bare", annotations=False)
    shown.save(f"{screenshots}/edoc-walk-issued-page1.png")
    for name in (pdf_fields.NUMBER_FIELD, pdf_fields.DATE_FIELD):
        region = _region(shown, rects[name], page_height)
        assert _share_of(region, range(0, 110)) > 0.03, f"{name}: no text drawn"
        difference = ImageChops.difference(region, _region(bare, rects[name], page_height))
        assert _share_of(difference, range(80, 256)) > 0.02, f"{name}: the draft's blanks shown"
