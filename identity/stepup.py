"""Step-up before signing: the second factor again when the last code is older than
settings.EDOC_SIGNING_REAUTH_SECONDS.

Signing calls `signing_reauth_check(user)` in its services, whatever the path (signing page,
workflow task page, REST API). In a browser session the last code typed on the verify page
counts; a REST API client sends the current code in the `X-OTP` header of the signing request
(a recovery code is accepted too). Otherwise `SecondFactorRequired` is raised: pages redirect
to the verify page (identity.middleware), the API answers 403 with the code
"second_factor_required". Outside a request (management commands, tests of the services)
there is no one to ask and nothing is checked.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from edoc.models import User
from identity.policy import second_factor_required
from identity.services.twofactor import (
    VERIFIED_AT_SESSION_KEY,
    code_verify,
    has_second_factor,
    verified_within,
)

OTP_HEADER = "X-OTP"
current_request: ContextVar[HttpRequest | None] = ContextVar("identity_request", default=None)


class SecondFactorRequired(PermissionDenied):
    """Signing needs a fresh second factor (or, without a device, an enrolment first)."""

    def __init__(self, message: str, code: str = "second_factor_required"):
        super().__init__(message)
        self.code = code


def reauth_seconds() -> int:
    """How long a typed code counts for signing (0: step-up is off)."""
    return int(getattr(settings, "EDOC_SIGNING_REAUTH_SECONDS", 900))


def signing_reauth_check(user: User, *, record: bool = True) -> None:
    """Refuse (SecondFactorRequired) unless `user` proved their second factor recently enough
    in the current request's session or by the request's X-OTP header. `record`: the refusal
    is audited (not when a signing page is merely opened)."""
    request = current_request.get()
    seconds = reauth_seconds()
    if request is None or seconds <= 0:
        return
    if not has_second_factor(user):
        if second_factor_required(user):
            _refuse(request, user, "second_factor_enrolment_required", record)
        return
    session_user = getattr(request, "user", None)
    if getattr(session_user, "pk", None) == user.pk and verified_within(request, seconds):
        return
    code = request.headers.get(OTP_HEADER, "")
    if code:
        try:
            code_verify(user=user, code=code, purpose="signing")
        except ValidationError:
            _refuse(request, user, "second_factor_invalid", record)
        if getattr(session_user, "pk", None) == user.pk:
            request.session[VERIFIED_AT_SESSION_KEY] = time.time()
        return
    _refuse(request, user, "second_factor_required", record)


def _refuse(request: HttpRequest, user: User, code: str, record: bool) -> None:
    if record:  # identity.middleware audits it once the request's transaction is over
        request._identity_stepup_refused = (user, code)  # noqa: SLF001
    if code == "second_factor_enrolment_required":
        message = _("Set up two-step verification before signing: /identity/2fa/setup/.")
    elif code == "second_factor_invalid":
        message = _("The code is wrong or was already used.")
    else:
        message = _(
            "Signing asks for your verification code again. Enter the code of your "
            "authenticator app (REST API: send it in the X-OTP header)."
        )
    raise SecondFactorRequired(message, code)
