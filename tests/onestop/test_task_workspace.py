"""A dossier's task page (issue 9, the task page as the workspace): the dossier — code,
applicant, procedure, appointment, papers — is on the task page through the workflows subject
registry, and the leaders reviewing the specialist's result see the result document inline."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from onestop import services
from workflows.models import WorkItem
from workflows.services.processes import work_item_complete

pytestmark = pytest.mark.django_db


def open_item(run_id: int, step_id: str) -> WorkItem:
    return WorkItem.objects.get(run_id=run_id, step_id=step_id, status=WorkItem.Status.OPEN)


def test_the_dossier_is_on_its_task_page(
    office_hours, client, process_procedure, officer, users, applicant, all_files
):
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=process_procedure, applicant=applicant, files=all_files()
    )
    item = open_item(dossier.run_id, "assign")
    client.force_login(users["head"])
    html = client.get(reverse("workflows:task", args=[item.pk])).content.decode()
    panel = re.search(r'id="task-dossier".*?</section>', html, re.S).group(0)
    assert dossier.code in panel
    assert "Nguyễn Văn An" in panel and dossier.applicant_phone in panel
    assert "1.004616" in panel and process_procedure.name in panel
    assert "còn 10 ngày làm việc" in panel
    for record in dossier.files.all():
        assert reverse("onestop:paper_download", args=[dossier.pk, record.pk]) in panel
    assert 'id="pdf-viewer"' not in html  # no result yet

    # Someone who may not see the dossier gets no task page, and so no dossier.
    client.force_login(users["other_specialist"])
    assert client.get(reverse("workflows:task", args=[item.pk])).status_code == 404


def test_the_review_shows_the_specialists_result_inline(
    client, process_procedure, officer, users, applicant, all_files, signed_result
):
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=process_procedure, applicant=applicant, files=all_files()
    )
    work_item_complete(
        user=users["head"],
        work_item=open_item(dossier.run_id, "assign"),
        data={"handler": users["specialist"]},
    )
    services.dossier_record_payment(officer=officer, dossier=dossier, reference="BL-1")
    work_item_complete(
        user=users["specialist"],
        work_item=open_item(dossier.run_id, "appraise"),
        data={"result_document": signed_result},
        comment="Hồ sơ đủ điều kiện, trình cấp chứng chỉ.",
    )
    review = open_item(dossier.run_id, "review")
    client.force_login(users["head"])
    html = client.get(reverse("workflows:task", args=[review.pk])).content.decode()
    current = signed_result.files.order_by("-version").first()
    viewer = re.search(r'<div class="pdf-viewer" id="pdf-viewer".*?>', html, re.S).group(0)
    url = reverse("edoc:document_file_download", args=[signed_result.pk, current.pk])
    assert f'data-pdf-url="{url}?inline=1"' in viewer
    handed = re.search(r'id="task-handed-over".*?</section>', html, re.S).group(0)
    assert "Hồ sơ đủ điều kiện, trình cấp chứng chỉ." in handed
    result = re.search(r'id="task-dossier-result".*?</dd>', html, re.S).group(0)
    assert reverse("edoc:document_detail", args=[signed_result.pk]) in result
    # Returning with a reason is offered at this review step.
    assert re.findall(
        r'<option value="([^"]+)"', re.search(r'id="return-form".*?</form>', html, re.S).group(0)
    ) == ["assign", "appraise"]
