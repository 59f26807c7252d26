"""The public-service portal's dossier sync against the stand-in (tools/portal_standin) over
real HTTP on 127.0.0.1: the transactional outbox, retries with backoff, exactly once,
the pull of online dossiers, bad data from the portal, and the dossier page's sync panel."""

from __future__ import annotations

import base64
import datetime
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from connectors.models import PortalDossierLink, SyncMessage
from connectors.portal import outbox
from edoc.models import AuditEntry
from onestop import services
from onestop.models import Dossier
from workflows import calendar

pytestmark = pytest.mark.django_db

PORTAL_DATE = re.compile(r"^\d{14}$")


class Boom(Exception):
    pass


def _counter(officer, procedure, applicant, all_files) -> Dossier:
    return services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files()
    )


def _vn(moment: datetime.datetime) -> str:
    return timezone.localtime(moment, calendar.VN_TZ).strftime("%Y%m%d%H%M%S")


def test_the_push_is_written_in_the_status_changes_transaction(
    connected, officer, procedure, applicant, all_files
):
    with pytest.raises(Boom), transaction.atomic():
        dossier = _counter(officer, procedure, applicant, all_files)
        rows = SyncMessage.objects.filter(dossier=dossier)
        assert [row.status_code for row in rows] == [2]
        raise Boom
    assert not SyncMessage.objects.exists()  # rolled back with the dossier: nothing to send


def test_nothing_is_written_while_the_sync_is_off(
    settings, officer, procedure, applicant, all_files, client
):
    settings.EDOC_DVC_SYNC_URL = ""
    dossier = _counter(officer, procedure, applicant, all_files)
    assert not SyncMessage.objects.exists()
    client.force_login(officer)
    page = client.get(reverse("onestop:dossier_detail", args=[dossier.pk])).content.decode()
    assert 'id="dossier-portal-sync"' not in page


def test_status_changes_reach_the_portal_with_national_codes_and_dates(
    connected, officer, users, procedure, applicant, all_files, django_capture_on_commit_callbacks
):
    connected.start()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = _counter(officer, procedure, applicant, all_files)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_start_processing(user=users["head"], dossier=dossier)
    dossier.refresh_from_db()

    received = connected.received()
    record = received["dossiers"][dossier.code]
    assert record["TrangThaiHoSo"] == "4"
    assert record["MaTTHC"] == procedure.code
    assert record["NgayTiepNhan"] == _vn(dossier.received_at)
    assert record["NgayHenTra"] == _vn(dossier.due_at)
    assert PORTAL_DATE.match(record["NgayHenTra"])
    progress = [item for item in received["progress"] if item["MaHoSo"] == dossier.code]
    assert [item["TrangThai"] for item in progress] == ["2", "4"]
    events = dossier.events.exclude(to_status=None).order_by("pk")
    assert [item["ThoiDiemXuLy"] for item in progress] == [_vn(event.at) for event in events]
    rows = SyncMessage.objects.filter(dossier=dossier).order_by("pk")
    assert [(row.status_code, row.attempts) for row in rows] == [(2, 1), (4, 1)]
    assert all(row.delivered_at for row in rows)


