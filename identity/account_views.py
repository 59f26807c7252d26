"""The signed-in user's own account pages: active sessions, password change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from identity.models import UserSession
from identity.passwords import password_expires_at
from identity.sessions import (
    PASSWORD_EXPIRES,
    device_label,
    session_end,
    sessions_end_all,
    user_sessions,
)


@login_required
def sessions_list(request: HttpRequest) -> HttpResponse:
    """The user's signed-in sessions: device, address, sign-in time, last use."""
    current_key = request.session.session_key
    rows = [
        {
            "session": row,
            "device": device_label(row.user_agent),
            "current": row.session_key == current_key,
        }
        for row in user_sessions(request.user)
    ]
    return render(
        request,
        "identity/sessions.html",
        {"rows": rows, "others": sum(not row["current"] for row in rows)},
    )


@login_required
@require_POST
def session_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    """End one of the user's own sessions (the current one is signed out like "Log out")."""
    row = get_object_or_404(UserSession, pk=pk, user=request.user)
    if row.session_key == request.session.session_key:
        return redirect("logout")
    session_end(row, actor=request.user)
    messages.success(request, _("The session was ended."))
    return redirect("identity:sessions")


@login_required
@require_POST
def sessions_end_others_view(request: HttpRequest) -> HttpResponse:
    """End every session of the user but this one."""
    ended = sessions_end_all(
        request.user, actor=request.user, keep_session_key=request.session.session_key
    )
    messages.success(request, _("%(count)d other sessions were ended.") % {"count": ended})
    return redirect("identity:sessions")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new twice, the policy's validators); the other
    sessions end (identity.passwords), this one stays signed in."""

    template_name = "identity/password_change.html"
    success_url = reverse_lazy("identity:sessions")
    title = gettext_lazy("Change password")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        expires = password_expires_at(form.user)
        self.request.session.pop(PASSWORD_EXPIRES, None)
        if expires is not None:
            self.request.session[PASSWORD_EXPIRES] = expires.isoformat()
        messages.success(
            self.request, _("Your password was changed; your other sessions were signed out.")
        )
        return response
