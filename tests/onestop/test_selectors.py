"""Citizen-facing reads: code + secret look-up, signed tracking tokens, the public timeline,
days left; staff visibility."""

from __future__ import annotations

import datetime

import pytest
from django.core import signing

from onestop import access, selectors, services
from onestop.models import Dossier
from workflows import calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(procedure, applicant, officer, all_files) -> Dossier:
    return services.dossier_receive_at_counter(
        officer=officer,
        procedure=procedure,
        applicant=applicant,
        files=all_files(),
        note="ghi chú nội bộ",
    )


@pytest.mark.parametrize("secret", ["0912345678", "+84 912 345 678", "84912345678", "079123456789"])
def test_lookup_by_phone_or_id_number(dossier, secret):
    assert selectors.dossier_lookup(code=dossier.code.lower(), secret=secret) == dossier


@pytest.mark.parametrize(
    ("code", "secret"),
    [("WRONG", "0912345678"), (None, "0912345679"), (None, ""), (None, "079123456788")],
)
def test_lookup_mismatch_is_none(dossier, code, secret):
    assert selectors.dossier_lookup(code=code or dossier.code, secret=secret) is None


def test_drafts_are_never_found(procedure, applicant, all_files):
    draft = services.dossier_save_draft(procedure=procedure, applicant=applicant, files=all_files())
    token = signing.dumps([draft.pk, draft.tracking_nonce], salt=selectors.TRACKING_SALT)
    assert selectors.dossier_from_token(token) is None


def test_tracking_tokens_forged_expired_revoked(dossier, officer, settings):
    token = selectors.tracking_token(dossier)
    assert selectors.dossier_from_token(token) == dossier
    assert selectors.dossier_from_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None
    assert selectors.dossier_from_token("") is None
    assert selectors.dossier_from_token("garbage") is None
    forged = signing.dumps([dossier.pk, dossier.tracking_nonce], salt="another-salt")
    assert selectors.dossier_from_token(forged) is None

    settings.EDOC_TRACKING_TOKEN_MAX_AGE_DAYS = 0
    assert selectors.dossier_from_token(token) is None  # expired
    settings.EDOC_TRACKING_TOKEN_MAX_AGE_DAYS = 730

    services.dossier_tracking_revoke(officer=officer, dossier=dossier)
    assert selectors.dossier_from_token(token) is None  # revoked
    dossier.refresh_from_db()
    assert selectors.dossier_from_token(selectors.tracking_token(dossier)) == dossier


def test_public_timeline_has_no_staff_notes_or_names(dossier, officer):
    services.dossier_request_supplement(officer=officer, dossier=dossier, message="Bổ sung ảnh")
    timeline = selectors.public_timeline(dossier)
    assert [event.status for event in timeline] == [2, 5]
    text = repr(timeline)
    assert "ghi chú nội bộ" not in text and officer.get_full_name() not in text
    assert timeline[-1].message == "Bổ sung ảnh"


def test_days_left_in_working_days(dossier, clock):
    dossier.received_at = datetime.datetime(2026, 4, 20, 8, 0, tzinfo=calendar.VN_TZ)
    dossier.due_at = datetime.datetime(2026, 5, 7, 8, 0, tzinfo=calendar.VN_TZ)
    friday = datetime.datetime(2026, 4, 24, 8, 0, tzinfo=calendar.VN_TZ)
    # Whole working days, as people count them: Mon 27/4 (compensatory), 30/4 and 1/5 off, so
    # after Friday come 28, 29/4, 4, 5, 6 and 7/5.
    assert selectors.days_left(dossier, now=friday) == 6
    assert selectors.days_left_text(dossier, now=friday) == "còn 6 ngày làm việc"
    late = datetime.datetime(2026, 5, 8, 12, 0, tzinfo=calendar.VN_TZ)
    assert selectors.days_left(dossier, now=late) == -1
    assert selectors.days_left_text(dossier, now=late) == "quá hạn 1 ngày làm việc"
    assert selectors.is_overdue(dossier, now=late)


def test_staff_visibility(dossier, users, officer):
    assert access.can_view(officer, dossier)
    assert access.can_view(users["head"], dossier)  # handling unit
    assert access.can_view(users["director"], dossier)  # leader
    assert not access.can_view(users["other_specialist"], dossier)
    assert not access.can_view(users["centre_clerk"], dossier)
