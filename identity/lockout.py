"""Failed logins, counted by django-axes per account and per client address.

Axes compares one count with one limit; `AccountAndAddressHandler` gives each lockout
parameter its own limit (an office shares one address, so the address may fail more often
than an account) by counting each parameter's failures in units of the account's limit.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED_OUT_STATUS = 429


def account_failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    """AXES_FAILURE_LIMIT: failures in a row that lock an account (EDOC_LOGIN_FAILURE_LIMIT)."""
    return settings.EDOC_LOGIN_FAILURE_LIMIT


def lockout_duration(request: HttpRequest | None = None) -> timedelta:
    """AXES_COOLOFF_TIME: how long a lockout lasts (EDOC_LOGIN_LOCKOUT_MINUTES)."""
    return timedelta(minutes=settings.EDOC_LOGIN_LOCKOUT_MINUTES)


def _parameter_limit(parameter: str | list[str]) -> int:
    if parameter == "ip_address":
        return settings.EDOC_LOGIN_IP_FAILURE_LIMIT
    return settings.EDOC_LOGIN_FAILURE_LIMIT


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per lockout parameter: EDOC_LOGIN_FAILURE_LIMIT for
    the account, EDOC_LOGIN_IP_FAILURE_LIMIT for the client address."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """The failures of the parameter closest to its limit, scaled to the account's limit
        (AXES_FAILURE_LIMIT): reaching it means some parameter reached its own limit."""
        account_limit = settings.EDOC_LOGIN_FAILURE_LIMIT
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        scaled = [0]
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            scaled.append(failures * account_limit // max(_parameter_limit(parameter), 1))
        return max(scaled)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """After a successful login (AXES_RESET_ON_SUCCESS): forget the failures of that
        account only. Axes would also forget every failure from the client's address, so a
        guesser holding one valid account could clear the count of the account it attacks."""
        username = get_client_username(request, credentials)
        count, _deleted = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_message() -> str:
    """What a locked-out client is told (the same for an account and for an address)."""
    return _(
        "Too many failed sign-in attempts: signing in is locked for %(minutes)s minutes. "
        "Try again later or ask an administrator to unlock the account."
    ) % {"minutes": settings.EDOC_LOGIN_LOCKOUT_MINUTES}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again with the lockout message (HTTP 429), or the
    API's JSON error envelope for a request under /api/."""
    message = lockout_message()
    if request.path_info.startswith("/api/"):
        error = {"code": "locked_out", "message": message, "fields": {}}
        return JsonResponse({"error": error}, status=LOCKED_OUT_STATUS)
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "lockout_message": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=LOCKED_OUT_STATUS)
