"""The national document-exchange axis (Trục liên thông văn bản quốc gia, run by the
Government Office, VPCP) and the provincial LGSPs that speak its pattern: the edXML message is
sent to the axis, which holds it until the recipient fetches it.

The pattern, as the official VPCP Java SDK speaks it (SDKVXP 2.0.1: `com.vpcp.services.
KnobstickServiceImp`, `VnptService`, `HttpConnection`, `MultipartUtility`, and its example
`com.vpcp.example.ServiceTest`; published with the SDK example in
github.com/PVN-Organization/API-Gateway-iOffice, `JDK 1.8/SDKVXP_Example/`, whose
`DocumentPipeline.java` lists the updateStatus values; configuration keys `service.endpoint`,
`systemid`, `secret` in its `collaboration.properties`):

- every operation is an HTTP POST to `<endpoint>/<operation>`: `sendEdoc`,
  `getReceivedEdocList`, `getEdoc`, `updateStatus`;
- its parameters are headers, each sent as `XroadVnpt-<name>`, next to `XroadVnpt-timestamp`
  (`ddMMyyyy'T'HHmmss+SSSS`), `XroadVnpt-systemid` (our code on the axis) and
  `XroadVnpt-Content-Type`; `XroadVnpt-sign-header` is the JSON object of all of them,
  `XroadVnpt-sign-header-key` their names joined by `;`, `XroadVnpt-hash-header` the hex
  HMAC-SHA256 of the sign-header with our secret; `XroadVnpt-version: 3.0.201608`;
- sendEdoc: body the edXML bytes (`application/octet-stream`), headers `from`, `to` (a JSON
  list of codes), `servicetype` (`eDoc`), `messagetype` (`edoc` or `status`) and `hash-file`
  (the body's SHA-256 in the SDK's hex: no leading zero per byte); answers `DocId`;
- getReceivedEdocList: headers `servicetype`, `messagetype`; answers `data`, a list of
  `{docId, from, to, messageType, serviceType, status, created_time, …}`;
- getEdoc: header `docId`; answers `data`, the edXML in base64;
- updateStatus: headers `docId`, `status` (inbox, rejection, acceptance, assignment,
  processing, done, fail, cancellation; the SDK's example answers `done` once a message is
  taken and `fail` when it is not);
- getSentEdocList: headers `servicetype`, `messagetype`, `docId` (the DocId sendEdoc
  answered); answers `data`, one entry per recipient: `{toCode, fromCode, receiveStatus,
  receiveStatusDesc, sendStatus, sendStatusDesc, senderDocId, receiverDocId, sentTime,
  receivedTime, title, notation, messageType, serviceType}` (the SDK's
  `KnobstickServiceImp.getSentEdocList` and its `StatusResult`; `ServiceTest` case 5);
  `receiveStatus` is what the recipient's system set with updateStatus;
- every answer is JSON `{"status": "OK"|"FAIL", "ErrorCode": "0"|…, "ErrorDesc": …}`.

Settings (config/settings/base.py, README): `EDOC_AXIS_ENDPOINT`, `EDOC_AXIS_SYSTEM_ID`,
`EDOC_AXIS_SECRET`. The secret signs requests and is never sent, logged or stored.
`tools/axis_standin` speaks the same pattern on 127.0.0.1 for tests and local runs."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.utils import timezone

from connectors.edxml import EdxmlError, parse_message
from connectors.exchange.transports.base import (
    ACKNOWLEDGED,
    DeliveryError,
    ReceivedHandle,
    SentStatus,
)

if TYPE_CHECKING:
    from connectors.models import ExchangeRoute

PREFIX = "XroadVnpt-"
SDK_VERSION = "3.0.201608"
USER_AGENT = "eDoc (VPCP axis pattern)"
SERVICE_TYPE = "eDoc"
MESSAGE_TYPES = ("edoc", "status")


def sdk_hex(digest: bytes) -> str:
    """A digest in hex as the SDK writes `hash-file` (`Integer.toHexString` of each byte, so
    a byte below 16 has one digit)."""
    return "".join(format(byte, "x") for byte in digest)


def sdk_timestamp() -> str:
    now = timezone.localtime()
    return now.strftime("%d%m%YT%H%M%S") + f"+{now.microsecond // 1000:04d}"


def signed_headers(
    system_id: str, secret: str, params: dict[str, str], content_type: str
) -> dict[str, str]:
    """The request's headers: each parameter as `XroadVnpt-<name>`, and the signature over
    them (the SDK's `addXroadVnptHashHeader`)."""
    values = {
        "timestamp": sdk_timestamp(),
        "systemid": system_id,
        "Content-Type": content_type,
        **params,
    }
    prefixed = {PREFIX + name: value for name, value in values.items()}
    sign_header = json.dumps(prefixed, separators=(",", ":"))
    digest = hmac.new(secret.encode("utf-8"), sign_header.encode("utf-8"), hashlib.sha256)
    return {
        "Content-Type": content_type,
        **prefixed,
        PREFIX + "sign-header-key": ";".join(values),
        PREFIX + "sign-header": sign_header,
        PREFIX + "hash-header": digest.hexdigest(),
        PREFIX + "version": SDK_VERSION,
        "User-Agent": USER_AGENT,
    }


class AxisTransport:
    """Send to, and fetch from, the axis at `EDOC_AXIS_ENDPOINT` as `EDOC_AXIS_SYSTEM_ID`."""

    def _call(
        self,
        operation: str,
        params: dict[str, str],
        *,
        body: bytes = b"",
        content_type: str = "application/json",
    ) -> dict[str, Any]:
        endpoint = settings.EDOC_AXIS_ENDPOINT.rstrip("/")
        system_id = settings.EDOC_AXIS_SYSTEM_ID
        if not (endpoint and system_id and settings.EDOC_AXIS_SECRET):
            raise DeliveryError(
                "the axis is not configured (EDOC_AXIS_ENDPOINT, EDOC_AXIS_SYSTEM_ID, "
                "EDOC_AXIS_SECRET)"
            )
        if not endpoint.startswith(("https://", "http://")):
            raise DeliveryError(f"EDOC_AXIS_ENDPOINT {endpoint!r} is not an http(s) URL")
        url = f"{endpoint}/{operation}"
        headers = signed_headers(system_id, settings.EDOC_AXIS_SECRET, params, content_type)
        try:
            response = requests.post(
                url,
                data=body,
                headers=headers,
                timeout=settings.EDOC_EXCHANGE_TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise DeliveryError(
                f"the axis is unreachable ({operation}): {type(error).__name__}: {error}"[:400]
            ) from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise DeliveryError(
                f"the axis answered {operation} with HTTP {response.status_code} and no JSON"
            )
        if response.status_code != 200 or str(answer.get("ErrorCode", "")) != "0":
            reason = answer.get("ErrorDesc") or answer.get("status")
            raise DeliveryError(
                f"the axis refused {operation}: HTTP {response.status_code}, "
                f"ErrorCode {answer.get('ErrorCode')!s}: {reason}"[:400]
            )
        return answer

    def send(self, route: ExchangeRoute, payload: bytes) -> str | None:
        """sendEdoc: the axis's DocId of the message (None when it answers none)."""
        try:
            message = parse_message(payload)
        except EdxmlError as error:
            raise DeliveryError(f"not an edXML message: {error.message}") from None
        answer = self._call(
            "sendEdoc",
            {
                "from": settings.EDOC_AXIS_SYSTEM_ID,
                "to": json.dumps([route.organization.code]),
                "servicetype": SERVICE_TYPE,
                "messagetype": "status" if message.kind == "status" else "edoc",
                "hash-file": sdk_hex(hashlib.sha256(payload).digest()),
            },
            body=payload,
            content_type="application/octet-stream",
        )
        return str(answer.get("DocId") or "") or None

    def sent_statuses(self, message_id: str) -> list[SentStatus]:
        """getSentEdocList: each recipient's status of a message we sent."""
        answer = self._call(
            "getSentEdocList",
            {"servicetype": SERVICE_TYPE, "messagetype": "edoc", "docId": message_id},
        )
        return [
            SentStatus(
                recipient=str(item.get("toCode") or ""),
                status=str(item.get("receiveStatus") or ""),
                description=str(item.get("receiveStatusDesc") or "")[:255],
            )
            for item in answer.get("data") or []
            if isinstance(item, dict) and item.get("toCode") and item.get("receiveStatus")
        ]

    def fetch_received(self) -> list[ReceivedHandle]:
        handles = []
        for kind in MESSAGE_TYPES:
            answer = self._call(
                "getReceivedEdocList", {"servicetype": SERVICE_TYPE, "messagetype": kind}
            )
            for item in answer.get("data") or []:
                if isinstance(item, dict) and item.get("docId"):
                    handles.append(
                        ReceivedHandle(
                            id=str(item["docId"]),
                            sender=str(item.get("from") or ""),
                            kind=str(item.get("messageType") or kind),
                        )
                    )
        return handles

    def get(self, handle: ReceivedHandle) -> bytes:
        answer = self._call("getEdoc", {"docId": handle.id})
        try:
            data = base64.b64decode(str(answer.get("data") or ""), validate=True)
        except (binascii.Error, ValueError):
            raise DeliveryError(f"the axis's message {handle.id} is not base64") from None
        if not data:
            raise DeliveryError(f"the axis's message {handle.id} is empty")
        return data

    def acknowledge(self, handle: ReceivedHandle) -> None:
        self.update_status(handle, ACKNOWLEDGED)

    def update_status(self, handle: ReceivedHandle, status: str) -> None:
        self._call("updateStatus", {"docId": handle.id, "status": status})
