"""API tokens for scripts and mobile clients."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from edoc.hooks import api_token_issue
from edoc.models import User
from edoc.services.audit import audit_record


def auth_token_obtain(
    *, username: str, password: str, request: HttpRequest | None = None
) -> tuple[User, str]:
    """A new API token for a valid username and password: its user and its key (shown once;
    it expires after EDOC_API_TOKEN_DAYS, its owner lists and revokes it on /identity/tokens/).

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
    key = api_token_issue(user)
    audit_record(actor=user, action="auth.token", target=user, details={"created": True})
    return user, key
