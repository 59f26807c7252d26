"""Dossier codes under concurrent intake on PostgreSQL: gapless and unique (one locked counter
row per agency and day, created with INSERT … ON CONFLICT DO NOTHING by the first intake)."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from onestop import services
from onestop.models import DayCounter, Dossier

CONCURRENT = 30


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_intake_gets_gapless_unique_codes(procedure, applicant, officer, papers, upload):
    start = threading.Barrier(CONCURRENT)
    errors: list[BaseException] = []
    # Uploads are made here: each thread gets its own files.
    uploads = [
        {papers[0].pk: upload("pdf"), papers[1].pk: upload("pdf")} for _ in range(CONCURRENT)
    ]

    def receive(index: int) -> None:
        try:
            start.wait()
            if index % 2:
                services.dossier_receive_at_counter(
                    officer=officer, procedure=procedure, applicant=applicant, files=uploads[index]
                )
            else:
                draft = services.dossier_save_draft(
                    procedure=procedure, applicant=applicant, files=uploads[index]
                )
                services.dossier_submit_online(dossier=draft)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=receive, args=(i,)) for i in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    codes = list(Dossier.objects.values_list("code", flat=True))
    prefixes = {code.rsplit("-", 1)[0] for code in codes}
    assert len(prefixes) == 1  # one agency, one day (the test does not straddle midnight)
    assert sorted(int(code.rsplit("-", 1)[1]) for code in codes) == list(range(1, CONCURRENT + 1))
    assert DayCounter.objects.get().last == CONCURRENT
