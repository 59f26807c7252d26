"""Staff pages: permissions (403/404), counter intake, actions and their refusals, downloads,
the receipt PDF, the task page showing the dossier."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from onestop import selectors, services
from onestop.models import Dossier, DossierPaper
from workflows import calendar
from workflows.models import WorkItem

pytestmark = pytest.mark.django_db
Status = Dossier.Status


@pytest.fixture
def received(procedure, applicant, officer, all_files) -> Dossier:
    return services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files()
    )


def login(client, user):
    client.force_login(user)
    return client


def test_menu_and_list_for_staff_only(client, users, officer, received):
    page = login(client, officer).get(reverse("onestop:dossier_list"))
    assert page.status_code == 200
    assert 'id="nav-onestop"' in page.content.decode()
    assert received.code in page.content.decode()

    # The handling unit sees its procedure's dossiers; another unit's specialist sees no menu
    # and gets 403 on the pages, 404 on the dossier.
    assert received.code in login(client, users["head"]).get(reverse("onestop:dossier_list")).text
    outsider = login(client, users["other_specialist"])
    assert 'id="nav-onestop"' not in outsider.get(reverse("workflows:inbox")).text
    assert outsider.get(reverse("onestop:dossier_list")).status_code == 403
    assert outsider.get(reverse("onestop:report")).status_code == 403
    for name, args in (
        ("onestop:dossier_detail", [received.pk]),
        ("onestop:receipt", [received.pk]),
        ("onestop:paper_download", [received.pk, received.files.first().pk]),
    ):
        assert outsider.get(reverse(name, args=args)).status_code == 404
    response = outsider.post(reverse("onestop:dossier_action", args=[received.pk, "stop"]))
    assert response.status_code == 404


def test_list_filters(client, officer, received, procedure, applicant, all_files):
    other = services.dossier_submit_online(
        dossier=services.dossier_save_draft(
            procedure=procedure, applicant={**applicant, "name": "Trần Thị Bình"}, files=all_files()
        )
    )
    client = login(client, officer)
    page = client.get(reverse("onestop:dossier_list"), {"status": Status.NEW}).text
    assert other.code in page and received.code not in page
    page = client.get(reverse("onestop:dossier_list"), {"q": "Bình"}).text
    assert other.code in page and received.code not in page
    Dossier.objects.filter(pk=received.pk).update(due_at="2020-01-01T00:00:00Z")
    page = client.get(reverse("onestop:dossier_list"), {"overdue": "on"}).text
    assert received.code in page and other.code not in page


def test_counter_intake_page(client, officer, procedure, papers, upload, users):
    url = reverse("onestop:intake", args=[procedure.pk])
    assert login(client, users["specialist"]).get(url).status_code == 403
    client = login(client, officer)
    assert "Văn bằng chuyên môn" in client.get(url).text
    data = {
        "applicant_name": "Lê Văn Cường",
        "applicant_phone": "0987 654 321",
        f"file_{papers[0].pk}": upload("pdf"),
        f"file_{papers[1].pk}": upload("txt", name="van-bang.txt"),
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "không nhận tệp định dạng .txt" in response.text
    assert not Dossier.objects.exists()

    data[f"file_{papers[1].pk}"] = upload("pdf")
    data[f"file_{papers[0].pk}"] = upload("pdf")
    response = client.post(url, data)
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("onestop:dossier_detail", args=[dossier.pk])
    assert dossier.status == Status.ACCEPTED and dossier.applicant_phone == "0987654321"


def test_actions_and_refusals(client, officer, users, received):
    client = login(client, officer)
    detail = reverse("onestop:dossier_detail", args=[received.pk])
    page = client.get(detail).text
    assert 'id="action-supplement"' in page and 'id="action-accept"' not in page

    # Wrong status: accepting an accepted dossier → 400, the message, nothing changed.
    events = received.events.count()
    response = client.post(reverse("onestop:dossier_action", args=[received.pk, "accept"]))
    assert response.status_code == 400
    received.refresh_from_db()
    assert received.status == Status.ACCEPTED and received.events.count() == events

    # A missing reason: 400, nothing changed.
    response = client.post(reverse("onestop:dossier_action", args=[received.pk, "stop"]), {})
    assert response.status_code == 400
    received.refresh_from_db()
    assert received.status == Status.ACCEPTED

    response = client.post(
        reverse("onestop:dossier_action", args=[received.pk, "supplement"]),
        {"message": "Bổ sung giấy khám sức khỏe"},
    )
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.status == Status.SUPPLEMENT and received.paused_at is not None
    page = client.get(detail).text
    assert "Bổ sung giấy khám sức khỏe" in page and 'id="paused-flag"' in page

    # Only officers withdraw; a handling-unit head may not.
    head = login(client, users["head"])
    response = head.post(
        reverse("onestop:dossier_action", args=[received.pk, "withdraw"]), {"reason": "Rút"}
    )
    assert response.status_code == 403
    received.refresh_from_db()
    assert received.status == Status.SUPPLEMENT


def test_paper_download_checks_integrity(client, officer, received):
    record = received.files.first()
    url = reverse("onestop:paper_download", args=[received.pk, record.pk])
    response = login(client, officer).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    DossierPaper.objects.filter(pk=record.pk).update(sha256="0" * 64)
    assert client.get(url).status_code == 404
    DossierPaper.objects.filter(pk=record.pk).update(file="onestop/00/missing.pdf")
    assert client.get(url).status_code == 404


def test_receipt_pdf_content(client, officer, received):
    response = login(client, officer).get(reverse("onestop:receipt", args=[received.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        received.code,
        "Nguyễn Văn An",
        "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
        "Đơn đề nghị",
        "Văn bằng chuyên môn",
        "Lê Thị Thảo",  # the receiving officer
        received.due_at.astimezone(calendar.VN_TZ).strftime("%d/%m/%Y"),
        "360.000 đồng",
    ):
        assert expected in text, expected
    assert b"/Subtype /Image" in response.content  # the QR code


def test_receipt_qr_points_to_the_tracking_page(received):
    url = selectors.tracking_url(received)
    assert url.startswith("https://dichvucong.example.vn/")
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert selectors.dossier_from_token(token) == received


def test_task_page_shows_the_dossier(
    client, process_procedure, officer, users, applicant, all_files
):
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=process_procedure, applicant=applicant, files=all_files()
    )
    item = WorkItem.objects.get(run_id=dossier.run_id, status="open")
    page = login(client, users["head"]).get(reverse("workflows:task", args=[item.pk])).text
    assert dossier.code in page
    assert reverse("onestop:dossier_detail", args=[dossier.pk]) in page
    assert client.get(reverse("workflows:process", args=[dossier.run_id])).status_code == 200
    assert 'id="action-assign"' not in page  # the dossier form is the task's own action form
    assert "handler" in page


def test_procedure_catalogue_page(client, officer, procedure):
    page = login(client, officer).get(reverse("onestop:procedure_list")).text
    assert "1.004616" in page and "360.000 đ" in page
    assert reverse("onestop:intake", args=[procedure.pk]) in page


def test_days_left_are_whole_working_days(office_hours, client, officer, received):
    """Issue 9 (#7): "còn 10,0 ngày làm việc" becomes "còn 10 ngày làm việc", counted by the
    working-day calendar like task deadlines."""
    from workflows.deadlines import working_days_left

    left = working_days_left(received.due_at)
    assert left == 10  # the procedure's processing time, received just now
    staff = login(client, officer)
    for url in (
        reverse("onestop:dossier_detail", args=[received.pk]),
        reverse("onestop:dossier_list"),
    ):
        text = staff.get(url).text
        assert "còn 10 ngày làm việc" in text, url
        assert not re.search(r"\d,\d+ ngày", text), url
    assert selectors.days_left(received) == 10