def test_a_portal_that_is_down_gets_the_statuses_later_in_order_exactly_once(
    connected, officer, users, procedure, applicant, all_files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the stand-in is not running
        dossier = _counter(officer, procedure, applicant, all_files)
    first = SyncMessage.objects.get(dossier=dossier)
    assert first.delivered_at is None and first.attempts == 1
    assert "unreachable" in first.last_error
    assert first.next_attempt_at - first.last_attempt_at == datetime.timedelta(seconds=30)

    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_start_processing(user=users["head"], dossier=dossier)
    second = SyncMessage.objects.get(dossier=dossier, status_code=4)
    assert second.attempts == 0  # waits behind the undelivered status 2: order is kept

    assert outbox.deliver_due() == outbox.SweepResult(waiting=1)  # status 2 not due yet
    later = first.next_attempt_at + datetime.timedelta(seconds=1)
    assert outbox.deliver_due(now=later) == outbox.SweepResult(failed=1, waiting=1)
    first.refresh_from_db()
    assert first.attempts == 2
    assert first.next_attempt_at - first.last_attempt_at == datetime.timedelta(seconds=60)

    connected.start()
    call_command("portal_sync", "--now")
    call_command("portal_sync", "--now")  # nothing left: nothing sent again
    rows = SyncMessage.objects.filter(dossier=dossier).order_by("pk")
    assert [(row.status_code, row.attempts) for row in rows] == [(2, 3), (4, 1)]
    assert all(row.delivered_at for row in rows)
    received = connected.received()
    assert received["requests"] == 4  # two requests (DongBoHoSoMC, CapNhatTienDo) per status
    assert received["dossiers"][dossier.code]["TrangThaiHoSo"] == "4"
    progress = [item["TrangThai"] for item in received["progress"]]
    assert progress == ["2", "4"]

    # A delivery whose answer was lost is sent again: the portal still keeps it once.
    SyncMessage.objects.filter(pk=first.pk).update(delivered_at=None)
    assert outbox.deliver(first.pk) == outbox.Outcome.DELIVERED
    assert [item["TrangThai"] for item in connected.received()["progress"]] == ["2", "4"]


def test_a_delivered_push_sends_the_one_that_waited_for_it(
    connected, officer, users, procedure, applicant, all_files, django_capture_on_commit_callbacks
):
    from connectors.portal.tasks import deliver_message_task

    with django_capture_on_commit_callbacks(execute=True):  # the portal is down
        dossier = _counter(officer, procedure, applicant, all_files)
        services.dossier_start_processing(user=users["head"], dossier=dossier)
    first, second = SyncMessage.objects.filter(dossier=dossier).order_by("pk")
    assert (first.attempts, second.attempts) == (1, 0)  # 4 waits behind 2

    connected.start()
    deliver_message_task.delay(first.pk)  # its retry, as the worker runs it
    second.refresh_from_db()
    assert second.delivered_at is not None  # sent right after, not at the next sweep
    assert [item["TrangThai"] for item in connected.received()["progress"]] == ["2", "4"]


def test_a_sweep_stops_trying_a_portal_that_is_down(
    connected, officer, procedure, applicant, all_files, capsys
):
    for _ in range(5):  # committed, their on-commit delivery never ran
        _counter(officer, procedure, applicant, all_files)
    with pytest.raises(SystemExit):
        call_command("portal_sync")
    assert "delivered 0, failed 3, waiting 0, postponed 2" in capsys.readouterr().out
    assert sorted(SyncMessage.objects.values_list("attempts", flat=True)) == [0, 0, 1, 1, 1]

    connected.start()
    call_command("portal_sync", "--now")
    assert "delivered 5, failed 0, waiting 0, postponed 0" in capsys.readouterr().out
    assert len(connected.received()["progress"]) == 5


def test_a_wrong_token_is_refused_and_retried(
    connected,
    settings,
    officer,
    procedure,
    applicant,
    all_files,
    django_capture_on_commit_callbacks,
):
    connected.start()
    settings.EDOC_DVC_SYNC_TOKEN = "wrong"
    with django_capture_on_commit_callbacks(execute=True):
        dossier = _counter(officer, procedure, applicant, all_files)
    row = SyncMessage.objects.get(dossier=dossier)
    assert row.delivered_at is None and "HTTP 401" in row.last_error
    assert connected.received()["dossiers"] == {}


def _online(code: str, procedure, pdf: bytes, **changes) -> dict:
    record = {
        "MaHoSo": code,
        "MaTTHC": procedure.code,
        "ChuHoSo": "Trần Thị Bình",
        "SoDienThoai": "0912345678",
        "SoGiayToChuHoSo": "079123456780",
        "Email": "binh@example.vn",
        "DiaChiChuHoSo": "Biên Hòa, Đồng Nai",
        "NgayNop": "20261205093000",
        "TaiLieuNop": [
            {
                "TenThanhPhanHoSo": paper.name,
                "TenTepDinhKem": f"giay-{paper.order}.pdf",
                "NoiDung": base64.b64encode(pdf).decode(),
            }
            for paper in procedure.papers.filter(mandatory=True)
        ],
    }
    record.update(changes)
    return record


def test_online_dossiers_are_pulled_once(
    connected, procedure, pdf_bytes, capsys, django_capture_on_commit_callbacks
):
    procedure.papers.filter(extensions="pdf").update(extensions="pdf")
    connected.start()
    connected.offer(_online("H19.23-261205-0001", procedure, pdf_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("portal_pull")
    link = PortalDossierLink.objects.get(ma_ho_so="H19.23-261205-0001")
    dossier = link.dossier
    assert dossier.status == Dossier.Status.NEW and dossier.channel == "online"
    assert dossier.applicant_name == "Trần Thị Bình"
    assert dossier.applicant_id_number == "079123456780"
    assert dossier.files.count() == 2
    # Status 1 goes back under the portal's own code.
    assert connected.received()["dossiers"]["H19.23-261205-0001"]["TrangThaiHoSo"] == "1"

    with django_capture_on_commit_callbacks(execute=True):
        call_command("portal_pull")
    assert Dossier.objects.count() == 1
    assert "already pulled 1" in capsys.readouterr().out


def test_bad_dossiers_from_the_portal_are_refused_whole_and_audited(
    connected, procedure, pdf_bytes, settings, django_capture_on_commit_callbacks
):
    from pathlib import Path

    connected.start()
    good = _online("GOOD-1", procedure, pdf_bytes())
    no_paper = _online("BAD-PAPERS", procedure, pdf_bytes(), TaiLieuNop=[])
    bad_base64 = _online("BAD-B64", procedure, pdf_bytes())
    bad_base64["TaiLieuNop"][0]["NoiDung"] = "%%% not base64 %%%"
    not_a_pdf = _online("BAD-TYPE", procedure, b"MZ\x90\x00 an executable")
    unknown = _online("BAD-TTHC", procedure, pdf_bytes(), MaTTHC="9.999999")
    no_phone = _online("BAD-PHONE", procedure, pdf_bytes(), SoDienThoai="12")
    bad_date = _online("BAD-DATE", procedure, pdf_bytes(), NgayNop="05/12/2026")
    connected.offer(
        good, no_paper, bad_base64, not_a_pdf, unknown, no_phone, "not an object", bad_date
    )

    with pytest.raises(SystemExit) as exit_code, django_capture_on_commit_callbacks(execute=True):
        call_command("portal_pull")
    assert exit_code.value.code == 1
    assert list(PortalDossierLink.objects.values_list("ma_ho_so", flat=True)) == ["GOOD-1"]
    assert Dossier.objects.count() == 1
    refusals = {
        entry.details["ma_ho_so"]: entry.details["reason"]
        for entry in AuditEntry.objects.filter(action="portal.pull_refused")
    }
    assert set(refusals) == {
        "BAD-PAPERS",
        "BAD-B64",
        "BAD-TYPE",
        "BAD-TTHC",
        "BAD-PHONE",
        "#7",
        "BAD-DATE",
    }
    assert "yyyyMMddHHmmss" in refusals["BAD-DATE"]
    assert "Văn bằng chuyên môn" in refusals["BAD-PAPERS"]
    assert "base64" in refusals["BAD-B64"]
    assert "9.999999" in refusals["BAD-TTHC"]
    # No orphaned files: only the good dossier's papers are stored.
    stored = [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
    assert len(stored) == len({paper.sha256 for paper in Dossier.objects.get().files.all()})


def test_a_portal_that_refuses_the_pull_is_a_clear_error(connected, settings, capsys):
    from django.core.management.base import CommandError

    connected.start()
    settings.EDOC_DVC_SYNC_TOKEN = "wrong"
    with pytest.raises(CommandError, match="HTTP 401") as error:
        call_command("portal_pull")
    assert error.value.returncode == 2
    assert not Dossier.objects.exists()


def test_the_dossier_page_shows_the_sync_state(
    client, connected, officer, procedure, applicant, all_files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the portal is down
        dossier = _counter(officer, procedure, applicant, all_files)
    client.force_login(officer)
    page = client.get(reverse("onestop:dossier_detail", args=[dossier.pk])).content.decode()
    panel = page.split('id="dossier-portal-sync"', 1)[1].split("</section>", 1)[0]
    assert "Cổng dịch vụ công" in panel
    assert 'data-status="2" data-delivered="no"' in panel
    assert "Chờ gửi" in panel and "unreachable" in panel

    assert 'id="portal-sync-now"' in panel
    send_now = reverse("connectors_portal:dossier_sync_now", args=[dossier.pk])
    page = client.post(send_now, follow=True).content.decode()  # still down
    assert "không gửi được" in page
    assert SyncMessage.objects.get().attempts == 2

    connected.start()
    page = client.post(send_now, follow=True).content.decode()
    assert "Đã gửi 1 gói tin" in page
    assert 'data-status="2" data-delivered="yes"' in page
    assert 'id="portal-sync-now"' not in page
    assert AuditEntry.objects.filter(action="portal.sync_now", actor=officer).count() == 2


def test_send_now_is_for_those_who_may_see_the_dossier(
    client, connected, officer, users, procedure, applicant, all_files
):
    dossier = _counter(officer, procedure, applicant, all_files)
    client.force_login(users["clerk"])
    url = reverse("connectors_portal:dossier_sync_now", args=[dossier.pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code in (404, 405)
    assert SyncMessage.objects.get().attempts == 0


def test_a_crash_between_commit_and_delivery_loses_nothing(
    connected, officer, procedure, applicant, all_files
):
    # The transaction commits, the process dies before its on-commit delivery runs (here:
    # the test's callbacks are never run): the row is there, and the sweep sends it.
    dossier = _counter(officer, procedure, applicant, all_files)
    row = SyncMessage.objects.get(dossier=dossier)
    assert row.attempts == 0 and row.delivered_at is None
    connected.start()
    call_command("portal_sync")
    row.refresh_from_db()
    assert row.delivered_at is not None and row.attempts == 1
    assert connected.received()["dossiers"][dossier.code]["TrangThaiHoSo"] == "2"


def test_an_approved_apology_sends_the_new_appointment(
    connected, officer, shipped, procedure, applicant, all_files, django_capture_on_commit_callbacks
):
    from onestop.services import APOLOGY_KEY
    from onestop.shipped import _definition, apology_graph

    _definition(shipped, APOLOGY_KEY, "Duyệt phiếu xin lỗi", apology_graph())
    connected.start()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = _counter(officer, procedure, applicant, all_files)
    new_date = calendar.add_working_days(dossier.due_at.date(), 10)
    letter = services.apology_draft(
        officer=officer, dossier=dossier, new_due_date=new_date, reason="Chờ ý kiến Bộ Y tế"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.apology_approve(user=officer, letter=letter)
    dossier.refresh_from_db()
    record = connected.received()["dossiers"][dossier.code]
    assert record["NgayHenTra"] == _vn(dossier.due_at)
    assert record["NgayHenTra"].startswith(new_date.strftime("%Y%m%d"))
    rows = SyncMessage.objects.filter(dossier=dossier).order_by("pk")
    assert [(row.status_code, bool(row.delivered_at)) for row in rows] == [(2, True), (2, True)]
    apology = rows[1].payload["requests"][1]["data"][0]
    assert "Chờ ý kiến Bộ Y tế" in apology["NoiDungXuLy"]
