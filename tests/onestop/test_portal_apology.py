"""Citizen portal: approved apology letters are listed on the tracking page and downloadable
through the session; drafts, cancelled letters and other dossiers' letters give the 404."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from edoc.models import AuditEntry
from onestop import services
from onestop.models import ApologyLetter, Dossier
from tests.onestop import test_portal, test_portal_tracking

pytestmark = pytest.mark.django_db

_fresh_rate_limits = test_portal._fresh_rate_limits
citizen = test_portal.citizen
submitted = test_portal_tracking.submitted
accepted = test_portal_tracking.accepted
_open = test_portal_tracking._open

REASON = "Chờ ý kiến Bộ Y tế"


@pytest.fixture(autouse=True)
def _apology_process(shipped):
    """The shipped apology approval process (drafting a letter starts it)."""
    from onestop.services import APOLOGY_KEY
    from onestop.shipped import _definition, apology_graph

    _definition(shipped, APOLOGY_KEY, "Duyệt phiếu xin lỗi", apology_graph())


def _draft(officer, dossier: Dossier) -> ApologyLetter:
    dossier.refresh_from_db()
    new = (dossier.due_at + datetime.timedelta(days=14)).date()
    while new.weekday() >= 5:
        new += datetime.timedelta(days=1)
    return services.apology_draft(officer=officer, dossier=dossier, new_due_date=new, reason=REASON)


def test_approved_letter_is_listed_and_downloads(citizen, accepted, officer):
    letter = services.apology_approve(user=officer, letter=_draft(officer, accepted))
    page = _open(citizen, accepted)
    assert REASON in page.content.decode()
    url = reverse("portal:apology", args=[letter.pk])
    assert url in page.content.decode()
    response = citizen.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_draft_and_cancelled_letters_are_hidden(citizen, accepted, officer):
    letter = _draft(officer, accepted)
    page = _open(citizen, accepted)
    url = reverse("portal:apology", args=[letter.pk])
    assert url not in page.content.decode()
    assert citizen.get(url).status_code == 404
    services.apology_cancel(user=officer, letter=letter, reason="Soạn lại")
    assert citizen.get(url).status_code == 404


def test_no_session_no_letter(client, accepted, officer):
    letter = services.apology_approve(user=officer, letter=_draft(officer, accepted))
    response = client.get(reverse("portal:apology", args=[letter.pk]))
    assert response.status_code in (302, 404)
    assert not response.content.startswith(b"%PDF")


def test_other_dossiers_letter_is_404_and_download_is_audited(
    citizen, accepted, officer, procedure, applicant, all_files
):
    other = services.dossier_accept(
        officer=officer,
        dossier=services.dossier_submit_online(
            dossier=services.dossier_save_draft(
                procedure=procedure, applicant=applicant, files=all_files()
            )
        ),
        note="",
    )
    foreign = services.apology_approve(user=officer, letter=_draft(officer, other))
    own = services.apology_approve(user=officer, letter=_draft(officer, accepted))
    _open(citizen, accepted)
    assert citizen.get(reverse("portal:apology", args=[foreign.pk])).status_code == 404
    assert citizen.get(reverse("portal:apology", args=[own.pk])).status_code == 200
    assert AuditEntry.objects.filter(action="dossier.apology_download").count() == 1


def test_approval_notification_carries_the_new_appointment(accepted, officer):
    from onestop.models import DossierEvent
    from onestop.portal.notifications import status_message

    letter = services.apology_approve(user=officer, letter=_draft(officer, accepted))
    event = DossierEvent.objects.filter(dossier=accepted, kind="apology").latest("pk")
    message = status_message(accepted, event)
    new_date = f"{letter.new_due_date:%d/%m/%Y}"
    assert new_date in message.body
    assert REASON in message.body
    assert officer.get_full_name() not in message.body
