"""The portal and Egov outbox holds no database lock while a message is on the wire (the
shared delivery of connectors.delivery): the worker claims the row (a lease), calls the portal
outside any transaction and records the answer afterwards. A slow portal (a proxy in front of
the stand-in that holds each request until told) shows the row lockable and writable by
another connection meanwhile, and a second worker leaving it alone."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from connectors.models import SyncMessage
from connectors.portal import outbox
from onestop import services
from tests.connectors.test_outbox_claim import SlowPartner

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_row_is_not_locked_while_the_portal_call_is_in_flight(
    connected, settings, officer, procedure, applicant, all_files
):
    # committed while the portal is down: the first attempt failed, the row waits for a retry
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files()
    )
    row = SyncMessage.objects.get(dossier=dossier)
    assert (row.attempts, row.delivered_at) == (1, None)
    connected.start()
    slow = SlowPartner(connected.url)
    settings.EDOC_DVC_SYNC_URL = slow.url + "/dvc"
    outcomes: list[str] = []

    def worker() -> None:
        try:
            outcomes.append(outbox.deliver(row.pk))
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert slow.arrived.wait(10)
        with transaction.atomic():  # another connection locks and updates the row at once
            locked = SyncMessage.objects.select_for_update(nowait=True).get(pk=row.pk)
            assert (locked.attempts, locked.delivered_at) == (2, None)  # the claim is committed
            assert locked.claimed_until > timezone.now()
            SyncMessage.objects.filter(pk=row.pk).update(last_error="seen by another connection")
        assert outbox.deliver(row.pk) == outbox.Outcome.NOTHING  # claimed: not sent twice
    finally:
        slow.release.set()
        thread.join(30)
        slow.close()
    assert outcomes == [outbox.Outcome.DELIVERED]
    row.refresh_from_db()
    assert row.delivered_at is not None
    assert (row.attempts, row.claimed_until, row.last_error) == (2, None, "")
    assert [item["TrangThai"] for item in connected.received()["progress"]] == ["2"]
