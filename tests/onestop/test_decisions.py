"""Who may take the drastic decisions on a dossier (stop, finish, withdraw, refuse): the
handling unit's head or a leader stop and finish, one-stop officers withdraw and refuse at
intake; everyone else gets 403, nothing changes, and the refusal is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from edoc.models import AuditEntry
from onestop import services
from onestop.models import Dossier
from workflows.models import WorkItem

pytestmark = pytest.mark.django_db
Status = Dossier.Status


@pytest.fixture
def in_process(process_procedure, applicant, officer, all_files) -> Dossier:
    return services.dossier_receive_at_counter(
        officer=officer, procedure=process_procedure, applicant=applicant, files=all_files()
    )


@pytest.fixture
def submitted(procedure, applicant, all_files) -> Dossier:
    draft = services.dossier_save_draft(procedure=procedure, applicant=applicant, files=all_files())
    return services.dossier_submit_online(dossier=draft)


def _state(dossier: Dossier) -> tuple:
    dossier.refresh_from_db()
    open_tasks = WorkItem.objects.filter(run_id=dossier.run_id, status=WorkItem.Status.OPEN)
    return dossier.status, dossier.events.count(), sorted(open_tasks.values_list("pk", flat=True))


def _refusals(dossier: Dossier) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(action="dossier.refused", object_id=str(dossier.pk)).order_by(
            "pk"
        )
    )


def test_a_specialist_cannot_stop_a_dossier(client, users, in_process):
    before = _state(in_process)
    assert before[2], "the unit head's task is open"
    client.force_login(users["specialist"])
    page = client.get(reverse("onestop:dossier_detail", args=[in_process.pk])).text
    assert 'id="action-stop"' not in page and 'id="action-finish"' not in page
    response = client.post(
        reverse("onestop:dossier_action", args=[in_process.pk, "stop"]),
        {"reason": "Không đủ điều kiện"},
    )
    assert response.status_code == 403
    assert _state(in_process) == before  # still accepted, the head's task still open
    refusals = _refusals(in_process)
    assert len(refusals) == 1
    assert refusals[0].actor_id == users["specialist"].pk
    assert refusals[0].details["action"] == "stop"


@pytest.mark.parametrize("who", ["head", "director"])
def test_the_unit_head_or_a_leader_stops(client, users, in_process, who):
    client.force_login(users[who])
    page = client.get(reverse("onestop:dossier_detail", args=[in_process.pk])).text
    assert 'id="action-stop"' in page
    response = client.post(
        reverse("onestop:dossier_action", args=[in_process.pk, "stop"]),
        {"reason": "Không đủ điều kiện"},
    )
    assert response.status_code == 302
    status, _events, open_tasks = _state(in_process)
    assert status == Status.STOPPED and open_tasks == []
    assert not _refusals(in_process)


def test_one_stop_officers_and_other_units_do_not_stop(users, officer, in_process):
    from django.core.exceptions import PermissionDenied

    before = _state(in_process)
    for user in (officer, users["other_head"], users["specialist"]):
        with pytest.raises(PermissionDenied):
            services.dossier_stop(officer=user, dossier=in_process, reason="Dừng")
    assert _state(in_process) == before
    assert len(_refusals(in_process)) == 3


def test_finish_from_the_page_needs_the_unit_head_or_a_leader(
    client, users, officer, procedure, applicant, all_files, signed_result
):
    """Without an internal process the page finishes the dossier: the head may, a specialist
    or a one-stop officer may not."""
    procedure.fee = 0
    procedure.save()
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files()
    )
    services.dossier_set_result(
        user=users["specialist"], dossier=dossier, result_document=signed_result
    )
    before = _state(dossier)
    for user in (users["specialist"], officer):
        client.force_login(user)
        page = client.get(reverse("onestop:dossier_detail", args=[dossier.pk])).text
        assert 'id="action-finish"' not in page
        response = client.post(reverse("onestop:dossier_action", args=[dossier.pk, "finish"]))
        assert response.status_code == 403
    assert _state(dossier) == before
    assert [entry.details["action"] for entry in _refusals(dossier)] == ["finish", "finish"]
    client.force_login(users["head"])
    assert (
        'id="action-finish"'
        in client.get(reverse("onestop:dossier_detail", args=[dossier.pk])).text
    )
    response = client.post(reverse("onestop:dossier_action", args=[dossier.pk, "finish"]))
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.DONE


def test_a_dossier_in_its_process_is_finished_by_the_approval_step(client, users, in_process):
    """The page does not offer to skip the process's review and approval."""
    client.force_login(users["director"])
    page = client.get(reverse("onestop:dossier_detail", args=[in_process.pk])).text
    assert 'id="action-finish"' not in page
    before = _state(in_process)
    response = client.post(reverse("onestop:dossier_action", args=[in_process.pk, "finish"]))
    assert response.status_code == 400
    assert "phê duyệt" in response.text
    assert _state(in_process) == before


def test_withdraw_and_refusal_at_intake_are_the_officers(client, users, officer, submitted):
    before = _state(submitted)
    for user in (users["specialist"], users["head"]):
        client.force_login(user)
        page = client.get(reverse("onestop:dossier_detail", args=[submitted.pk])).text
        assert 'id="action-withdraw"' not in page and 'id="action-reject"' not in page
        for action in ("withdraw", "reject"):
            response = client.post(
                reverse("onestop:dossier_action", args=[submitted.pk, action]), {"reason": "Rút"}
            )
            assert response.status_code == 403, (user, action)
    assert _state(submitted) == before
    assert len(_refusals(submitted)) == 4
    client.force_login(officer)
    response = client.post(
        reverse("onestop:dossier_action", args=[submitted.pk, "withdraw"]),
        {"reason": "Công dân xin rút hồ sơ"},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.WITHDRAWN
