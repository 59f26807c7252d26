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
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from oauth2_provider.models import get_application_model


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
