"""Issue 14 part 4: failed-login lockouts (per account, per address), the password policy and
its history, Argon2 hashing, signed-in sessions, and their audit entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.base import SessionBase
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from config.settings.base import PASSWORD_HASHERS as PRODUCTION_HASHERS
from edoc.models import AuditEntry, Role, User
from identity.models import PasswordHistory, UserSession
from identity.sessions import _session_store

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKOUT_TEXT = "Đăng nhập sai quá nhiều lần"
GOOD = "Khoa-Ngoai-2026"  # satisfies the policy: upper, lower, digits, other characters


def post_login(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def actions(action: str, **details) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(action=action)
    return [e for e in entries if all(e.details.get(k) == v for k, v in details.items())]


def signed_in_client(username: str, password: str, agent: str = "pytest") -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    response = post_login(client, username, password)
    assert response.status_code == 302, response.content.decode()[:500]
    return client


# --- lockouts


def test_twenty_wrong_passwords_lock_the_account_and_the_audit_shows_them(users):
    clerk = users["clerk"]
    client = Client()
    for attempt in range(1, 21):
        response = post_login(client, "vanthu", f"wrong-{attempt}")
        if attempt < 20:
            assert response.status_code == 200
            assert LOCKOUT_TEXT not in response.content.decode()
    # The 20th failure locks: the login page again, with the lockout message (not a bare 403).
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKOUT_TEXT in page and 'id="login-form"' in page

    # The right password is now refused with the same message, and nobody is signed in.
    response = post_login(client, "vanthu", "pw-vanthu")
    assert response.status_code == 429
    assert LOCKOUT_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session

    assert len(actions("auth.login_failed", username="vanthu", reason="invalid_credentials")) == 20
    lockouts = actions("auth.lockout", username="vanthu")
    assert len(lockouts) == 1 and lockouts[0].details["failures"] == 20
    assert len(actions("auth.login_failed", username="vanthu", reason="locked_out")) == 1
    assert not actions("auth.login")
    # Another account from the same address is not locked by the account's lockout.
    assert post_login(Client(), "giamdoc", "pw-giamdoc").status_code == 302
    assert clerk.is_active


def test_signing_in_to_another_account_does_not_reset_an_accounts_failures(users):
    """A guesser holding one valid account cannot clear the count of the account it attacks
    by signing in to its own from the same address."""
    client = Client()
    for _ in range(19):
        post_login(client, "vanthu", "wrong")
    assert post_login(Client(), "giamdoc", "pw-giamdoc").status_code == 302
    assert post_login(client, "vanthu", "wrong").status_code == 429
    # The account's own successful login does start its count again.
    assert post_login(Client(), "giamdoc", "wrong").status_code == 200
    assert post_login(Client(), "giamdoc", "pw-giamdoc").status_code == 302
    assert not AccessAttempt.objects.filter(username="giamdoc").exists()


def test_a_lockout_ends_by_itself_after_its_time(users, settings):
    settings.EDOC_LOGIN_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        post_login(client, "vanthu", "wrong")
    assert post_login(client, "vanthu", "pw-vanthu").status_code == 429
    # As if the lockout had begun 16 minutes ago (it lasts 15 by default).
    earlier = AccessAttempt.objects.get(username="vanthu").attempt_time - timedelta(minutes=16)
    AccessAttempt.objects.filter(username="vanthu").update(attempt_time=earlier)
    assert post_login(client, "vanthu", "pw-vanthu").status_code == 302


def test_the_client_address_has_its_own_limit(users, settings):
    settings.EDOC_LOGIN_IP_FAILURE_LIMIT = 5
    client = Client()
    for number in range(5):  # five different accounts tried from one address
        assert post_login(client, f"nobody{number}", "wrong").status_code == (
            200 if number < 4 else 429
        )
    # The address is locked: even a right password of an untouched account is refused there …
    response = post_login(Client(), "giamdoc", "pw-giamdoc")
    assert response.status_code == 429 and LOCKOUT_TEXT in response.content.decode()
    # … but not from another address.
    assert post_login(Client(REMOTE_ADDR="10.0.0.7"), "giamdoc", "pw-giamdoc").status_code == 302
    assert len(actions("auth.lockout")) == 1


def test_behind_a_proxy_the_address_comes_from_the_configured_header(users, settings):
    settings.EDOC_LOGIN_IP_FAILURE_LIMIT = 3
    settings.EDOC_CLIENT_IP_HEADER = "X-Real-IP"
    for _ in range(3):
        post_login(Client(), "nobody", "wrong", HTTP_X_REAL_IP="203.0.113.9")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    # Same proxy (REMOTE_ADDR), another client: not locked; the locked client is.
    ok = post_login(Client(), "giamdoc", "pw-giamdoc", HTTP_X_REAL_IP="203.0.113.10")
    assert ok.status_code == 302
    refused = post_login(Client(), "giamdoc", "pw-giamdoc", HTTP_X_REAL_IP="203.0.113.9")
    assert refused.status_code == 429
    assert actions("auth.login_failed")[0].ip_address == "203.0.113.9"


def test_an_administrator_lifts_a_lockout_with_the_command_or_the_admin(users, settings):
    settings.EDOC_LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        post_login(Client(), "vanthu", "wrong")
    assert post_login(Client(), "vanthu", "pw-vanthu").status_code == 429
    call_command("axes_reset_username", "vanthu")
    assert post_login(Client(), "vanthu", "pw-vanthu").status_code == 302

    for _ in range(3):
        post_login(Client(), "vanthu", "wrong")
    assert post_login(Client(), "vanthu", "pw-vanthu").status_code == 429
    admin = User.objects.create_superuser("quantri", password="pw-quantri", role=Role.ADMIN)
    admin_client = Client()
    admin_client.force_login(admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert "vanthu" in admin_client.get(changelist).content.decode()
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert post_login(Client(), "vanthu", "pw-vanthu").status_code == 302


def test_the_admin_login_counts_and_refuses_too(users, settings):
    settings.EDOC_LOGIN_FAILURE_LIMIT = 2
    User.objects.create_superuser("quantri", password="pw-quantri", role=Role.ADMIN)
    admin_login = reverse("admin:login")
    for _ in range(2):
        Client().post(admin_login, {"username": "quantri", "password": "x", "next": "/admin/"})
    response = Client().post(
        admin_login, {"username": "quantri", "password": "pw-quantri", "next": "/admin/"}
    )
    assert response.status_code == 429 and LOCKOUT_TEXT in response.content.decode()
    assert len(actions("auth.lockout", username="quantri")) == 1


def test_a_locked_account_gets_the_api_error_envelope_from_the_token_api(users, settings):
    settings.EDOC_LOGIN_FAILURE_LIMIT = 2
    api = Client()
    for _ in range(2):
        api.post("/api/auth/token/", {"username": "vanthu", "password": "x"}, "application/json")
    response = api.post(
        "/api/auth/token/", {"username": "vanthu", "password": "pw-vanthu"}, "application/json"
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"


# --- password policy, history, Argon2


def change_password(client: Client, old: str, new: str):
    return client.post(
        reverse("identity:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_the_policy_refuses_simple_passwords_and_the_last_five(users):
    client = signed_in_client("vanthu", "pw-vanthu")
    simple = change_password(client, "pw-vanthu", "khoangoai2026")
    assert simple.status_code == 200
    assert "chữ thường, chữ hoa, chữ số và ký tự khác" in simple.content.decode()
    assert "ít nhất 8 ký tự" in change_password(client, "pw-vanthu", "Ab1-").content.decode()

    passwords = ["pw-vanthu"] + [f"Khoa-Ngoai-{n}" for n in range(1, 6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert change_password(client, old, new).status_code == 302
    user = users["clerk"]
    assert PasswordHistory.objects.filter(user=user).count() == 5
    # Each of the last five is refused; the sixth back (the fixture's) has left the history.
    for reused in passwords[1:5]:
        response = change_password(client, passwords[-1], reused)
        assert "không được trùng với 5 mật khẩu gần nhất" in response.content.decode()
    assert change_password(client, passwords[-1], "Khoa-Ngoai-1").status_code == 200
    assert len(actions("auth.password_changed")) == 5


def test_argon2_replaces_an_old_pbkdf2_hash_at_login(users, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    user = users["clerk"]
    User.objects.filter(pk=user.pk).update(password=make_password(GOOD, hasher="pbkdf2_sha256"))
    PasswordHistory.objects.filter(user=user).update(password=User.objects.get(pk=user.pk).password)
    assert User.objects.get(pk=user.pk).password.startswith("pbkdf2_sha256$")

    signed_in_client("vanthu", GOOD)
    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith("argon2$argon2id$")
    # A re-hash is not a change: the history did not grow, nothing was audited, the other
    # sessions stay.
    assert PasswordHistory.objects.filter(user=user).count() == 1
    assert not actions("auth.password_changed")
    # A new password is hashed with Argon2 as well.
    user.refresh_from_db()
    user.set_password("Khac-Hoan-Toan-9")
    user.save()
    assert user.password.startswith("argon2$")


def test_an_expired_password_must_be_changed_at_the_next_login(users, settings):
    settings.EDOC_PASSWORD_MAX_AGE_DAYS = 90
    PasswordHistory.objects.filter(user=users["clerk"]).update(
        created_at=users["clerk"].date_joined - timedelta(days=91)
    )
    client = signed_in_client("vanthu", "pw-vanthu")
    response = client.get(reverse("edoc:pending"))
    assert response.status_code == 302 and response.url == reverse("identity:password_change")
    assert change_password(client, "pw-vanthu", GOOD).status_code == 302
    assert client.get(reverse("edoc:pending")).status_code == 200


# --- sessions

SESSION_ENGINES = [
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
]


def store_has(key: str) -> bool:
    store: SessionBase = _session_store()
    return store.exists(key)


@pytest.mark.parametrize("engine", SESSION_ENGINES)
def test_the_sessions_page_lists_and_ends_sessions(users, settings, engine):
    settings.SESSION_ENGINE = engine
    office = signed_in_client(
        "vanthu",
        "pw-vanthu",
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    )
    phone = signed_in_client(
        "vanthu",
        "pw-vanthu",
        agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    )
    page = office.get(reverse("identity:sessions")).content.decode()
    assert "Chrome 131 · Windows" in page and "Mobile Safari 17 · iOS · iPhone" in page
    assert "127.0.0.1" in page and "phiên này" in page

    phone_key = phone.session.session_key
    phone_row = UserSession.objects.get(session_key=phone_key)
    # Another user cannot end it.
    intruder = signed_in_client("giamdoc", "pw-giamdoc")
    assert intruder.post(reverse("identity:session_end", args=[phone_row.pk])).status_code == 404

    assert office.post(reverse("identity:session_end", args=[phone_row.pk])).status_code == 302
    assert not store_has(phone_key)
    assert phone.get(reverse("edoc:pending")).url.startswith(LOGIN)
    assert office.get(reverse("edoc:pending")).status_code == 200
    ended = actions("auth.session_ended")
    assert len(ended) == 1 and ended[0].actor_username == "vanthu"
    assert len(actions("auth.login")) == 3


@pytest.mark.parametrize("engine", SESSION_ENGINES)
def test_changing_the_password_deletes_the_other_sessions_from_the_store(users, settings, engine):
    settings.SESSION_ENGINE = engine
    here = signed_in_client("vanthu", "pw-vanthu")
    there = signed_in_client("vanthu", "pw-vanthu")
    there_key = there.session.session_key
    assert change_password(here, "pw-vanthu", GOOD).status_code == 302
    assert not store_has(there_key)
    assert not UserSession.objects.filter(session_key=there_key).exists()
    # The session that made the change stays signed in (under a new key) with its row.
    assert here.get(reverse("edoc:pending")).status_code == 200
    assert UserSession.objects.filter(session_key=here.session.session_key).exists()
    changed = actions("auth.password_changed")
    assert len(changed) == 1 and changed[0].details["sessions_ended"] == 1


def test_an_administrator_ends_a_users_sessions_and_logout_is_audited(users):
    clerk = signed_in_client("vanthu", "pw-vanthu")
    key = clerk.session.session_key
    admin = User.objects.create_superuser("quantri", password="pw-quantri", role=Role.ADMIN)
    admin_client = Client()
    admin_client.force_login(admin)
    row = UserSession.objects.get(session_key=key)
    response = admin_client.post(
        reverse("admin:identity_usersession_changelist"),
        {"action": "end_sessions", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    assert not store_has(key)
    assert actions("auth.session_ended")[0].actor_username == "quantri"

    again = signed_in_client("vanthu", "pw-vanthu")
    again.post(reverse("logout"))
    assert len(actions("auth.logout")) == 1
    assert not UserSession.objects.filter(user=users["clerk"]).exists()


def test_last_use_is_written_at_most_once_a_minute(users, settings):
    client = signed_in_client("vanthu", "pw-vanthu")
    row = UserSession.objects.get(user=users["clerk"])
    client.get(reverse("identity:sessions"))
    row.refresh_from_db()
    first = row.last_seen_at
    client.get(reverse("identity:sessions"))
    row.refresh_from_db()
    assert row.last_seen_at == first  # within EDOC_SESSION_TOUCH_SECONDS: no write
    settings.EDOC_SESSION_TOUCH_SECONDS = 0
    client.get(reverse("identity:sessions"))
    row.refresh_from_db()
    assert row.last_seen_at > first
