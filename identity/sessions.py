"""Signed-in sessions: who is signed in where, ending a session, and the middleware that keeps
`UserSession` rows beside Django's session store (database or any cache backend).

A session's row is written when it signs in and then at most every EDOC_SESSION_TOUCH_SECONDS
("last used"); what the row needs between writes is kept in the session itself.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ua_parser import parse as parse_user_agent

from edoc.middleware import client_ip
from edoc.services.audit import audit_record
from identity.models import UserSession

SESSION_ROW = "_identity_session"  # {"id": row pk, "key": session key, "seen": timestamp}
PASSWORD_EXPIRES = "_identity_password_expires"  # noqa: S105  ISO time the password must be changed by


@dataclass(frozen=True)
class CurrentSession:
    """The request being handled: who is signed in, and in which session."""

    request: HttpRequest | None = None

    @property
    def user(self) -> Any:
        user = getattr(self.request, "user", None)
        return user if getattr(user, "is_authenticated", False) else None

    @property
    def session_key(self) -> str | None:
        session = getattr(self.request, "session", None)
        return session.session_key if session is not None else None


_current_request: ContextVar[HttpRequest | None] = ContextVar(
    "identity_current_request", default=None
)


def current_session() -> CurrentSession:
    """The request being handled by this thread or task, if any."""
    return CurrentSession(_current_request.get())


def _session_store(session_key: str | None = None) -> SessionBase:
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def device_label(user_agent: str) -> str:
    """ "Chrome 131 · Windows" from a browser's User-Agent header."""
    if not user_agent:
        return _("Unknown device")
    parsed = parse_user_agent(user_agent)
    parts = []
    if parsed.user_agent:
        parts.append(" ".join(filter(None, [parsed.user_agent.family, parsed.user_agent.major])))
    if parsed.os:
        parts.append(parsed.os.family)
    if parsed.device and parsed.device.family not in ("Other", ""):
        parts.append(parsed.device.family)
    return " · ".join(parts) or user_agent[:60]


# --- selectors


def user_sessions(user: Any) -> list[UserSession]:
    """The user's sessions that are still signed in, most recently used first."""
    horizon = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows = UserSession.objects.filter(user=user, last_seen_at__gte=horizon)
    store = _session_store()
    return [row for row in rows if store.exists(row.session_key)]


# --- services


@transaction.atomic
def session_end(user_session: UserSession, *, actor: Any) -> None:
    """Sign the session out: delete it from the session store and its row; audited."""
    _session_store().delete(user_session.session_key)
    audit_record(
        actor=actor,
        action="auth.session_ended",
        target=user_session.user,
        details={
            "session": user_session.pk,
            "device": device_label(user_session.user_agent),
            "session_ip_address": user_session.ip_address,
        },
    )
    user_session.delete()


def sessions_end_all(user: Any, *, actor: Any, keep_session_key: str | None = None) -> int:
    """End every session of the user except `keep_session_key`; the number ended."""
    rows = UserSession.objects.filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    ended = 0
    for row in rows:
        session_end(row, actor=actor)
        ended += 1
    return ended


def sessions_end_for_password_change(user: Any) -> int:
    """After a password change: end the user's sessions except the one making the change."""
    current = current_session()
    keep = current.session_key if current.user is not None and current.user.pk == user.pk else None
    return sessions_end_all(user, actor=current.user or user, keep_session_key=keep)


def session_forget(request: HttpRequest) -> None:
    """Drop the row of a session that signs out (the store deletes the session itself)."""
    key = request.session.session_key if hasattr(request, "session") else None
    if key:
        UserSession.objects.filter(session_key=key).delete()


def _touch(request: HttpRequest) -> None:
    user = request.user
    session = request.session
    key = session.session_key
    if not key:
        return
    now = timezone.now()
    state = session.get(SESSION_ROW) or {}
    fresh = now.timestamp() - state.get("seen", 0) < settings.EDOC_SESSION_TOUCH_SECONDS
    if state.get("key") == key and fresh:
        return
    updated = 0
    if state.get("id"):
        updated = UserSession.objects.filter(pk=state["id"], user=user).update(
            session_key=key, last_seen_at=now
        )
    if updated:
        row_id = state["id"]
    else:
        row, _created = UserSession.objects.update_or_create(
            session_key=key,
            defaults={"user": user, "last_seen_at": now},
            create_defaults={
                "user": user,
                "created_at": now,
                "last_seen_at": now,
                "ip_address": client_ip(request),
                "user_agent": request.META.get("HTTP_USER_AGENT", "")[:255],
            },
        )
        row_id = row.pk
    session[SESSION_ROW] = {"id": row_id, "key": key, "seen": now.timestamp()}


def _password_expired(request: HttpRequest) -> bool:
    expires = request.session.get(PASSWORD_EXPIRES)
    moment: datetime | None = parse_datetime(expires) if expires else None
    return moment is not None and timezone.now() >= moment


class UserSessionMiddleware:
    """Keeps the signed-in session's row; sends a user whose password expired to the password
    change page first (EDOC_PASSWORD_MAX_AGE_DAYS)."""

    OPEN_PREFIXES = ("/static/", "/media/", "/i18n/", "/accounts/logout/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            signed_in = request.user.is_authenticated and hasattr(request, "session")
            if signed_in and _password_expired(request):
                change_url = reverse("identity:password_change")
                if not request.path_info.startswith((change_url, *self.OPEN_PREFIXES)):
                    messages.warning(request, _("Your password has expired: choose a new one."))
                    return redirect(change_url)
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        if request.user.is_authenticated and hasattr(request, "session"):
            _touch(request)
        return response
