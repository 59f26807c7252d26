"""API tokens for scripts and mobile clients."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from edoc.services.audit import audit_record


def auth_token_obtain(*, username: str, password: str, request: HttpRequest | None = None) -> Token:
    """The user's API token (created on first use) for a valid username and password.

    Both outcomes are audited: "auth.token" on success, "auth.token_denied" (with the username
    tried, never the password) on failure.
    """
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        audit_record(actor=None, action="auth.token_denied", details={"username": username[:150]})
        raise ValidationError(
            _("Unable to log in with the username and password given."),
            code="invalid_credentials",
        )
    token, created = Token.objects.get_or_create(user=user)
    audit_record(actor=user, action="auth.token", target=user, details={"created": created})
    return token
