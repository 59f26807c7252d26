"""Issue 6 "done when", end to end in Debian Chromium.

A citizen submits a dossier from a phone-sized browser (375×812, asking for English: the
portal answers in Vietnamese); the one-stop officer accepts it and, once the unit head gave it
to a specialist, requests a supplement; two working days later the citizen looks the dossier
up and uploads the paper on the tracking page; the dossier goes through its internal process
(the director signs the result document and the clerk issues it, the fee is recorded, the
specialist attaches the issued result, head reviews, director approves, the one-stop officer
returns it online); the citizen downloads the signed result and sees its
signature verified, with the appointment moved by exactly the two paused working days; the
report counts it as received online and resolved on time.

Every citizen and staff step runs through the pages; only the result document is prepared
beforehand through the services (`in_signing`: the specialist's outgoing draft, reviewed and
approved, its signing step open for the director, who then signs it on its task page with the
test PKI's PKCS#12 key). A fixed clock (Django's timezone.now, shared by the live server
thread) makes the working days exact; it is lifted while the director signs, so that the
signature's time agrees with the test TSA's timestamp.
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.db.models import F
from playwright.sync_api import expect

from onestop.models import Dossier
from onestop.portal.models import NotificationAttempt
from tests.browser_support import login, submit
from tests.conftest import assert_no_csp_violations, make_pdf, watch_csp
from tests.signing.conftest import signing_settings, trust_root, tsa_url  # noqa: F401
from workflows import calendar
from workflows.models import WorkItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONDAY = datetime.datetime(2026, 11, 30, 8, 0)
TUESDAY = datetime.datetime(2026, 12, 1, 8, 0)
THURSDAY = datetime.datetime(2026, 12, 3, 8, 0)


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized browser that prefers English."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    page = context.new_page()
    page.requested = []  # every URL the portal pages make the browser fetch
    page.on("request", lambda request: page.requested.append(request.url))
    yield page
    context.close()
    assert_no_csp_violations(violations)


@pytest.fixture
def paper_files(tmp_path):
    files = {}
    for name, lines in {
        "don-de-nghi.pdf": ["ĐƠN ĐỀ NGHỊ CẤP CHỨNG CHỈ HÀNH NGHỀ"],
        "van-bang.pdf": ["BẰNG BÁC SĨ Y KHOA"],
        "van-bang-chung-thuc.pdf": ["BẢN SAO CHỨNG THỰC BẰNG BÁC SĨ"],
    }.items():
        path = tmp_path / name
        path.write_bytes(make_pdf(lines))
        files[name] = str(path)
    files["dir"] = tmp_path
    return files


def _shot(page, screenshots, name):
    page.screenshot(path=os.path.join(screenshots, f"onestop-{name}.png"), full_page=True)


def _fits_the_screen(page) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px screen"


def _open_task(page, dossier: Dossier, step_id: str) -> None:
    """The dossier's open task of that step, claimed first when it is a group task."""
    item = WorkItem.objects.get(run_id=dossier.run_id, step_id=step_id, status="open")
    page.goto(f"/workflows/tasks/{item.pk}/")
    if page.locator("#btn-claim").count():
        submit(page, "#btn-claim")


def _staff_action(page, dossier: Dossier, action: str, fill=None) -> None:
    page.goto(f"/onestop/dossiers/{dossier.pk}/")
    page.click(f"#action-{action} summary")
    if fill:
        fill(page)
    submit(page, f"#btn-{action}")
    expect(page.locator(".alert-success")).to_be_visible()


