"""Citizens' notifications on dossier status changes: e-mail through Django's backend (locmem
outbox here) and SMS through the EDOC_SMS_BACKEND gateway interface (a test gateway class
below, implementing our own SmsBackend interface)."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.utils import timezone

from onestop.models import Dossier
from onestop.portal.models import NotificationAttempt
from onestop.portal.notifications import (
    LoggingSmsBackend,
    SmsBackend,
    mask_phone,
    notify_dossier,
    sms_backend,
)
from onestop.services import (
    dossier_accept,
    dossier_request_supplement,
    dossier_save_draft,
    dossier_submit_online,
)

pytestmark = pytest.mark.django_db

INTERNAL_NOTE = "Ghi chú nội bộ: kiểm tra lại chứng chỉ"


class RecordingSms(SmsBackend):
    """A gateway that keeps what it was asked to send."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        RecordingSms.sent.append((phone, text))


class BrokenSms(SmsBackend):
    """A gateway that is down."""

    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway unreachable")


@pytest.fixture
def sms(settings):
    settings.EDOC_SMS_BACKEND = f"{__name__}.RecordingSms"
    RecordingSms.sent = []
    return RecordingSms.sent


@pytest.fixture
def submit(procedure, applicant, all_files, django_capture_on_commit_callbacks):
    def run(**changes) -> Dossier:
        with django_capture_on_commit_callbacks(execute=True):
            draft = dossier_save_draft(
                procedure=procedure, applicant={**applicant, **changes}, files=all_files()
            )
            return dossier_submit_online(dossier=draft)

    return run


def test_every_status_change_sends_email_and_sms(
    submit, officer, papers, sms, django_capture_on_commit_callbacks
):
    dossier = submit()
    assert len(mail.outbox) == 1 and len(sms) == 1
    email = mail.outbox[0]
    assert email.to == ["an@example.vn"]
    assert dossier.code in email.subject and "Mới đăng ký" in email.subject
    assert "Kính gửi Ông/Bà Nguyễn Văn An" in email.body
    assert "https://dichvucong.example.vn/portal/t/" in email.body
    phone, text = sms[0]
    assert phone == "0912345678"
    assert dossier.code in text and "Mới đăng ký" in text
    assert "https://dichvucong.example.vn/portal/t/" in text

    with django_capture_on_commit_callbacks(execute=True):
        dossier_accept(officer=officer, dossier=dossier, note=INTERNAL_NOTE)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_request_supplement(
            officer=officer,
            dossier=dossier,
            message="Xin bổ sung bản sao văn bằng.",
            papers=[papers[1]],
        )
    assert len(mail.outbox) == 3 and len(sms) == 3
    assert "Được tiếp nhận" in mail.outbox[1].subject
    dossier.refresh_from_db()
    appointment = timezone.localtime(dossier.due_at).strftime("%d/%m/%Y")
    assert f"Hẹn trả kết quả: {appointment}." in sms[1][1]  # before any long message is cut
    assert "Yêu cầu bổ sung" in mail.outbox[2].subject
    assert "Xin bổ sung bản sao văn bằng." in mail.outbox[2].body
    assert "Xin bổ sung bản sao văn bằng." in sms[2][1]
    for message in [*(m.body for m in mail.outbox), *(m.subject for m in mail.outbox)]:
        assert INTERNAL_NOTE not in message
        assert officer.last_name not in message
    assert all(INTERNAL_NOTE not in text for _phone, text in sms)
    attempts = NotificationAttempt.objects.filter(dossier=dossier)
    assert attempts.count() == 6 and all(attempt.ok for attempt in attempts)
    assert set(attempts.values_list("recipient", flat=True)) == {"a***@example.vn", "091****678"}


def test_no_email_without_an_address(submit, sms):
    submit(email="")
    assert mail.outbox == []
    assert len(sms) == 1


def test_a_failing_gateway_never_breaks_the_officer_action(
    submit, officer, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EDOC_SMS_BACKEND = f"{__name__}.BrokenSms"
    dossier = submit()
    with (
        caplog.at_level(logging.WARNING, logger="onestop.portal.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dossier_accept(officer=officer, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.ACCEPTED
    assert len(mail.outbox) == 2  # e-mail still goes out
    failed = NotificationAttempt.objects.filter(dossier=dossier, channel="sms")
    assert failed.count() == 2 and not any(attempt.ok for attempt in failed)
    assert "gateway unreachable" in failed.first().error
    assert "091****678" in caplog.text and "0912345678" not in caplog.text


def test_a_failing_mail_server_is_recorded(submit, sms, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    dossier = submit()
    email = NotificationAttempt.objects.get(dossier=dossier, channel="email")
    assert not email.ok and email.error
    assert len(sms) == 1 and NotificationAttempt.objects.get(dossier=dossier, channel="sms").ok


def test_logging_backend_masks_the_phone_number(caplog, settings):
    settings.EDOC_SMS_BACKEND = "onestop.portal.notifications.LoggingSmsBackend"
    backend = sms_backend()
    assert isinstance(backend, LoggingSmsBackend)
    with caplog.at_level(logging.INFO, logger="onestop.portal.notifications"):
        backend.send(
            "0912345678",
            "Hồ sơ 000.00.23.H19-261130-0001: Mới đăng ký. "
            "Chi tiết: https://dichvucong.example.vn/portal/t/SECRET-TOKEN:abc/",
        )
    assert "091****678" in caplog.text
    assert "0912345678" not in caplog.text
    assert "SECRET-TOKEN" not in caplog.text
    assert "https://dichvucong.example.vn/portal/t/…/" in caplog.text
    assert mask_phone("+84 912 345 678") == "849*****678"


def test_a_backend_must_implement_the_interface(settings):
    settings.EDOC_SMS_BACKEND = "collections.OrderedDict"
    with pytest.raises(TypeError):
        sms_backend()
    with pytest.raises(NotImplementedError):
        SmsBackend().send("0912345678", "x")


def test_notify_dossier_records_one_attempt(submit, sms):
    dossier = submit()
    row = notify_dossier(dossier=dossier, event=None, channel="sms", attempt=2)
    assert row.ok and row.attempt == 2 and row.recipient == "091****678"
    assert "Mới đăng ký" in sms[-1][1]


def test_a_late_send_names_the_status_of_its_event(submit, officer, sms):
    """A worker that sends after further changes still names the change it was queued for."""
    dossier = submit()
    submitted_event = dossier.events.get(kind="submitted")
    dossier_accept(officer=officer, dossier=dossier)  # no on-commit callbacks: nothing sent
    dossier.refresh_from_db()
    notify_dossier(dossier=dossier, event=submitted_event, channel="sms")
    assert "Mới đăng ký" in sms[-1][1] and "Được tiếp nhận" not in sms[-1][1]
