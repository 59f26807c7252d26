# ruff: noqa: F811 (pytest fixtures imported from the signing tests are parameters here)
"""Issue 4, end to end in Debian Chromium: an outgoing plan is signed by the unit head with a
PKCS#12 file and by the director through remote signing, numbered by the clerk and sealed with
the organisation key on the SoftHSM2 token; the public verification page shows three valid,
trusted signatures with only form-filling changes, and fails once a byte is flipped."""

from __future__ import annotations

import base64
import json
import urllib.parse

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from edoc.models import Document
from edoc.pdfgen import OfficialDocument, render_pdf
from tests.browser_support import login, submit
from tests.signing.signing_support import (  # noqa: F401 (fixtures)
    REMOTE_PINS,
    new_draft,
    open_item,
    org_token,
    registered_signers,
    remote_configured,
    remote_signer,
    shipped,
    softhsm_token,
)
from workflows.models import ProcessDefinition
from workflows.services.definitions import draft_save, version_publish
from workflows.services.processes import work_item_complete
from workflows.shipped import OUTGOING_KEY, outgoing_graph

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _with_initialling(shipped, units) -> None:
    """The agency's outgoing process, edited by the admin: the unit head initials before the
    director signs (two sign steps)."""
    graph = outgoing_graph(units["office"])
    for step in graph["steps"]:
        if step["id"] == "review":
            step["next"] = "initial"
    graph["steps"].insert(
        2,
        {
            "id": "initial",
            "name": "Lãnh đạo phòng ký nháy",
            "type": "user",
            "action": "sign",
            "assignee": {"rule": "role", "role": "unit_head", "unit": "owner_unit"},
            "deadline": {"hours": 4},
            "next": "legal",
            "allow_return": False,
        },
    )
    definition = ProcessDefinition.objects.get(key=OUTGOING_KEY)
    draft_save(user=shipped, definition=definition, graph=graph)
    version_publish(user=shipped, definition=definition)


def _report_from_page(page) -> dict:
    href = page.locator("#download-json").get_attribute("href")
    payload = href.split(",", 1)[1]
    if ";base64" in href.split(",", 1)[0]:
        return json.loads(base64.b64decode(payload))
    return json.loads(urllib.parse.unquote(payload))


def test_two_signatures_number_seal_and_verify(
    page,
    users,
    units,
    catalogs,
    shipped,
    test_pki,
    pki_server,
    trust_root,
    signing_settings,
    remote_configured,
    org_token,
    registered_signers,
    tmp_path,
    screenshots,
):
    _with_initialling(shipped, units)
    pdf = render_pdf(
        OfficialDocument(
            governing_body="UBND TỈNH ĐỒNG NAI",
            issuer="SỞ Y TẾ",
            notation="KH-SYT",
            type_name="KẾ HOẠCH",
            subject="Chuyển đổi số ngành y tế năm 2027",
            body=["Thực hiện Kế hoạch số 49/KH-UBND của UBND tỉnh Đồng Nai."],
            signing_authority="",
            signer_position="GIÁM ĐỐC",
            signer_name="Trần Văn Hùng",
        )
    )
    document = new_draft(users, catalogs, pdf, subject="Chuyển đổi số ngành y tế năm 2027")
    work_item_complete(user=users["specialist"], work_item=open_item(document, "draft"))
    work_item_complete(user=users["head"], work_item=open_item(document, "review"))

    # The unit head tries the director's key file: refused, with the holder's name.
    others_key = tmp_path / "giamdoc.p12"
    others_key.write_bytes(test_pki.signers["director"].pkcs12)
    login(page, "truongphong")
    initial = open_item(document, "initial")
    page.goto(f"/workflows/tasks/{initial.pk}/")
    page.check("input[name='action-method'][value='pkcs12']")
    page.set_input_files("input[name='action-pkcs12_file']", str(others_key))
    page.fill("input[name='action-passphrase']", test_pki.signers["director"].passphrase)
    submit(page, "#btn-complete-task")
    refusal = page.locator(".errorlist, .alert-error").first
    expect(refusal).to_contain_text("Trần Văn Hùng")
    expect(refusal).to_contain_text("không phải chứng thư số đã đăng ký cho tài khoản của bạn")
    assert open_item(document, "initial").pk == initial.pk  # still open, nothing signed
    assert document.files.count() == 1

    # The unit head initials with their own PKCS#12 file and its passphrase.
    key_file = tmp_path / "truongphong.p12"
    key_file.write_bytes(test_pki.signers["head"].pkcs12)
    page.goto(f"/workflows/tasks/{open_item(document, 'initial').pk}/")
    page.check("input[name='action-method'][value='pkcs12']")
    page.set_input_files("input[name='action-pkcs12_file']", str(key_file))
    page.fill("input[name='action-passphrase']", test_pki.signers["head"].passphrase)
    submit(page, "#btn-complete-task")
    expect(page.locator("#messages")).to_be_visible()

    # The director approves, then signs through the remote signing service.
    work_item_complete(user=users["director"], work_item=open_item(document, "approve"))
    login(page, "giamdoc")
    page.goto(f"/workflows/tasks/{open_item(document, 'sign').pk}/")
    page.check("input[name='action-method'][value='remote']")
    page.fill("input[name='action-pin']", REMOTE_PINS["giamdoc"])
    submit(page, "#btn-complete-task")
    expect(page.locator("#messages")).to_be_visible()
    assert Document.objects.get(pk=document.pk).status == Document.Status.READY

    # The clerk numbers and issues it; the organisation seal comes from the SoftHSM2 token.
    login(page, "vanthu")
    page.goto(f"/workflows/tasks/{open_item(document, 'issue').pk}/")
    submit(page, "#btn-complete-task")
    issued = Document.objects.get(pk=document.pk)
    problems = page.locator(".alert, .errorlist, #task-notice").all_inner_texts()
    assert issued.status == Document.Status.ISSUED, problems
    assert issued.symbol == "01/KH-SYT"
    final = issued.latest_file()
    with default_storage.open(final.file.name, "rb") as handle:
        signed = handle.read()
    signed_path = tmp_path / "01-KH-SYT.pdf"
    signed_path.write_bytes(signed)

    # Anyone verifies it on the public page: three valid, trusted signatures.
    page.context.clear_cookies()
    page.goto("/verify/")
    page.set_input_files("#verify-file", str(signed_path))
    submit(page, "#btn-verify")
    expect(page.locator("#verify-result")).to_be_visible()
    page.screenshot(path=f"{screenshots}/edoc-verify.png", full_page=True)
    report = _report_from_page(page)
    assert report["ok"] and report["signature_count"] == 3
    for signature in report["signatures"]:
        assert signature["intact"] and signature["valid"] and signature["trusted"]
        assert signature["modification_level"] in ("NONE", "LTA_UPDATES", "FORM_FILLING")
    assert any(s["modification_level"] == "FORM_FILLING" for s in report["signatures"])

    # One flipped byte inside the signed content and verification fails.
    tampered = bytearray(signed)
    position = signed.index(b"stream") + 40
    tampered[position] ^= 0x01
    tampered_path = tmp_path / "tampered.pdf"
    tampered_path.write_bytes(bytes(tampered))
    page.goto("/verify/")
    page.set_input_files("#verify-file", str(tampered_path))
    submit(page, "#btn-verify")
    tampered_report = _report_from_page(page)
    assert not tampered_report["ok"]
