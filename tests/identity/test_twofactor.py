"""Two-step verification: enrolment with a QR code, the code after the password, reused codes,
recovery codes, remembered devices, the policy and its audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from edoc.models import AuditEntry
from identity.models import RememberedDevice
from identity.policy import register_second_factor_rule, second_factor_required
from identity.services.twofactor import REMEMBER_COOKIE
from tests.identity.conftest import actions, code_of, enrol, unthrottle

pytestmark = pytest.mark.django_db

SETUP = reverse("identity:twofactor_setup")
VERIFY = reverse("identity:twofactor_verify")


def error_code(response) -> str:
    return response.context["form"].errors.as_data()["code"][0].code


def login(client, user) -> None:
    response = client.post(
        reverse("login"), {"username": user.username, "password": "pw-" + user.username}
    )
    assert response.status_code == 302


def test_an_administrator_without_a_device_is_sent_to_enrolment(client, policy, admin_user):
    login(client, admin_user)
    for url in ("/admin/", reverse("edoc:pending"), "/api/documents/"):
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "second_factor_enrolment_required"
        else:
            assert response.status_code == 302
            assert response["Location"] == f"{SETUP}?next={url.replace('/', '%2F')}"
    # The enrolment page itself and logging out stay open.
    assert client.get(SETUP).status_code == 200


def test_policy_off_leaves_an_administrator_without_a_device_through(client, admin_user):
    login(client, admin_user)  # the suite's settings: EDOC_2FA_POLICY = False
    assert client.get("/admin/").status_code == 200


def test_enrolment_shows_a_qr_code_and_confirms_with_a_first_code(client, policy, admin_user):
    login(client, admin_user)
    page = client.get(SETUP + "?next=/admin/")
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html and "<script" not in html.split("<main")[1]
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    assert device.config_url.startswith("otpauth://totp/eDoc%3Avanthu?")

    wrong = client.post(SETUP, {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 400
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/admin/").status_code == 302
    unthrottle(admin_user)

    done = client.post(SETUP, {"code": code_of(device), "next": "/admin/"})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in done.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    assert actions() == ["identity.2fa_failed", "identity.2fa_enrolled"]
    # Shown once: the page now sends to the account page, no codes.
    assert client.get(SETUP)["Location"] == reverse("identity:twofactor_account")


def test_after_the_password_a_user_with_a_device_is_asked_for_the_code(client, users):
    user = users["specialist"]  # not under policy: enrolled by choice
    device = enrol(user)
    login(client, user)
    pending = reverse("edoc:pending")
    response = client.get(pending)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.get("/api/documents/").json()["error"]["code"] == "second_factor_required"

    wrong = client.post(VERIFY, {"code": "123456", "next": pending})
    assert wrong.status_code == 400
    assert client.get(pending).status_code == 302
    # django-otp makes the next try wait (1 s after one wrong code, doubling).
    throttled = client.post(VERIFY, {"code": code_of(device), "next": pending})
    assert throttled.status_code == 400 and error_code(throttled) == "throttled"
    unthrottle(user)

    ok = client.post(VERIFY, {"code": code_of(device), "next": pending})
    assert ok.status_code == 302 and ok["Location"] == pending
    assert client.get(pending).status_code == 200
    assert actions() == ["identity.2fa_failed", "identity.2fa_failed", "identity.2fa_verified"]


def test_a_code_reused_within_its_window_is_refused(client, users):
    user = users["specialist"]
    device = enrol(user)
    login(client, user)
    code = code_of(device)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    device.refresh_from_db()
    assert device.last_t >= 0  # django-otp remembers the time step it accepted

    client.post(reverse("logout"))
    login(client, user)
    replay = client.post(VERIFY, {"code": code})
    assert replay.status_code == 400
    assert error_code(replay) == "invalid_code"
    assert client.get(reverse("edoc:pending")).status_code == 302
    assert actions()[-1] == "identity.2fa_failed"
    # The next time step's code is still accepted.
    unthrottle(user)
    assert client.post(VERIFY, {"code": code_of(device, 1)}).status_code == 302


def test_a_recovery_code_signs_in_once(client, users):
    user = users["specialist"]
    enrol(user, codes=("abcd2345", "efgh6789"))
    login(client, user)
    assert client.post(VERIFY, {"code": "ABCD-2345"}).status_code == 302  # as printed, any case
    assert client.get(reverse("edoc:pending")).status_code == 200
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["efgh6789"]

    client.post(reverse("logout"))
    login(client, user)
    assert client.post(VERIFY, {"code": "abcd2345"}).status_code == 400
    assert actions() == ["identity.recovery_code_used", "identity.2fa_failed"]


def test_new_recovery_codes_replace_the_old_ones(client, users):
    user = users["specialist"]
    device = enrol(user, codes=("oldcode22",))
    login(client, user)
    client.post(VERIFY, {"code": code_of(device)})
    response = client.post(reverse("identity:recovery_codes_regenerate"))
    assert response.status_code == 200
    new = response.context["codes"]
    assert len(new) == 10 and "oldcode22" not in new
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert actions()[-1] == "identity.recovery_codes_regenerated"


def test_a_remembered_device_skips_the_code_until_revoked_or_expired(client, users):
    user = users["specialist"]
    device = enrol(user)
    login(client, user)
    response = client.post(VERIFY, {"code": code_of(device), "remember": "on"})
    cookie = response.cookies[REMEMBER_COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) == 30 * 86400
    record = RememberedDevice.objects.get(user=user)
    assert record.expires_at - record.created_at == timedelta(days=30)
    assert REMEMBER_COOKIE not in record.secret_hash

    client.post(reverse("logout"))
    login(client, user)
    assert client.get(reverse("edoc:pending")).status_code == 200  # no code asked

    client.post(reverse("identity:remembered_device_forget", args=[record.pk]))
    client.post(reverse("logout"))
    login(client, user)
    assert client.get(reverse("edoc:pending")).status_code == 302
    assert "identity.device_forgotten" in actions()

    # An expired record no longer counts either.
    client.post(VERIFY, {"code": code_of(device, 1), "remember": "on"})
    RememberedDevice.objects.filter(revoked_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    client.post(reverse("logout"))
    login(client, user)
    assert client.get(reverse("edoc:pending")).status_code == 302


def test_a_forged_remember_cookie_is_ignored(client, users):
    user = users["specialist"]
    enrol(user)
    login(client, user)
    client.cookies[REMEMBER_COOKIE] = "1:forged"
    assert client.get(reverse("edoc:pending")).status_code == 302


def test_remembering_never_exceeds_30_days(client, users, settings):
    settings.EDOC_2FA_REMEMBER_DAYS = 90
    user = users["specialist"]
    device = enrol(user)
    login(client, user)
    client.post(VERIFY, {"code": code_of(device), "remember": "on"})
    record = RememberedDevice.objects.get(user=user)
    assert record.expires_at - record.created_at == timedelta(days=30)


def test_optional_users_turn_it_off_with_a_code_administrators_cannot(
    client, users, policy, admin_user
):
    user = users["specialist"]
    device = enrol(user)
    login(client, user)
    client.post(VERIFY, {"code": code_of(device)})
    url = reverse("identity:twofactor_disable")
    client.post(url, {"disable-code": "000000"})
    assert TOTPDevice.objects.filter(user=user).exists()
    unthrottle(user)
    client.post(url, {"disable-code": code_of(device, 1)})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert actions()[-1] == "identity.2fa_disabled"

    admin_device = enrol(admin_user)
    client.post(reverse("logout"))
    login(client, admin_user)
    client.post(VERIFY, {"code": code_of(admin_device)})
    client.post(url, {"disable-code": code_of(admin_device, 1)})
    assert TOTPDevice.objects.filter(user=admin_user).exists()


def test_rules_registered_by_upper_apps_extend_the_policy(policy, users):
    specialist = users["specialist"]
    assert not second_factor_required(specialist)
    register_second_factor_rule(lambda user: user.username == "chuyenvien", name="test-rule")
    try:
        assert second_factor_required(specialist)
        assert not second_factor_required(users["head"])
    finally:
        from identity import policy as policy_module

        policy_module._rules.pop("test-rule")


def test_signers_and_seal_holders_are_under_policy(policy, users, settings):
    from signing.models import SignerCertificate

    director, clerk = users["director"], users["clerk"]
    assert not second_factor_required(director) and not second_factor_required(clerk)
    SignerCertificate.objects.create(
        user=director,
        certificate_pem="-----BEGIN CERTIFICATE-----",
        sha256="ab" * 32,
        subject="CN=Trần Văn Hùng",
        serial="1",
        common_name="Trần Văn Hùng",
        issuer="CN=Test",
        source=SignerCertificate.Source.ADMIN,
        requested_by=director,
        not_before=timezone.now(),
        not_after=timezone.now() + timedelta(days=365),
    )
    assert second_factor_required(director)
    settings.EDOC_PKCS11_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
    settings.EDOC_PKCS11_TOKEN_LABEL = "edoc"
    settings.EDOC_PKCS11_PIN = "1234"
    settings.EDOC_PKCS11_KEY_LABEL = "seal"
    assert second_factor_required(clerk)  # issues, so applies the seal
    assert not second_factor_required(users["specialist"])


def test_an_administrator_resets_a_lost_second_factor(client, users, admin_user, policy):
    admin_device = enrol(admin_user)
    lost = users["specialist"]
    enrol(lost)
    login(client, admin_user)
    client.post(VERIFY, {"code": code_of(admin_device)})
    response = client.post(
        "/admin/edoc/user/",
        {"action": "reset_second_factor", "_selected_action": [lost.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=lost).exists()
    assert not StaticToken.objects.filter(device__user=lost).exists()
    entry = AuditEntry.objects.filter(action="identity.2fa_disabled").get()
    assert entry.actor == admin_user and entry.details == {"by_admin": True}


def test_an_htmx_request_sends_the_whole_page_to_the_code(client, users):
    enrol(users["specialist"])
    login(client, users["specialist"])
    response = client.get(reverse("edoc:pending"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(VERIFY)
