"""The second factor at every request of a signed-in user (after django-otp's OTPMiddleware).

- A user with a confirmed device whose session is not verified (just after the password) goes
  to the verify page, unless this browser is a remembered device of theirs.
- A user whom policy obliges to have a second factor but who has none goes to the enrolment.
- The API under a session answers 403 {"error": {"code": "second_factor_required" | …}}.

Only the pages needed to get through are exempt: enrolment, verification, logout, language,
static files. The OIDC provider's endpoints are not exempt: its authorize page is reached only
by a verified session when the user has or needs a second factor.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from edoc.services.audit import audit_record
from identity.policy import second_factor_required
from identity.services.twofactor import (
    has_second_factor,
    remembered_device_match,
    session_mark_verified,
)
from identity.stepup import SecondFactorRequired, current_request


def _exempt_prefixes() -> tuple[str, ...]:
    return (
        reverse("identity:twofactor_verify"),
        reverse("identity:twofactor_setup"),
        reverse("logout"),
        reverse("login"),
        "/i18n/",
        "/" + settings.STATIC_URL.lstrip("/"),
    )


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            response = self._gate(request) or self.get_response(request)
        finally:
            current_request.reset(token)
        refused = getattr(request, "_identity_stepup_refused", None)
        if refused:
            user, code = refused
            audit_record(
                actor=user,
                action="identity.stepup_refused",
                target=user,
                details={"code": code, "path": request.path[:200]},
            )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A page's signing refused for a stale second factor: verify, then come back."""
        if not isinstance(exception, SecondFactorRequired) or _is_api(request):
            return None
        name = (
            "identity:twofactor_setup"
            if exception.code == "second_factor_enrolment_required"
            else "identity:twofactor_verify"
        )
        back = request.path if request.method == "GET" else request.headers.get("Referer", "")
        return _to(request, name, back, stepup=True)

    def _gate(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.path.startswith(_exempt_prefixes()):
            return None
        if user.is_verified():
            return None
        if has_second_factor(user):
            if remembered_device_match(request, user) is not None:
                from django_otp.plugins.otp_totp.models import TOTPDevice

                device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
                session_mark_verified(request, device, by_code=False)
                return None
            return self._refuse(request, "identity:twofactor_verify", "second_factor_required")
        if second_factor_required(user):
            return self._refuse(
                request, "identity:twofactor_setup", "second_factor_enrolment_required"
            )
        return None

    def _refuse(self, request: HttpRequest, name: str, code: str) -> HttpResponse:
        if _is_api(request):
            message = (
                _("Enter your verification code first (two-step verification).")
                if code == "second_factor_required"
                else _("Set up two-step verification first.")
            )
            return JsonResponse(
                {"error": {"code": code, "message": message, "fields": {}}}, status=403
            )
        return _to(request, name, request.get_full_path() if request.method == "GET" else "")


def _to(request: HttpRequest, name: str, back: str, *, stepup: bool = False) -> HttpResponse:
    """A redirect to the verify or enrolment page (an htmx request: the whole page goes)."""
    query = {}
    if back:
        query["next"] = back
    if stepup:
        query["stepup"] = "1"
    url = reverse(name)
    url = f"{url}?{urlencode(query)}" if query else url
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