def test_citizen_online_dossier_with_supplement_to_signed_result(
    phone,
    page,
    clock,
    users,
    officer,
    papers,
    process_procedure,
    in_signing,
    trust_root,  # noqa: F811
    signing_settings,  # noqa: F811
    test_pki,
    paper_files,
    screenshots,
    live_server,
):
    procedure = process_procedure
    result, sign_step = in_signing  # an outgoing draft reviewed and approved, to be signed
    key_file = paper_files["dir"] / "giamdoc.p12"
    key_file.write_bytes(test_pki.signers["director"].pkcs12)
    # 1. Monday: the citizen submits from the phone.
    clock.set(MONDAY)
    phone.goto("/portal/")
    expect(phone.locator("html")).to_have_attribute("lang", "vi")
    expect(phone.locator("h1")).to_have_text("Thủ tục thực hiện trực tuyến")
    phone.click(f"a[href='/portal/thu-tuc/{procedure.code}/']")
    expect(phone.locator("#procedure-fee")).to_have_text("360.000 đ")
    phone.click("#btn-start")
    expect(phone.locator("#id_name")).to_be_visible()  # the form page, not the one it left
    _fits_the_screen(phone)
    phone.fill("#id_name", "Nguyễn Văn An")
    phone.fill("#id_phone", "0912 345 678")
    phone.fill("#id_id_number", "079123456789")
    phone.fill("#id_email", "an@example.vn")
    phone.set_input_files(f"#id_paper_{papers[0].pk}", paper_files["don-de-nghi.pdf"])
    submit(phone, "#btn-submit")  # the second mandatory paper is missing
    expect(phone.locator(f"#field-paper_{papers[1].pk} .field-errors")).to_contain_text(
        "Giấy tờ này là bắt buộc"
    )
    expect(phone.locator("#id_name")).to_have_value("Nguyễn Văn An")
    _fits_the_screen(phone)
    # The paper that passed is kept (in a private draft): only the missing one is chosen.
    expect(phone.locator(f"#field-paper_{papers[0].pk} .stored-note")).to_contain_text(
        "Đã tải lên: don-de-nghi.pdf"
    )
    _shot(phone, screenshots, "0-missing-paper")
    assert Dossier.objects.get().status == Dossier.Status.DRAFT
    phone.set_input_files(f"#id_paper_{papers[1].pk}", paper_files["van-bang.pdf"])
    submit(phone, "#btn-submit")
    expect(phone.locator("h1")).to_have_text("Hồ sơ của bạn đã được nộp")
    code = phone.inner_text("#dossier-code").strip()
    _fits_the_screen(phone)
    _shot(phone, screenshots, "1-submitted")
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Dossier.Status.NEW and dossier.files.count() == 2

    # 2. The officer accepts it; the unit head gives it to the specialist.
    login(page, officer.username)
    _staff_action(page, dossier, "accept")
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.ACCEPTED and dossier.run_id
    due_at_acceptance = dossier.due_at
    login(page, users["head"].username)
    _open_task(page, dossier, "assign")
    page.select_option("select[name='action-handler']", str(users["specialist"].pk))
    submit(page, "#btn-complete-task")

    # 3. Tuesday: the officer requests a supplement; the clock pauses.
    clock.set(TUESDAY)
    login(page, officer.username)

    def ask(p):
        p.fill(
            "#form-supplement textarea[name='message']", "Bổ sung bản sao văn bằng có chứng thực."
        )
        p.check(f"#form-supplement input[name='papers'][value='{papers[1].pk}']")

    _staff_action(page, dossier, "supplement", ask)
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.SUPPLEMENT and dossier.paused_at is not None

    # 4. Thursday: the citizen looks the dossier up and uploads the paper there.
    clock.set(THURSDAY)
    phone.goto("/portal/tra-cuu/")
    phone.fill("#id_code", code)
    phone.fill("#id_secret", "0912345678")
    submit(phone, "#btn-lookup")
    expect(phone.locator("#status-name")).to_have_text("Yêu cầu bổ sung")
    expect(phone.locator("#supplement-message")).to_contain_text("bản sao văn bằng")
    _fits_the_screen(phone)
    _shot(phone, screenshots, "2-supplement-requested")
    phone.set_input_files(f"#id_paper_{papers[1].pk}", paper_files["van-bang-chung-thuc.pdf"])
    phone.fill("#id_message", "Tôi gửi bản sao có chứng thực.")
    submit(phone, "#btn-supplement")
    expect(phone.locator("#messages")).to_contain_text("Cảm ơn")
    expect(phone.locator("#status-name")).to_have_text("Đang xử lý")
    dossier.refresh_from_db()
    assert dossier.paused_working_days == Decimal("2.00")
    assert calendar.working_time_between(due_at_acceptance, dossier.due_at) == (
        2 * calendar.working_day_length()
    )

    # 5. The result document is signed by the director in its own signing step (PKCS#12
    # file), on the real clock (the signature's time must agree with the test TSA's
    # timestamp), then numbered and issued by the clerk: only such a document is offered as
    # the dossier's result. The fee is recorded; the internal process goes on: result
    # attached, reviewed, approved, returned.
    clock.monkeypatch.undo()
    login(page, users["director"].username)
    page.goto(f"/workflows/tasks/{sign_step.pk}/")
    page.check("input[name='action-method'][value='pkcs12']")
    page.set_input_files("input[name='action-pkcs12_file']", str(key_file))
    page.fill("input[name='action-passphrase']", test_pki.signers["director"].passphrase)
    submit(page, "#btn-complete-task")
    assert result.signature_records.exists()
    login(page, users["clerk"].username)
    issue = WorkItem.objects.get(document=result, step_id="issue", status="open")
    page.goto(f"/workflows/tasks/{issue.pk}/")
    submit(page, "#btn-complete-task")
    result.refresh_from_db()
    assert result.status == "issued"
    clock.set(THURSDAY)
    login(page, officer.username)
    _staff_action(
        page,
        dossier,
        "payment_record",
        lambda p: p.fill("#form-payment_record input[name='reference']", "BL-2026-0001"),
    )
    login(page, users["specialist"].username)
    _open_task(page, dossier, "appraise")
    page.select_option("select[name='action-result_document']", str(result.pk))
    submit(page, "#btn-complete-task")
    login(page, users["head"].username)
    _open_task(page, dossier, "review")
    submit(page, "#btn-complete-task")
    login(page, users["director"].username)
    _open_task(page, dossier, "approve")
    submit(page, "#btn-complete-task")
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.DONE
    login(page, officer.username)
    _open_task(page, dossier, "return")
    page.select_option("select[name='action-channel']", "online")
    submit(page, "#btn-complete-task")
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.RETURNED

    # 6. The citizen downloads the signed result and sees it verified.
    phone.goto("/portal/ho-so/")
    expect(phone.locator("#status-name")).to_have_text("Đã trả kết quả")
    expect(phone.locator("#result-verification")).to_contain_text("Chữ ký số hợp lệ")
    expect(phone.locator("#result-verification")).to_contain_text(
        test_pki.signers["director"].common_name
    )
    expect(phone.locator("#paused-days")).to_contain_text("2 ngày làm việc")
    expect(phone.locator("#due-at")).to_have_text(
        dossier.due_at.astimezone(calendar.VN_TZ).strftime("%H:%M %d/%m/%Y")
    )
    _fits_the_screen(phone)
    _shot(phone, screenshots, "3-result")
    with phone.expect_download() as info:
        phone.click("#btn-result")
    download = info.value
    assert download.suggested_filename == f"{code}-ket-qua.pdf"
    content = Path(download.path()).read_bytes()
    assert content == result.files.order_by("-version").first().file.read()
    assert b"/ByteRange" in content
    timeline = phone.inner_text("#timeline")
    for status in ("Mới đăng ký", "Được tiếp nhận", "Yêu cầu bổ sung", "Đã xử lý xong"):
        assert status in timeline
    html = phone.content()
    assert officer.last_name not in html and users["head"].last_name not in html

    # Every status change reached the citizen by e-mail and SMS (logging gateway).
    attempts = NotificationAttempt.objects.filter(dossier=dossier)
    changes = dossier.events.exclude(to_status=None).exclude(from_status=F("to_status")).count()
    assert attempts.filter(channel="email", ok=True).count() == changes
    assert attempts.filter(channel="sms", ok=True).count() == changes
    assert {m.to[0] for m in mail.outbox if code in m.subject} == {"an@example.vn"}

    # Nothing came from anywhere but the site itself (no CDN, fonts or trackers).
    assert phone.requested and all(url.startswith(live_server.url) for url in phone.requested)

    # 7. The report counts it: received online, resolved on time.
    page.goto("/onestop/reports/")
    totals = page.locator("#report-totals th")
    expect(totals.nth(1)).to_have_text("1")  # received online
    expect(totals.nth(2)).to_have_text("0")  # at the counter
    expect(totals.nth(3)).to_have_text("1")  # resolved on time
    expect(totals.nth(4)).to_have_text("0")  # late
    expect(totals.nth(5)).to_have_text("0")  # in progress
    expect(totals.nth(6)).to_have_text("0")  # overdue now
