"""Let the sign-in forms that lead back to a relying party reach it under the strict
Content-Security-Policy.

Browsers apply `form-action 'self'` to every redirect after a form is sent. The forms of the
login page (when it is on the way to /o/authorize/), of the consent page and of the logout
confirmation end in a redirect to a client application's registered address: that address's
origin is added to `form-action` for this one response — only when it is registered for the
client named in the request (DOT checks it again when the form is sent).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from oauth2_provider.models import get_application_model

from edoc.services.audit import audit_record
from identity.policy import second_factor_required
from identity.services.twofactor import (
    has_second_factor,
    remembered_device_match,
    session_mark_verified,
)
from identity.stepup import SecondFactorRequired, current_request


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


def _registered_origin(query: dict[str, list[str]], field: str, logout: bool) -> str:
    """The origin of the query's `field` URI when it is registered for its client_id."""
    client_id = query.get("client_id", [""])[0]
    uri = query.get(field, [""])[0]
    if not client_id or not uri:
        return ""
    application = get_application_model().objects.filter(client_id=client_id).first()
    if application is None:
        return ""
    check = (
        application.post_logout_redirect_uri_allowed if logout else application.redirect_uri_allowed
    )
    return _origin(uri) if check(uri) else ""


def relying_party_origin(request: HttpRequest) -> str:
    """The origin a form of this page may end up at, "" when none."""
    if request.method != "GET":
        return ""
    path = request.path
    authorize = reverse("oauth2_provider:authorize")
    if path == resolve_url(settings.LOGIN_URL):
        next_url = urlsplit(request.GET.get("next", ""))
        if next_url.path != authorize or next_url.netloc:
            return ""
        return _registered_origin(parse_qs(next_url.query), "redirect_uri", logout=False)
    if path == authorize:
        return _registered_origin(
            parse_qs(request.META.get("QUERY_STRING", "")), "redirect_uri", False
        )
    if path == reverse("oauth2_provider:rp-initiated-logout"):
        query = parse_qs(request.META.get("QUERY_STRING", ""))
        return _registered_origin(query, "post_logout_redirect_uri", logout=True)
    return ""


class RelyingPartyFormActionMiddleware:
    """Adds the relying party's origin to `form-action` (placed after the CSP middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            origin = relying_party_origin(request)
            if origin:
                update = {"form-action": [origin]}
                response._csp_update = {**getattr(response, "_csp_update", {}), **update}
                response._csp_update_ro = {**getattr(response, "_csp_update_ro", {}), **update}
        return response


# The second factor at every request of a signed-in user (after django-otp's OTPMiddleware).
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
