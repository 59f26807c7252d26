"""Licences to Egov licensing against the stand-in (tools/portal_standin) over real HTTP:
recorded when a licensing dossier is processed, suspended and revoked from the admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from connectors.models import Licence, LicenceProcedure, SyncMessage
from connectors.portal.licences import licence_change_status
from edoc.models import AuditEntry
from onestop import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def processed(
    connected, officer, users, procedure, applicant, all_files, signed_result,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """A dossier of a licensing procedure, processed with its signed, issued result."""
    LicenceProcedure.objects.create(
        procedure=procedure,
        licence_type="Chứng chỉ hành nghề khám bệnh, chữa bệnh",
        scope="Khám bệnh, chữa bệnh chuyên khoa nội",
    )
    connected.start()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.dossier_receive_at_counter(
            officer=officer, procedure=procedure, applicant=applicant, files=all_files()
        )
        services.dossier_start_processing(user=users["head"], dossier=dossier)
        services.dossier_record_payment(officer=officer, dossier=dossier, reference="BL-1")
        services.dossier_finish(
            officer=users["head"], dossier=dossier, result_document=signed_result
        )
    return dossier


def test_a_processed_licensing_dossier_sends_its_licence_to_egov(
    processed, connected, signed_result
):
    licence = Licence.objects.get(dossier=processed)
    assert licence.number == f"{signed_result.number}/{signed_result.notation}"
    assert licence.citizen_id == "079123456789" and licence.holder_name == "Nguyễn Văn An"
    received = connected.received()
    sent = received["licences"][licence.number]
    assert sent["status"] == "active"
    assert sent["citizen_id"] == "079123456789"
    assert sent["scope"] == "Khám bệnh, chữa bệnh chuyên khoa nội"
    assert sent["issued_on"] == signed_result.issue_date.isoformat()
    assert sent["dossier_code"] == processed.code
    assert [event["event"] for event in received["licence_events"]] == ["issued"]
    # The portal heard the same dossier reach 9.
    assert received["dossiers"][processed.code]["TrangThaiHoSo"] == "9"
    assert AuditEntry.objects.filter(action="licence.issue").count() == 1


def test_suspension_and_revocation_from_the_admin_reach_egov(
    processed, connected, client, users, django_capture_on_commit_callbacks
):
    licence = Licence.objects.get(dossier=processed)
    admin = users["director"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    url = reverse("admin:connectors_licence_changelist")

    def act(action: str, reason: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                url,
                {"action": action, "_selected_action": [licence.pk], "reason": reason},
                follow=True,
            )

    page = act("licence_revoked", "").content.decode()  # no reason: refused, nothing sent
    assert "Hãy ghi lý do." in page
    assert Licence.objects.get().status == Licence.Status.ACTIVE

    act("licence_suspended", "Vi phạm chuyên môn, đình chỉ 6 tháng")
    assert connected.received()["licences"][licence.number]["status"] == "suspended"
    act("licence_revoked", "Quyết định thu hồi số 12/QĐ-SYT")
    received = connected.received()
    sent = received["licences"][licence.number]
    assert sent["status"] == "revoked"
    assert sent["status_reason"] == "Quyết định thu hồi số 12/QĐ-SYT"
    assert [event["event"] for event in received["licence_events"]] == [
        "issued",
        "suspended",
        "revoked",
    ]
    assert not SyncMessage.objects.filter(delivered_at=None).exists()
    assert AuditEntry.objects.filter(action="licence.revoked").count() == 1

    with pytest.raises(ValidationError):  # revoked stays revoked
        licence_change_status(user=admin, licence=licence, action="reinstated", reason="x")


def test_an_officer_without_the_permission_cannot_revoke(processed, users):
    from django.core.exceptions import PermissionDenied

    licence = Licence.objects.get(dossier=processed)
    with pytest.raises(PermissionDenied):
        licence_change_status(user=users["clerk"], licence=licence, action="revoked", reason="x")
    assert Licence.objects.get().status == Licence.Status.ACTIVE
    assert AuditEntry.objects.filter(action="licence.refused", actor=users["clerk"]).exists()


def test_a_result_document_that_is_already_a_licence_is_refused(
    processed, officer, users, procedure, applicant, all_files, signed_result,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        other = services.dossier_receive_at_counter(
            officer=officer, procedure=procedure, applicant=applicant, files=all_files()
        )
        services.dossier_start_processing(user=users["head"], dossier=other)
        services.dossier_record_payment(officer=officer, dossier=other, reference="BL-2")
    with pytest.raises(ValidationError) as error:
        services.dossier_finish(officer=users["head"], dossier=other, result_document=signed_result)
    assert processed.code in str(error.value)
    other.refresh_from_db()
    assert other.status == other.Status.PROCESSING  # the finish was rolled back
    assert Licence.objects.count() == 1
    assert not SyncMessage.objects.filter(dossier=other, status_code=9).exists()


def test_the_admin_pages_of_the_sync_open(processed, client, users):
    admin = users["director"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    licence = Licence.objects.get()
    message = SyncMessage.objects.filter(licence=licence).first()
    for url in (
        reverse("admin:connectors_syncmessage_changelist"),
        reverse("admin:connectors_syncmessage_change", args=[message.pk]),
        reverse("admin:connectors_licence_changelist"),
        reverse("admin:connectors_licence_change", args=[licence.pk]),
        reverse("admin:connectors_licenceprocedure_changelist"),
        reverse("admin:connectors_licenceprocedure_add"),
        reverse("admin:connectors_portaldossierlink_changelist"),
    ):
        assert client.get(url).status_code == 200, url


def test_egov_refusing_the_token_keeps_the_licence_queued(
    connected, settings, officer, users, procedure, applicant, all_files, signed_result,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from django.core.management import call_command

    LicenceProcedure.objects.create(procedure=procedure, licence_type="Chứng chỉ hành nghề")
    connected.start()
    settings.EDOC_EGOV_TOKEN = "wrong"
    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.dossier_receive_at_counter(
            officer=officer, procedure=procedure, applicant=applicant, files=all_files()
        )
        services.dossier_start_processing(user=users["head"], dossier=dossier)
        services.dossier_record_payment(officer=officer, dossier=dossier, reference="BL-1")
        services.dossier_finish(
            officer=users["head"], dossier=dossier, result_document=signed_result
        )
    message = SyncMessage.objects.get(target=SyncMessage.Target.EGOV)
    assert message.delivered_at is None and "HTTP 401" in message.last_error
    assert connected.received()["licences"] == {}

    settings.EDOC_EGOV_TOKEN = "egov-test-token"
    call_command("portal_sync", "--now")
    message.refresh_from_db()
    assert message.delivered_at is not None and message.attempts == 2
    assert list(connected.received()["licences"]) == [Licence.objects.get().number]
