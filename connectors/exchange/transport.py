"""The eDoc-to-eDoc HTTPS transport: an edXML message POSTed to the partner's
`/api/connectors/edxml/`, signed with HMAC-SHA256.

Headers: `X-Edoc-Key` (the key id), `X-Edoc-Timestamp` (Unix seconds), `X-Edoc-Nonce` (a
random value used once), `X-Edoc-Signature` (hex HMAC-SHA256 with the shared secret over
`METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nsha256(body)`).

It implements the transport interface (`transports.base.Transport`) as a push transport: the
partner POSTs to us, so there is nothing to fetch. `TRANSPORTS` maps a route's transport to its
implementation (the national axis: `transports.axis`)."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from urllib.parse import urlsplit

import requests
from django.conf import settings

from connectors.exchange.transports.axis import AxisTransport
from connectors.exchange.transports.base import (
    DeliveryError,
    ReceivedHandle,
    SentStatus,
    Transport,
)
from connectors.models import ExchangeRoute

INBOUND_PATH = "/api/connectors/edxml/"
KEY_HEADER = "X-Edoc-Key"
TIMESTAMP_HEADER = "X-Edoc-Timestamp"
NONCE_HEADER = "X-Edoc-Nonce"
SIGNATURE_HEADER = "X-Edoc-Signature"


def request_signature(
    secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes
) -> str:
    """The hex HMAC-SHA256 a request carries (both sides compute it the same way)."""
    digest = hashlib.sha256(body).hexdigest()
    text = f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n{digest}"
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def signed_headers(route: ExchangeRoute, url: str, body: bytes) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
    return {
        "Content-Type": "application/xml; charset=utf-8",
        KEY_HEADER: route.our_key_id,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: request_signature(
            route.our_secret, "POST", urlsplit(url).path, timestamp, nonce, body
        ),
    }


class EdocHttpsTransport:
    """Two agencies running eDoc exchange directly."""

    def send(self, route: ExchangeRoute, payload: bytes) -> None:
        """POST the message; the partner's answer is final (no id to follow up)."""
        url = route.base_url.rstrip("/") + INBOUND_PATH
        try:
            response = requests.post(
                url,
                data=payload,
                headers=signed_headers(route, url, payload),
                timeout=settings.EDOC_EXCHANGE_TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise DeliveryError(f"{type(error).__name__}: {error}"[:400]) from None
        if response.status_code in (200, 201, 202):
            return
        try:
            detail = response.json()["error"]
            reason = f"{detail['code']}: {detail['message']}"
        except (ValueError, KeyError, TypeError):
            reason = response.text[:200]
        raise DeliveryError(f"HTTP {response.status_code} {reason}"[:400])

    def fetch_received(self) -> list[ReceivedHandle]:
        """Nothing: the partner delivers to our inbound endpoint."""
        return []

    def get(self, handle: ReceivedHandle) -> bytes:
        raise DeliveryError("eDoc-to-eDoc messages are pushed to us, never fetched")

    def acknowledge(self, handle: ReceivedHandle) -> None:
        raise DeliveryError("eDoc-to-eDoc messages are acknowledged in the HTTP answer")

    def update_status(self, handle: ReceivedHandle, status: str) -> None:
        raise DeliveryError("eDoc-to-eDoc messages are acknowledged in the HTTP answer")

    def sent_statuses(self, message_id: str) -> list[SentStatus]:
        """Nothing: the partner took the message in its HTTP answer and tells the rest in
        edXML statuses."""
        return []


TRANSPORTS: dict[str, Transport] = {
    ExchangeRoute.Transport.EDOC_HTTPS: EdocHttpsTransport(),
    ExchangeRoute.Transport.AXIS: AxisTransport(),
}
