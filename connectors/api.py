"""`POST /api/connectors/edxml/`: where partners deliver edXML messages (eDoc-to-eDoc HTTPS).

Answers: 202 `{"result": "arrived"}`, 200 `{"result": "duplicate" | "status_recorded"}`;
refusals `{"error": {"code", "message"}}` with 400, 401, 403, 404, 409 or 413."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from connectors.exchange.inbound import InboundRequest, Refused, inbound_receive
from connectors.exchange.transport import (
    KEY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
)
from edoc.middleware import client_ip


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@csrf_exempt  # authenticated by the request's HMAC signature, not a session
@require_POST
def edxml_inbound(request: HttpRequest) -> JsonResponse:
    limit = settings.EDOC_EDXML_MAX_MB * 1024 * 1024
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    headers = request.headers
    message = InboundRequest(
        key_id=headers.get(KEY_HEADER, ""),
        timestamp=headers.get(TIMESTAMP_HEADER, ""),
        nonce=headers.get(NONCE_HEADER, ""),
        signature=headers.get(SIGNATURE_HEADER, ""),
        path=request.path,
        # Never more than the limit is read: a larger body is refused as too large.
        body=b"" if declared > limit else request.read(limit + 1),
        remote_addr=client_ip(request),
        declared_size=declared,
    )
    try:
        accepted = inbound_receive(message)
    except Refused as refusal:
        return _error(refusal.status, refusal.code, refusal.message)
    return JsonResponse({"result": accepted.result}, status=accepted.status)
