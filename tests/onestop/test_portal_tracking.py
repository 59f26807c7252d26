"""Citizen portal tracking: look-up without enumeration, QR tokens, rate limits, supplement
uploads that move the deadline, the signed result with its verification, and privacy (no
staff notes or names, one dossier per session, no-store, no referrer to other sites)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from edoc.models import AuditEntry
from onestop.models import Dossier
from onestop.selectors import tracking_token
from onestop.services import (
    dossier_accept,
    dossier_finish,
    dossier_record_payment,
    dossier_reject,
    dossier_request_supplement,
    dossier_return_result,
    dossier_save_draft,
    dossier_start_processing,
    dossier_submit_online,
)
from tests.onestop import test_portal
from tests.signing.conftest import (  # noqa: F401  (fixtures: trust the test PKI's root)
    signing_settings,
    trust_root,
    tsa_url,
)
from workflows import calendar

pytestmark = pytest.mark.django_db

# Fixtures shared with test_portal.py: empty rate-limit counters, an English-speaking visitor.
_fresh_rate_limits = test_portal._fresh_rate_limits
citizen = test_portal.citizen

INTERNAL_NOTE = "GHI CHÚ NỘI BỘ: hồ sơ cần kiểm tra kỹ"
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def submitted(procedure, applicant, all_files) -> Dossier:
    draft = dossier_save_draft(procedure=procedure, applicant=applicant, files=all_files())
    return dossier_submit_online(dossier=draft)


@pytest.fixture
def accepted(submitted, officer, clock) -> Dossier:
    clock.set(datetime.datetime(2026, 11, 30, 8, 0))  # a Monday
    return dossier_accept(officer=officer, dossier=submitted, note=INTERNAL_NOTE)


@pytest.fixture
def waiting(accepted, officer, papers, clock) -> Dossier:
    clock.set(datetime.datetime(2026, 12, 1, 8, 0))
    dossier_request_supplement(
        officer=officer,
        dossier=accepted,
        message="Bổ sung bản sao văn bằng có chứng thực.",
        papers=[papers[1]],
    )
    accepted.refresh_from_db()
    return accepted


def _open(client, dossier: Dossier):
    response = client.get(reverse("portal:track_token", args=[tracking_token(dossier)]))
    assert response.status_code == 302
    return client.get(response["Location"])


def _lookup(client, code: str, secret: str):
    return client.post(reverse("portal:lookup"), {"code": code, "secret": secret})


# --------------------------------------------------------------------------- look-up


def test_lookup_by_code_and_phone_or_id_number(citizen, submitted):
    for secret in ("0912 345 678", "+84912345678", "079123456789"):
        response = _lookup(citizen, submitted.code.lower(), secret)
        assert response.status_code == 302, secret
        assert response["Location"] == reverse("portal:dossier")
        page = citizen.get(response["Location"])
        assert submitted.code in page.content.decode()
    opened = AuditEntry.objects.filter(action="dossier.portal_open", object_id=str(submitted.pk))
    assert opened.count() == 3
    assert {entry.details["via"] for entry in opened} == {"lookup"}
    assert {entry.ip_address for entry in opened} == {"127.0.0.1"}


def test_lookup_failures_are_indistinguishable(citizen, submitted):
    wrong_code = _lookup(citizen, submitted.code[:-1] + "9", "0912345678")
    wrong_phone = _lookup(citizen, submitted.code, "0987654321")
    malformed = _lookup(citizen, "'; DROP TABLE--", "abc")
    empty = _lookup(citizen, "", "")
    bodies = {
        CSRF.sub(b"", response.content) for response in (wrong_code, wrong_phone, malformed, empty)
    }
    statuses = {response.status_code for response in (wrong_code, wrong_phone, malformed, empty)}
    assert len(bodies) == 1 and statuses == {200}
    body = bodies.pop().decode()
    assert "Không tìm thấy hồ sơ" in body
    assert submitted.code not in body and "0987654321" not in body
    assert wrong_code["Cache-Control"] == "no-store"
    assert wrong_code["Referrer-Policy"] == "same-origin"


def test_lookups_are_rate_limited_per_client(citizen, submitted, settings):
    settings.EDOC_PORTAL_LOOKUP_RATE = "3/600"
    for _attempt in range(3):
        assert _lookup(citizen, "000.00.23.H19-000000-0000", "0900000000").status_code == 200
    limited = _lookup(citizen, submitted.code, "0912345678")  # even the right answer now
    assert limited.status_code == 429
    assert "Quá nhiều lần thử" in limited.content.decode()
    assert limited["Retry-After"] == "600"
    other_address = Client(REMOTE_ADDR="10.1.2.3")
    assert _lookup(other_address, submitted.code, "0912345678").status_code == 302


@pytest.mark.redis
def test_lookup_counter_lives_in_redis(citizen, settings):
    """With REDIS_URL the counters are in Redis, shared by every web worker process."""
    from django.core.cache import cache

    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    settings.EDOC_PORTAL_LOOKUP_RATE = "2/600"
    for _attempt in range(2):
        assert _lookup(citizen, "x", "y").status_code == 200
    assert cache.get("portal:rate:lookup:127.0.0.1") == 2
    assert _lookup(citizen, "x", "y").status_code == 429


# --------------------------------------------------------------------------- tracking links


def test_tracking_link_opens_the_dossier_page(citizen, accepted):
    response = citizen.get(reverse("portal:track_token", args=[tracking_token(accepted)]))
    assert response.status_code == 302
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    page = citizen.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert accepted.code in html
    assert "Được tiếp nhận" in html  # the national status name
    assert "360.000 đ" in html and "Chưa nộp" in html
    assert page["Cache-Control"] == "no-store"
    # Pages with a form send their Origin to our own site only (under no-referrer browsers
    # send "Origin: null" and the CSRF check refuses the form).
    assert page["Referrer-Policy"] == "same-origin"


def test_forged_expired_and_revoked_links_get_one_invalid_page(
    citizen, accepted, monkeypatch, settings
):
    settings.EDOC_TRACKING_TOKEN_MAX_AGE_DAYS = 30
    token = tracking_token(accepted)
    forged = citizen.get(reverse("portal:track_token", args=[token[:-2] + "xx"]))
    garbage = citizen.get(reverse("portal:track_token", args=["abc"]))
    real_time = __import__("time").time
    monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() + 31 * 86400)
    expired = citizen.get(reverse("portal:track_token", args=[token]))
    monkeypatch.undo()
    Dossier.objects.filter(pk=accepted.pk).update(tracking_nonce="rotated")
    revoked = citizen.get(reverse("portal:track_token", args=[token]))
    responses = (forged, garbage, expired, revoked)
    assert [response.status_code for response in responses] == [404] * 4
    assert len({response.content for response in responses}) == 1
    assert "Liên kết không hợp lệ hoặc đã hết hạn" in forged.content.decode()
    assert accepted.code not in forged.content.decode()


def test_guessing_tracking_links_is_rate_limited(citizen, accepted, settings):
    settings.EDOC_PORTAL_LOOKUP_RATE = "2/600"
    token = tracking_token(accepted)
    assert citizen.get(reverse("portal:track_token", args=[token])).status_code == 302
    assert citizen.get(reverse("portal:track_token", args=[token])).status_code == 302
    for guess in ("a", "b"):  # only invalid links count
        assert citizen.get(reverse("portal:track_token", args=[guess])).status_code == 404
    limited = citizen.get(reverse("portal:track_token", args=[token]))
    assert limited.status_code == 429
    assert "Quá nhiều lần thử" in limited.content.decode()


def test_revoking_the_links_also_ends_open_sessions(citizen, accepted):
    assert _open(citizen, accepted).status_code == 200
    Dossier.objects.filter(pk=accepted.pk).update(tracking_nonce="rotated")
    response = citizen.get(reverse("portal:dossier"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:lookup")


def test_a_session_sees_one_dossier_only(citizen, accepted, procedure, all_files):
    other = dossier_submit_online(
        dossier=dossier_save_draft(
            procedure=procedure,
            applicant={"name": "Trần Thị Bình", "phone": "0988777666"},
            files=all_files(),
        )
    )
    _open(citizen, accepted)
    page = _open(citizen, other).content.decode()
    assert other.code in page and accepted.code not in page
    assert "Nguyễn Văn An" not in page


def test_no_staff_names_or_internal_notes(citizen, waiting, officer):
    html = _open(citizen, waiting).content.decode()
    assert INTERNAL_NOTE not in html
    assert officer.last_name not in html and officer.username not in html
    assert "Bổ sung bản sao văn bằng có chứng thực." in html  # the public message is shown


# --------------------------------------------------------------------------- supplements


def test_supplement_upload_resumes_the_clock_and_moves_the_deadline(
    citizen, waiting, papers, upload, clock
):
    due_before = waiting.due_at
    page = _open(citizen, waiting).content.decode()
    assert "Yêu cầu bổ sung" in page
    assert 'id="supplement-form"' in page
    assert "Đồng hồ tạm dừng" in page

    clock.set(datetime.datetime(2026, 12, 3, 8, 0))  # two working days later
    _open(citizen, waiting)  # the office-hours session of two days ago has ended
    response = citizen.post(
        reverse("portal:supplement"),
        {f"paper_{papers[1].pk}": upload("pdf", "van-bang.pdf"), "message": "Đã bổ sung."},
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Dossier.Status.PROCESSING
    assert waiting.paused_at is None
    assert waiting.paused_working_days == Decimal("2.00")
    assert calendar.working_time_between(due_before, waiting.due_at) == (
        2 * calendar.working_day_length()
    )
    assert waiting.files.filter(round=1).count() == 1
    after = citizen.get(response["Location"]).content.decode()
    assert "Cảm ơn" in after
    assert 'id="supplement-form"' not in after


def test_supplement_bad_file_is_refused_and_changes_nothing(citizen, waiting, papers, upload):
    _open(citizen, waiting)
    response = citizen.post(
        reverse("portal:supplement"), {f"paper_{papers[1].pk}": upload("png", "anh.png")}
    )
    assert response.status_code == 400
    assert "Sai loại tệp" in response.content.decode()
    empty = citizen.post(reverse("portal:supplement"), {"message": "không có tệp"})
    assert empty.status_code == 400
    assert "Hãy đính kèm ít nhất một tệp" in empty.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Dossier.Status.SUPPLEMENT and waiting.files.count() == 2


def test_oversized_supplement_is_refused_unread(citizen, waiting, papers, upload):
    _open(citizen, waiting)
    huge = upload("pdf", content=b"%PDF-1.4\n" + b"0" * (25 * 1024 * 1024))
    response = citizen.post(reverse("portal:supplement"), {f"paper_{papers[1].pk}": huge})
    assert response.status_code == 413
    assert "Tổng dung lượng các tệp quá lớn" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Dossier.Status.SUPPLEMENT and waiting.files.count() == 2


def test_closed_dossier_refuses_a_resubmission(citizen, submitted, officer, papers, upload):
    _open(citizen, submitted)
    dossier_reject(officer=officer, dossier=submitted, reason="Hồ sơ không thuộc thẩm quyền.")
    response = citizen.post(reverse("portal:supplement"), {f"paper_{papers[1].pk}": upload("pdf")})
    assert response.status_code == 409
    html = response.content.decode()
    assert "không chờ bổ sung giấy tờ" in html
    assert "Không được tiếp nhận" in html
    submitted.refresh_from_db()
    assert submitted.status == Dossier.Status.REJECTED and submitted.files.count() == 2


def test_supplement_uploads_are_rate_limited(citizen, waiting, papers, settings):
    settings.EDOC_PORTAL_UPLOAD_RATE = "1/60"
    _open(citizen, waiting)
    assert citizen.post(reverse("portal:supplement"), {}).status_code == 400
    limited = citizen.post(reverse("portal:supplement"), {})
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"


def test_supplement_needs_the_session_access(client, waiting):
    response = client.post(reverse("portal:supplement"), {})
    assert response.status_code == 302 and response["Location"] == reverse("portal:lookup")


def test_forms_carry_csrf_protection(waiting, papers, upload):
    strict = Client(enforce_csrf_checks=True)
    _open(strict, waiting)
    response = strict.post(reverse("portal:supplement"), {f"paper_{papers[1].pk}": upload("pdf")})
    assert response.status_code == 403
    assert strict.post(reverse("portal:lookup"), {"code": "x", "secret": "y"}).status_code == 403


# --------------------------------------------------------------------------- result


def test_result_download_only_when_available(
    citizen,
    accepted,
    officer,
    users,
    signed_result,
    test_pki,
    trust_root,  # noqa: F811
    signing_settings,  # noqa: F811
):
    """`signed_result` (tests/onestop/conftest.py): an outgoing document the director signed
    with the test PKI's PKCS#12 key through its signing step."""
    _open(citizen, accepted)
    assert citizen.get(reverse("portal:result")).status_code == 404
    assert 'id="result"' not in citizen.get(reverse("portal:dossier")).content.decode()

    dossier_start_processing(user=users["head"], dossier=accepted)
    dossier_record_payment(officer=officer, dossier=accepted, reference="BL-0001")
    dossier_finish(officer=users["head"], dossier=accepted, result_document=signed_result)
    page = citizen.get(reverse("portal:dossier")).content.decode()
    assert "Đã xử lý xong" in page
    verification = page.split('id="result-verification"', 1)[1].split("</div>", 1)[0]
    assert "Chữ ký số hợp lệ" in verification
    assert test_pki.signers["director"].common_name in verification
    download = citizen.get(reverse("portal:result"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content == signed_result.files.order_by("-version").first().file.read()
    assert download["Cache-Control"] == "no-store"
    assert download["Referrer-Policy"] == "no-referrer"

    dossier_return_result(officer=officer, dossier=accepted, channel="online")
    assert citizen.get(reverse("portal:result")).status_code == 200
    assert "Đã trả kết quả" in citizen.get(reverse("portal:dossier")).content.decode()
