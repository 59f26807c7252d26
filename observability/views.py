"""`/healthz`, `/readyz` and `/metrics` (README: "Operations endpoints")."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from edoc.middleware import client_ip
from observability.health import readiness
from observability.metrics import metrics_response


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers (nothing else is asked: a liveness probe)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Each service's state and latency; 503 when one of them is down."""
    ready, answer = readiness()
    return JsonResponse(answer, status=200 if ready else 503)


def metrics_allowed(request: HttpRequest) -> bool:
    """A scraper holding EDOC_METRICS_TOKEN (Authorization: Bearer …), or one whose address is
    in EDOC_METRICS_ALLOWED_IPS; neither set: nobody."""
    token = settings.EDOC_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    address = client_ip(request)
    if not address or not settings.EDOC_METRICS_ALLOWED_IPS:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        ip in ipaddress.ip_network(network, strict=False)
        for network in settings.EDOC_METRICS_ALLOWED_IPS
    )


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus exposition, for allowed scrapers only (403 otherwise)."""
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return metrics_response()
