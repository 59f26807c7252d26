"""The one-stop officer in the browser: menu, counter intake with uploads and the paper
checklist, the dossier page, a supplement request, the receipt PDF."""

from __future__ import annotations

import os

import pytest

from onestop.models import Dossier
from tests.browser_support import login, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_receives_a_dossier_at_the_counter(
    page, officer, procedure, papers, pdf_bytes, tmp_path, screenshots
):
    scan = tmp_path / "don-de-nghi.pdf"
    scan.write_bytes(pdf_bytes(["ĐƠN ĐỀ NGHỊ", "Cấp chứng chỉ hành nghề"]))
    login(page, "motcua")
    page.click("#nav-onestop")
    page.click("#btn-procedures")
    page.click(f"#intake-{procedure.pk}")
    page.fill("input[name=applicant_name]", "Phạm Thị Dung")
    page.fill("input[name=applicant_phone]", "0903 111 222")
    page.fill("input[name=applicant_id_number]", "079188000111")
    page.set_input_files(f"input[name=file_{papers[0].pk}]", str(scan))
    page.check(f"input[name=checked_{papers[1].pk}]")  # diploma: original seen, no scan
    page.screenshot(path=os.path.join(screenshots, "onestop-intake.png"), full_page=True)
    submit(page, "#btn-receive")

    dossier = Dossier.objects.get()
    assert dossier.status == Dossier.Status.ACCEPTED
    assert page.locator("#dossier-code").inner_text() == dossier.code
    assert "Được tiếp nhận" in page.locator(".dossier-status").inner_text()
    assert page.locator("#btn-receipt").is_visible()

    page.click("#action-supplement summary")
    page.fill("#form-supplement textarea[name=message]", "Bổ sung giấy khám sức khỏe")
    submit(page, "#btn-supplement")
    assert "Yêu cầu bổ sung" in page.locator(".dossier-status").inner_text()
    assert page.locator("#paused-flag").is_visible()
    page.screenshot(path=os.path.join(screenshots, "onestop-dossier.png"), full_page=True)
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.SUPPLEMENT and dossier.paused_at is not None

    response = page.request.get(f"/onestop/dossiers/{dossier.pk}/receipt.pdf")
    assert response.ok and response.body().startswith(b"%PDF")
