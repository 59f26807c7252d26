"""Audit entries for signing in and out, failed logins and lockouts (connected in apps.py)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from edoc.services.audit import audit_record
from identity.passwords import password_expires_at, password_history_start
from identity.sessions import PASSWORD_EXPIRES, session_forget


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="identity.password_history")
def start_password_history(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        password_history_start(instance)


def _username(credentials: dict | None, username: str | None = None) -> str:
    value = username or (credentials or {}).get("username") or ""
    return str(value)[:150]


def _refused_during_lockout(request: HttpRequest | None) -> bool:
    # The axes backend marks a request it refused because of an existing lockout before the
    # failure signal; axes' handler counts a new failure (axes_failures_since_start) otherwise.
    return (
        bool(getattr(request, "axes_locked_out", False))
        and getattr(request, "axes_failures_since_start", None) is None
    )


@receiver(user_logged_in, dispatch_uid="identity.audit_login")
def audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    expires = password_expires_at(user)
    if request is not None and hasattr(request, "session") and expires is not None:
        request.session[PASSWORD_EXPIRES] = expires.isoformat()
    path = getattr(request, "path_info", "")
    audit_record(actor=user, action="auth.login", target=user, details={"path": path})


@receiver(user_logged_out, dispatch_uid="identity.audit_logout")
def audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        session_forget(request)
    if user is not None:
        audit_record(actor=user, action="auth.logout", target=user)


# Views that audit refused credentials themselves (the API token: "auth.token_denied").
SELF_AUDITED_VIEWS = {"api:auth-token"}


@receiver(user_login_failed, dispatch_uid="identity.audit_login_failed")
def audit_login_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in SELF_AUDITED_VIEWS:
        return
    reason = "locked_out" if _refused_during_lockout(request) else "invalid_credentials"
    audit_record(
        actor=None,
        action="auth.login_failed",
        details={
            "username": _username(credentials),
            "reason": reason,
            "path": getattr(request, "path_info", ""),
        },
    )


@receiver(user_locked_out, dispatch_uid="identity.audit_lockout")
def audit_lockout(
    sender: Any,
    request: HttpRequest | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    if _refused_during_lockout(request):
        return  # the lockout was audited when it began
    audit_record(
        actor=None,
        action="auth.lockout",
        details={
            "username": _username(None, username),
            "locked_ip_address": ip_address,
            "failures": getattr(request, "axes_failures_since_start", None),
        },
    )
