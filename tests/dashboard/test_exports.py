"""Exports: a panel as XLSX, the whole dashboard as PDF (Vietnamese text), both audited, and
the weekly PDF e-mailed to the board (the Celery task and `dashboard_report --email`)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from dashboard.tasks import weekly_report_task
from edoc.models import AuditEntry

pytestmark = pytest.mark.django_db
JUNE = {"date_from": "2026-06-01", "date_to": "2026-06-30"}


def test_a_panel_exports_to_xlsx(client, documents, users):
    client.force_login(users["director"])
    response = client.get(reverse("dashboard:panel_xlsx", args=["documents"]), JUNE)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    rows = [
        list(row) for row in workbook["Đơn vị xử lý" if False else workbook.sheetnames[2]].values
    ]
    by_unit = {row[0]: row[1:5] for row in rows[4:]}
    assert by_unit == {"Phòng Nghiệp vụ Dược": [0, 0, 1, 0], "Phòng Nghiệp vụ Y": [1, 1, 0, 1]}
    headline = {row[0]: row[1] for row in workbook[workbook.sheetnames[0]].values if row[0]}
    assert headline["Văn bản đến"] == 5
    assert AuditEntry.objects.filter(action="dashboard.export", actor=users["director"]).exists()
    # A unit head's export counts their unit only.
    client.force_login(users["other_head"])
    response = client.get(reverse("dashboard:panel_xlsx", args=["documents"]), JUNE)
    sheet = load_workbook(io.BytesIO(response.content))["Theo đơn vị"]
    assert [row[0] for row in list(sheet.values)[4:]] == ["Phòng Nghiệp vụ Dược"]


def test_the_dashboard_exports_to_pdf_in_vietnamese(client, documents, users):
    client.force_login(users["director"])
    response = client.get(reverse("dashboard:pdf"), JUNE)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Trung tâm điều hành" in text and "Phòng Nghiệp vụ Dược" in text
    assert "Tỷ lệ văn bản trao đổi điện tử" in text
    if path := os.environ.get("DASHBOARD_PDF_OUT"):  # to look at it (pdftoppm)
        Path(path).write_bytes(response.content)
    assert AuditEntry.objects.filter(action="dashboard.export", details__format="pdf").exists()


def test_the_weekly_report_goes_to_the_board(documents, users, settings):
    users["director"].email = "giamdoc@soyte.example.vn"
    users["director"].save()
    users["deputy"].email = "phogiamdoc@soyte.example.vn"
    users["deputy"].save()
    assert weekly_report_task() == 2
    (message,) = mail.outbox
    assert sorted(message.to) == ["giamdoc@soyte.example.vn", "phogiamdoc@soyte.example.vn"]
    assert "13/06/2026 – 19/06/2026" in message.subject
    (name, content, kind) = message.attachments[0]
    assert kind == "application/pdf" and content.startswith(b"%PDF")
    settings.EDOC_DASHBOARD_REPORT_RECIPIENTS = ["bangiamdoc@soyte.example.vn"]
    call_command("dashboard_report", "--email", "--today", "2026-06-08")
    assert mail.outbox[1].to == ["bangiamdoc@soyte.example.vn"]
    text = PdfReader(io.BytesIO(mail.outbox[1].attachments[0][1])).pages[0].extract_text()
    assert "01/06/2026" in text and "07/06/2026" in text
    assert AuditEntry.objects.filter(action="dashboard.report_email").count() == 2
    with pytest.raises(CommandError):
        call_command("dashboard_report", "--today", "8/6")
