"""One-stop services: intake, codes, the paused clock, status changes and their refusals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from edoc.models import AuditEntry
from onestop import selectors, services
from onestop.models import DayCounter, Dossier, DossierEvent, DossierPaper, SupplementRequest
from onestop.signals import dossier_status_changed
from tests.onestop.conftest import PNG
from workflows import calendar

pytestmark = pytest.mark.django_db
Status = Dossier.Status
VN = calendar.VN_TZ


def stored_files() -> set[str]:
    found: set[str] = set()
    if not default_storage.exists("onestop"):
        return found
    for folder in default_storage.listdir("onestop")[0]:
        found |= {f"{folder}/{name}" for name in default_storage.listdir(f"onestop/{folder}")[1]}
    return found


def online(procedure, applicant, files) -> Dossier:
    draft = services.dossier_save_draft(procedure=procedure, applicant=applicant, files=files)
    return services.dossier_submit_online(dossier=draft)


def snapshot(dossier: Dossier) -> tuple:
    dossier.refresh_from_db()
    return (
        dossier.status,
        dossier.due_at,
        dossier.paused_at,
        dossier.paused_working_days,
        dossier.events.count(),
        dossier.files.count(),
    )


# --- Intake ----------------------------------------------------------------------------------


def test_draft_allows_missing_papers_but_submission_lists_them(
    procedure, applicant, papers, upload
):
    draft = services.dossier_save_draft(
        procedure=procedure, applicant=applicant, files={papers[0].pk: upload("pdf")}
    )
    assert draft.status == Status.DRAFT and draft.code is None
    assert draft.applicant_phone == "0912345678"  # +84 and spaces normalised
    assert selectors.dossier_draft_get(draft.draft_key) == draft

    with pytest.raises(ValidationError) as error:
        services.dossier_submit_online(dossier=draft)
    assert error.value.messages == ["Thiếu thành phần hồ sơ bắt buộc: Văn bằng chuyên môn"]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.code is None

    # The citizen comes back with the missing paper: the draft is completed, then sent.
    draft = services.dossier_save_draft(
        procedure=procedure,
        applicant=applicant,
        files={papers[1].pk: upload("pdf")},
        draft=selectors.dossier_draft_get(draft.draft_key),
    )
    sent = services.dossier_submit_online(dossier=draft)
    assert sent.status == Status.NEW
    assert sent.code.startswith("000.00.23.H19-")
    assert selectors.dossier_draft_get(draft.draft_key) is None  # the key rotated on submission
    with pytest.raises(ValidationError, match="Không thể nộp hồ sơ"):
        services.dossier_submit_online(dossier=sent)


@pytest.mark.parametrize(
    ("kind", "name", "content", "message"),
    [
        ("txt", "don.txt", b"hello", "không nhận tệp định dạng .txt"),
        ("exe", "don.pdf", b"MZ\x90\x00 not a pdf", "nội dung tệp không phải định dạng .pdf"),
        (
            "png",
            "van-bang.png",
            PNG,
            "không nhận tệp định dạng .png (cho phép: pdf)",
        ),  # paper 2: pdf only
        ("png", "anh.png", PNG + b"\x00" * (1024 * 1024 + 1), "tệp lớn hơn 1 MB"),
        ("pdf", "rong.pdf", b"", "tệp rỗng"),
    ],
)
def test_bad_files_are_refused_with_nothing_saved(
    procedure, applicant, papers, upload, kind, name, content, message
):
    target = {"van-bang.png": papers[1], "anh.png": papers[2]}.get(name, papers[0])
    files = {target.pk: upload(kind, name=name, content=content)}
    if target != papers[0]:
        files[papers[0].pk] = upload("pdf")
    with pytest.raises(ValidationError) as error:
        services.dossier_save_draft(procedure=procedure, applicant=applicant, files=files)
    assert any(message in text for text in error.value.messages), error.value.messages
    assert not Dossier.objects.exists() and not DossierPaper.objects.exists()
    assert stored_files() == set()


def test_a_failure_after_storing_leaves_no_orphan_file(
    procedure, applicant, officer, all_files, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("onestop.services.intake._start_process", broken)
    with pytest.raises(RuntimeError):
        services.dossier_receive_at_counter(
            officer=officer, procedure=procedure, applicant=applicant, files=all_files()
        )
    assert not Dossier.objects.exists()
    assert stored_files() == set()


def test_bad_applicant_data(procedure, all_files):
    with pytest.raises(ValidationError) as error:
        services.dossier_save_draft(
            procedure=procedure,
            applicant={"name": "", "phone": "12", "id_number": "12ab", "email": "x@"},
            files=all_files(),
        )
    assert set(error.value.message_dict) == {
        "applicant_name",
        "applicant_phone",
        "applicant_id_number",
        "applicant_email",
    }
    assert stored_files() == set()


def test_counter_intake_receives_at_once_with_appointment(
    procedure, applicant, officer, papers, upload, clock
):
    now = clock.set(datetime.datetime(2026, 4, 20, 8, 0))  # Monday
    dossier = services.dossier_receive_at_counter(
        officer=officer,
        procedure=procedure,
        applicant=applicant,
        files={papers[0].pk: upload("pdf")},
        papers_checked=[papers[1].pk],  # the diploma's original seen at the counter, no scan
    )
    assert dossier.status == Status.ACCEPTED
    assert dossier.code == "000.00.23.H19-260420-0001"
    assert dossier.received_at == now and dossier.received_by == officer
    # 10 working days: 27/4 (Giỗ Tổ on Sunday 26/4 → compensatory day), 30/4 and 1/5 are off.
    assert dossier.due_at == datetime.datetime(2026, 5, 7, 8, 0, tzinfo=VN)
    assert dossier.fee_status == "unpaid" and dossier.fee_amount == 360_000
    assert dossier.events.filter(kind="paper_checked").count() == 1


def test_counter_intake_refusals(procedure, applicant, officer, users, papers, upload):
    with pytest.raises(PermissionDenied):
        services.dossier_receive_at_counter(
            officer=users["specialist"],
            procedure=procedure,
            applicant=applicant,
            files={papers[0].pk: upload("pdf"), papers[1].pk: upload("pdf")},
        )
    with pytest.raises(ValidationError) as error:
        services.dossier_receive_at_counter(
            officer=officer,
            procedure=procedure,
            applicant=applicant,
            files={papers[0].pk: upload("pdf")},
        )
    assert error.value.messages == ["Thiếu thành phần hồ sơ bắt buộc: Văn bằng chuyên môn"]
    assert not Dossier.objects.exists() and stored_files() == set()
    assert not DayCounter.objects.filter(last__gt=0).exists()  # no code was used up


def test_codes_are_sequential_per_agency_and_day(procedure, applicant, officer, all_files, clock):
    clock.set(datetime.datetime(2026, 11, 26, 23, 50))
    first = online(procedure, applicant, all_files())
    second = online(procedure, applicant, all_files())
    clock.set(datetime.datetime(2026, 11, 27, 0, 5))  # local midnight passed: a new day
    third = online(procedure, applicant, all_files())
    assert [first.code, second.code, third.code] == [
        "000.00.23.H19-261126-0001",
        "000.00.23.H19-261126-0002",
        "000.00.23.H19-261127-0001",
    ]


# --- The clock -------------------------------------------------------------------------------


def test_supplement_pauses_the_clock_and_moves_the_appointment_by_the_paused_days(
    procedure, applicant, officer, papers, upload, all_files, clock
):
    clock.set(datetime.datetime(2026, 4, 20, 8, 0))
    dossier = online(procedure, applicant, all_files())
    dossier = services.dossier_accept(officer=officer, dossier=dossier)
    due = dossier.due_at
    assert due == datetime.datetime(2026, 5, 7, 8, 0, tzinfo=VN)

    # Paused on Wednesday 29/4 at 09:00: Thursday 30/4 and Friday 1/5 are holidays, then the
    # weekend; the citizen answers on Monday 4/5 at 09:00 = 6.5 + 1.5 office hours = 1 day.
    clock.set(datetime.datetime(2026, 4, 29, 9, 0))
    request = services.dossier_request_supplement(
        officer=officer, dossier=dossier, message="Bổ sung bản sao văn bằng có chứng thực"
    )
    assert request.round == 1
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT and dossier.paused_at is not None
    clock.set(datetime.datetime(2026, 5, 2, 10, 0))
    assert selectors.days_left(dossier) == selectors.days_left(
        dossier, now=datetime.datetime(2026, 4, 29, 9, 0, tzinfo=VN)
    )  # frozen while paused

    clock.set(datetime.datetime(2026, 5, 4, 9, 0))
    dossier = services.dossier_submit_supplement(
        dossier=dossier, files={papers[1].pk: upload("pdf")}, message="Đã bổ sung"
    )
    assert dossier.status == Status.PROCESSING
    assert dossier.paused_at is None
    assert dossier.paused_working_days == Decimal("1.00")
    assert dossier.due_at == calendar.add_working_time(due, days=1)
    assert dossier.due_at == datetime.datetime(2026, 5, 8, 8, 0, tzinfo=VN)
    assert dossier.files.filter(round=1).count() == 1
    request.refresh_from_db()
    assert request.answered_at is not None and request.answer_message == "Đã bổ sung"


def test_resubmission_when_not_waiting_is_refused_and_changes_nothing(
    procedure, applicant, officer, papers, upload, all_files
):
    dossier = online(procedure, applicant, all_files())
    services.dossier_accept(officer=officer, dossier=dossier)
    before = snapshot(dossier)
    with pytest.raises(ValidationError, match="không ở trạng thái chờ bổ sung"):
        services.dossier_submit_supplement(dossier=dossier, files={papers[0].pk: upload("pdf")})
    services.dossier_withdraw(officer=officer, dossier=dossier, reason="Công dân xin rút")
    closed = snapshot(dossier)
    assert closed[0] == Status.WITHDRAWN and before[1:] != closed
    with pytest.raises(ValidationError, match="không ở trạng thái chờ bổ sung"):
        services.dossier_submit_supplement(dossier=dossier, files={papers[0].pk: upload("pdf")})
    assert snapshot(dossier) == closed
    assert len(stored_files()) == 1  # the one intake PDF (content-addressed), nothing new


@pytest.mark.parametrize(
    "action",
    ["reject", "accept", "return", "finish", "payment"],
)
def test_actions_in_a_wrong_status_are_refused_with_nothing_changed(
    procedure, applicant, officer, users, all_files, action
):
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files()
    )
    services.dossier_stop(officer=users["head"], dossier=dossier, reason="Không đủ điều kiện")
    before = snapshot(dossier)
    audits = AuditEntry.objects.count()
    call = {
        "reject": lambda: services.dossier_reject(officer=officer, dossier=dossier, reason="x"),
        "accept": lambda: services.dossier_accept(officer=officer, dossier=dossier),
        "return": lambda: services.dossier_return_result(
            officer=officer, dossier=dossier, channel="counter"
        ),
        "finish": lambda: services.dossier_finish(officer=users["head"], dossier=dossier),
        "payment": lambda: services.dossier_request_payment(officer=officer, dossier=dossier),
    }[action]
    with pytest.raises(ValidationError) as error:
        call()
    assert error.value.error_list[0].code == "wrong_status"
    assert str(Status.STOPPED.label) in error.value.messages[0]
    assert snapshot(dossier) == before
    assert AuditEntry.objects.count() == audits


def test_reasons_are_required(procedure, applicant, officer, all_files):
    dossier = online(procedure, applicant, all_files())
    with pytest.raises(ValidationError) as error:
        services.dossier_reject(officer=officer, dossier=dossier, reason="  ")
    assert "reason" in error.value.message_dict
    services.dossier_reject(officer=officer, dossier=dossier, reason="Hồ sơ không đúng thủ tục")
    dossier.refresh_from_db()
    assert dossier.status == Status.REJECTED
    assert selectors.public_timeline(dossier)[-1].message == "Hồ sơ không đúng thủ tục"


def test_fee_request_and_payment(procedure, applicant, officer, all_files):
    dossier = services.dossier_receive_at_counter(
        officer=officer, procedure=procedure, applicant=applicant, files=all_files()
    )
    services.dossier_request_payment(officer=officer, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.status == Status.FINANCIAL and dossier.fee_status == "unpaid"
    services.dossier_record_payment(officer=officer, dossier=dossier, reference="BL-0012")
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.fee_status == "paid"
    with pytest.raises(ValidationError, match="không có khoản phí nào chưa nộp"):
        services.dossier_record_payment(officer=officer, dossier=dossier)


def test_every_status_change_has_an_event_audit_and_signal(
    procedure, applicant, officer, all_files, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, dossier, event, **kwargs):
        received.append((dossier.pk, event.from_status, event.to_status))

    dossier_status_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            dossier = online(procedure, applicant, all_files())
        with django_capture_on_commit_callbacks(execute=True):
            services.dossier_accept(officer=officer, dossier=dossier, note="đủ hồ sơ")
    finally:
        dossier_status_changed.disconnect(listener)
    assert received == [(dossier.pk, 0, 1), (dossier.pk, 1, 2)]
    assert AuditEntry.objects.filter(action="dossier.accepted", object_id=str(dossier.pk)).exists()
    accepted = DossierEvent.objects.get(dossier=dossier, kind="accepted")
    assert accepted.internal_note == "đủ hồ sơ" and accepted.actor == officer
    assert all("đủ hồ sơ" not in event.message for event in selectors.public_timeline(dossier))


def test_supplement_request_needs_a_message_and_papers_of_the_procedure(
    procedure, applicant, officer, all_files, agency, units
):
    from onestop.models import Procedure, ProcedurePaper

    dossier = online(procedure, applicant, all_files())
    with pytest.raises(ValidationError):
        services.dossier_request_supplement(officer=officer, dossier=dossier, message="")
    other = Procedure.objects.create(
        agency=agency, code="X", name="Khác", processing_days=5, handling_unit=units["pharmacy"]
    )
    foreign = ProcedurePaper.objects.create(procedure=other, name="Giấy khác")
    with pytest.raises(ValidationError):
        services.dossier_request_supplement(
            officer=officer, dossier=dossier, message="Bổ sung", papers=[foreign]
        )
    assert not SupplementRequest.objects.exists()


def test_a_replaced_draft_paper_leaves_no_orphan(
    procedure, applicant, papers, upload, pdf_bytes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.dossier_save_draft(
            procedure=procedure,
            applicant=applicant,
            files={papers[0].pk: upload("pdf", content=pdf_bytes(["Bản thứ nhất"]))},
        )
    first = stored_files()
    assert len(first) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_save_draft(
            procedure=procedure,
            applicant=applicant,
            files={papers[0].pk: upload("pdf", content=pdf_bytes(["Bản thứ hai"]))},
            draft=draft,
        )
    assert draft.files.count() == 1
    assert len(stored_files()) == 1 and stored_files() != first
