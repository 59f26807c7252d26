"""The dossier's result is checked where it is chosen: the specialist's step (and the dossier
page) offer only issued, signed outgoing documents and refuse others with a clear message; an
unpaid fee stops the dossier there and at every later step. The director's approval keeps its
own checks (defence in depth)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from edoc.models import Document
from onestop import services
from onestop.models import Dossier, FeeStatus
from tests.signing.signing_support import new_draft
from workflows.models import WorkItem
from workflows.services.processes import work_item_complete

pytestmark = pytest.mark.django_db
Status = Dossier.Status


def open_item(run_id: int, step_id: str) -> WorkItem:
    return WorkItem.objects.get(run_id=run_id, step_id=step_id, status=WorkItem.Status.OPEN)


@pytest.fixture
def dossier(process_procedure, applicant, officer, users, all_files) -> Dossier:
    """Received at the counter, given to the specialist: the "appraise" step is open."""
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=process_procedure, applicant=applicant, files=all_files()
    )
    work_item_complete(
        user=users["head"],
        work_item=open_item(dossier.run_id, "assign"),
        data={"handler": users["specialist"]},
    )
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def draft(users, catalogs, pdf_bytes, shipped) -> Document:
    """An outgoing draft: neither signed nor issued."""
    return new_draft(users, catalogs, pdf_bytes(["DỰ THẢO GIẤY PHÉP"]), subject="Dự thảo giấy phép")


def attach(client, appraise: WorkItem, document: Document):
    """The specialist completes the "appraise" task page with this result document."""
    return client.post(
        reverse("workflows:task_complete", args=[appraise.pk]),
        {"action-result_document": document.pk},
    )


def _paid(dossier: Dossier, officer) -> None:
    services.dossier_record_payment(officer=officer, dossier=dossier, reference="BL-1")


def test_the_specialists_step_offers_only_issued_signed_documents(
    client, users, officer, dossier, draft, signed_result
):
    _paid(dossier, officer)
    appraise = open_item(dossier.run_id, "appraise")
    client.force_login(users["specialist"])
    page = client.get(reverse("workflows:task", args=[appraise.pk])).text
    choice = page.split('name="action-result_document"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{signed_result.pk}"' in choice
    assert f'<option value="{draft.pk}"' not in choice

    # Chosen anyway (a crafted request): refused with a clear message, nothing changes.
    response = attach(client, appraise, draft)
    assert response.status_code == 400
    assert "chưa được ký số" in response.text
    appraise.refresh_from_db()
    dossier.refresh_from_db()
    assert appraise.status == WorkItem.Status.OPEN and dossier.result is None

    response = attach(client, appraise, signed_result)
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.result == signed_result


def test_the_tasks_api_refuses_an_unsigned_result(client, users, officer, dossier, draft):
    _paid(dossier, officer)
    appraise = open_item(dossier.run_id, "appraise")
    client.force_login(users["specialist"])
    response = client.post(
        f"/api/tasks/{appraise.pk}/complete/",
        {"data": {"result_document": draft.pk}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "chưa được ký số" in str(response.json()["error"])
    dossier.refresh_from_db()
    assert dossier.result is None


def test_a_signed_but_unissued_document_is_refused(users, officer, dossier, signed_result):
    _paid(dossier, officer)
    Document.objects.filter(pk=signed_result.pk).update(status=Document.Status.READY)
    signed_result.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.dossier_set_result(
            user=users["specialist"], dossier=dossier, result_document=signed_result
        )
    assert "chưa được phát hành" in " ".join(error.value.messages)


def test_an_unpaid_fee_stops_the_dossier_at_the_specialists_step(
    client, users, officer, dossier, signed_result
):
    assert dossier.fee_status == FeeStatus.UNPAID
    appraise = open_item(dossier.run_id, "appraise")
    client.force_login(users["specialist"])
    response = attach(client, appraise, signed_result)
    assert response.status_code == 400
    assert "chưa nộp phí" in response.text
    appraise.refresh_from_db()
    assert appraise.status == WorkItem.Status.OPEN
    _paid(dossier, officer)
    response = attach(client, appraise, signed_result)
    assert response.status_code == 302


def test_no_later_step_moves_on_while_a_fee_is_unpaid(users, officer, dossier, signed_result):
    """A payment requested after the result was attached holds the unit head's review."""
    _paid(dossier, officer)
    work_item_complete(
        user=users["specialist"],
        work_item=open_item(dossier.run_id, "appraise"),
        data={"result_document": signed_result},
    )
    services.dossier_request_payment(officer=officer, dossier=dossier, amount=100_000)
    review = open_item(dossier.run_id, "review")
    with pytest.raises(ValidationError, match="chưa nộp phí"):
        work_item_complete(user=users["head"], work_item=review)
    review.refresh_from_db()
    assert review.status == WorkItem.Status.OPEN
    services.dossier_record_payment(officer=officer, dossier=dossier, reference="BL-2")
    work_item_complete(user=users["head"], work_item=review)
    work_item_complete(user=users["director"], work_item=open_item(dossier.run_id, "approve"))
    dossier.refresh_from_db()
    assert dossier.status == Status.DONE


def test_the_dossier_page_offers_and_accepts_only_issued_signed_results(
    client, users, officer, dossier, draft, signed_result
):
    _paid(dossier, officer)
    client.force_login(users["specialist"])
    url = reverse("onestop:dossier_detail", args=[dossier.pk])
    form = client.get(url).text.split('id="form-result"', 1)[1].split("</form>", 1)[0]
    assert f'<option value="{signed_result.pk}"' in form
    assert f'<option value="{draft.pk}"' not in form
    response = client.post(
        reverse("onestop:dossier_action", args=[dossier.pk, "result"]),
        {"result_document": draft.pk},
    )
    assert response.status_code == 400 and "chưa được ký số" in response.text
    dossier.refresh_from_db()
    assert dossier.result is None


def test_the_approval_still_refuses_an_unsigned_result(users, officer, dossier, draft):
    """Defence in depth: a result that slipped in unsigned (e.g. attached before these checks)
    is still refused when the dossier is finished."""
    _paid(dossier, officer)
    Dossier.objects.filter(pk=dossier.pk).update(result=draft)
    with pytest.raises(ValidationError, match="phải được ký số"):
        services.dossier_finish(officer=users["director"], dossier=dossier, via_process=True)
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
