"""Request context for the audit log: where an action came from."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from csp.middleware import CSPMiddleware
from csp.utils import DEFAULT_DIRECTIVES
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""


NO_REQUEST = RequestContext()
current_request_context: ContextVar[RequestContext | None] = ContextVar(
    "edoc_request_context", default=None
)


def client_ip(request: HttpRequest) -> str | None:
    """The client address: REMOTE_ADDR, or behind a reverse proxy the header named by
    settings.EDOC_CLIENT_IP_HEADER only (e.g. "X-Real-IP"; of a list such as X-Forwarded-For,
    the last entry: the one the proxy itself appended)."""
    header = settings.EDOC_CLIENT_IP_HEADER
    if header:
        meta_name = "HTTP_" + header.upper().replace("-", "_")
        value = request.META.get(meta_name, "").split(",")[-1].strip()
        return value or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request_context.set(
            RequestContext(
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
            )
        )
        try:
            return self.get_response(request)
        finally:
            current_request_context.reset(token)


class NoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response to a logged-in user (document pages,
    file downloads, exports, task pages, htmx fragments) and on every response under
    settings.EDOC_NO_STORE_PREFIXES (the API, token requests included): nothing of them stays
    in a shared computer's browser cache or a proxy. Static files never get here (WhiteNoise
    answers them earlier) and keep their long-lived caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        private = bool(user and user.is_authenticated) or request.path_info.startswith(
            tuple(settings.EDOC_NO_STORE_PREFIXES)
        )
        if private:
            patch_cache_control(response, private=True, no_store=True)
        return response


# A PDF file opened in the browser keeps only the framing rule of the page policy: browsers show
# it in their built-in viewer, which a page policy can break (Chromium's viewer is an <embed>
# that `object-src 'none'` blocked, crbug.com/271452), and a PDF has no page content to protect.
PDF_POLICY = {directive: None for directive in DEFAULT_DIRECTIVES if directive != "frame-ancestors"}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (settings.CONTENT_SECURITY_POLICY on every response), except that
    PDF files get only `frame-ancestors`."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.get("Content-Type", "").startswith("application/pdf"):
            response._csp_replace = PDF_POLICY
            response._csp_replace_ro = PDF_POLICY
        return super().process_response(request, response)
