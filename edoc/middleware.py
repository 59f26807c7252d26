"""Request context for the audit log: where an action came from."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""


NO_REQUEST = RequestContext()
current_request_context: ContextVar[RequestContext | None] = ContextVar(
    "edoc_request_context", default=None
)


def client_ip(request: HttpRequest) -> str | None:
    """The client address (behind a proxy, the WSGI server must set REMOTE_ADDR)."""
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
