"""Stand-in for the national document-exchange axis (Trục liên thông văn bản quốc gia, VPCP)
and the provincial LGSP that speak its pattern, for tests and local runs. Standard library
only; listens on 127.0.0.1; what it holds lives in memory (a restart empties the queues).

    python -m tools.axis_standin --port 8766 --org 000.00.23.H19=secret-syt \
        --org 000.00.00.H19=secret-ubnd

Prints `listening on http://127.0.0.1:PORT` once ready (`--port 0`: any free port).

The pattern is the one the official VPCP SDK (SDKVXP 2.0.1, `com.vpcp.services.
KnobstickServiceImp` and `VnptService`; its example `ServiceTest`) speaks; see
docs/connectors-axis.md. Every call is an HTTP POST to `<endpoint>/<operation>`; its parameters
travel as `XroadVnpt-<name>` headers, and the request is authenticated by
`XroadVnpt-systemid` (the organisation's code on the axis), `XroadVnpt-sign-header` (a JSON
object of the signed `XroadVnpt-*` headers), `XroadVnpt-sign-header-key` (their names, `;`
separated) and `XroadVnpt-hash-header` (hex HMAC-SHA256 of the sign-header with the
organisation's secret). Answers are JSON `{"status": "OK"|"FAIL", "ErrorCode": "0"|…,
"ErrorDesc": …}`; an unauthenticated request gets HTTP 401 with such a body.

- `/sendEdoc`: body the edXML message; headers `from` (must be the systemid), `to` (a JSON list
  of recipients' codes), `messagetype` (`edoc` or `status`), `servicetype`, `hash-file` (the
  body's SHA-256 as the SDK writes it). One queue entry per recipient; answers `DocId`.
- `/getReceivedEdocList`: header `messagetype`; answers `data`, the entries waiting for the
  caller (`docId`, `from`, `to`, `messageType`, `serviceType`, `status`, `created_time`).
- `/getEdoc`: header `docId`; answers `data`, the message in base64 (the caller's entries only).
- `/updateStatus`: headers `docId`, `status` (inbox, rejection, acceptance, assignment,
  processing, done, fail, cancellation); `done` and `fail` take the entry off the list.
- `/getSentEdocList`: headers `docId` (sendEdoc's answer), `messagetype`; answers `data`, the
  caller's message as each recipient has it (the SDK's `StatusResult`: `toCode`, `fromCode`,
  `receiveStatus` — what the recipient set with updateStatus —, `receiveStatusDesc`,
  `sendStatus`, `senderDocId`, `receiverDocId`, `sentTime`, `receivedTime`, `messageType`,
  `serviceType`); a docId the caller did not send: 404.
- `GET /_state`: every entry (without the message), for tests.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import threading
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from tools.loopback import JsonHandler, serve_on_loopback

MAX_BODY = 60 * 1024 * 1024
STATUSES = {
    "inbox",
    "rejection",
    "acceptance",
    "assignment",
    "processing",
    "done",
    "fail",
    "cancellation",
}
FINAL = {"done", "fail"}
RECEIVE_STATUS_DESCRIPTIONS = {
    "inbox": "waiting for the recipient",
    "done": "taken by the recipient's system",
    "fail": "refused by the recipient's system",
}
VIETNAM = timezone(timedelta(hours=7))  # the axis's clock (ICT, no daylight saving)


def now_text() -> str:
    return datetime.now(VIETNAM).strftime("%Y/%m/%d %H:%M:%S")


def sdk_hex(digest: bytes) -> str:
    """Hex as the SDK writes `hash-file` (`Integer.toHexString` per byte: no leading zero)."""
    return "".join(format(byte, "x") for byte in digest)


class Refusal(Exception):
    def __init__(self, http: int, code: str, desc: str) -> None:
        super().__init__(desc)
        self.http, self.code, self.desc = http, code, desc


class Axis:
    """The queues: one entry per (message, recipient)."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self.lock = threading.Lock()
        self.secrets = secrets
        self.entries: list[dict[str, Any]] = []
        self.requests = 0


class Handler(JsonHandler):
    server_version = "AxisStandIn/1"
    axis: Axis

    def _ok(self, **extra: Any) -> None:
        self._answer(200, {"status": "OK", "ErrorCode": "0", "ErrorDesc": "Success", **extra})

    def _param(self, name: str) -> str:
        return self.headers.get(f"XroadVnpt-{name}", "")

    def _authenticate(self) -> str:
        """The caller's systemid, once its signed headers check out."""
        system_id = self._param("systemid")
        secret = self.axis.secrets.get(system_id)
        if secret is None:
            raise Refusal(401, "401", f"unknown systemid {system_id!r}")
        signed = self.headers.get("XroadVnpt-sign-header", "")
        given = self.headers.get("XroadVnpt-hash-header", "").lower()
        expected = hmac.new(secret.encode(), signed.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, given):
            raise Refusal(401, "401", "invalid signature (XroadVnpt-hash-header)")
        try:
            values = json.loads(signed)
        except ValueError:
            raise Refusal(401, "401", "XroadVnpt-sign-header is not JSON") from None
        names = [n for n in self.headers.get("XroadVnpt-sign-header-key", "").split(";") if n]
        if not isinstance(values, dict) or sorted(values) != sorted(
            f"XroadVnpt-{name}" for name in names
        ):
            raise Refusal(401, "401", "the signed header names do not match")
        for key, value in values.items():
            if self.headers.get(key, "") != value:
                raise Refusal(401, "401", f"{key} is not the value that was signed")
        if values.get("XroadVnpt-systemid") != system_id:
            raise Refusal(401, "401", "the systemid is not signed")
        return system_id

    def do_GET(self) -> None:
        if self.path != "/_state":
            return self._answer(404, {"status": "FAIL", "ErrorCode": "404", "ErrorDesc": "?"})
        with self.axis.lock:
            entries = [
                {key: value for key, value in entry.items() if key != "body"}
                for entry in self.axis.entries
            ]
            return self._ok(data=entries, requests=self.axis.requests)

    def do_POST(self) -> None:
        operation = self.path.rstrip("/").rsplit("/", 1)[-1]
        handlers = {
            "sendEdoc": self._send,
            "getReceivedEdocList": self._list,
            "getEdoc": self._get,
            "updateStatus": self._update,
            "getSentEdocList": self._sent,
        }
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length < 0 or length > MAX_BODY:
                raise Refusal(413, "413", "body too large")
            body = self.rfile.read(length)
            if operation not in handlers:
                raise Refusal(404, "404", f"unknown operation {operation!r}")
            system_id = self._authenticate()
            with self.axis.lock:
                self.axis.requests += 1
                handlers[operation](system_id, body)
        except Refusal as refusal:
            self._answer(
                refusal.http,
                {"status": "FAIL", "ErrorCode": refusal.code, "ErrorDesc": refusal.desc},
            )
        except ValueError as error:
            self._answer(400, {"status": "FAIL", "ErrorCode": "400", "ErrorDesc": str(error)})

    def _send(self, system_id: str, body: bytes) -> None:
        if self._param("from") != system_id:
            raise Refusal(403, "403", "from must be the caller's systemid")
        try:
            recipients = json.loads(self._param("to") or "[]")
        except ValueError:
            raise Refusal(400, "400", "to is not a JSON list") from None
        if not recipients or not isinstance(recipients, list):
            raise Refusal(400, "400", "no recipient (to)")
        unknown = [code for code in recipients if code not in self.axis.secrets]
        if unknown:
            raise Refusal(400, "400", f"unknown recipient {', '.join(map(str, unknown))}")
        message_type = self._param("messagetype")
        if message_type not in ("edoc", "status"):
            raise Refusal(400, "400", "messagetype must be edoc or status")
        if not body.strip():
            raise Refusal(400, "400", "empty message")
        if self._param("hash-file") != sdk_hex(hashlib.sha256(body).digest()):
            raise Refusal(400, "400", "hash-file does not match the message")
        doc_id = str(uuid.uuid4())
        now = now_text()
        for code in recipients:
            self.axis.entries.append(
                {
                    "docId": doc_id,
                    "from": system_id,
                    "to": code,
                    "messageType": message_type,
                    "serviceType": self._param("servicetype") or "eDoc",
                    "status": "inbox",
                    "created_time": now,
                    "updated_time": now,
                    "size": len(body),
                    "body": base64.b64encode(body).decode("ascii"),
                }
            )
        self._ok(DocId=doc_id)

    def _mine(self, system_id: str) -> dict[str, Any]:
        doc_id = self._param("docId") or self._param("docid")
        for entry in self.axis.entries:
            if entry["docId"] == doc_id and entry["to"] == system_id:
                return entry
        raise Refusal(404, "404", f"no message {doc_id!r} for {system_id}")

    def _list(self, system_id: str, body: bytes) -> None:
        message_type = self._param("messagetype") or "edoc"
        waiting = [
            {key: value for key, value in entry.items() if key not in ("body", "size")}
            for entry in self.axis.entries
            if entry["to"] == system_id
            and entry["messageType"] == message_type
            and entry["status"] not in FINAL
        ]
        self._ok(data=waiting)

    def _get(self, system_id: str, body: bytes) -> None:
        self._ok(data=self._mine(system_id)["body"])

    def _update(self, system_id: str, body: bytes) -> None:
        status = self._param("status")
        if status not in STATUSES:
            raise Refusal(400, "400", f"unknown status {status!r}")
        entry = self._mine(system_id)
        entry["status"] = status
        entry["updated_time"] = now_text()
        self._ok()

    def _sent(self, system_id: str, body: bytes) -> None:
        doc_id = self._param("docId") or self._param("docid")
        message_type = self._param("messagetype") or "edoc"
        sent = [
            entry
            for entry in self.axis.entries
            if entry["docId"] == doc_id
            and entry["from"] == system_id
            and entry["messageType"] == message_type
        ]
        if not sent:
            raise Refusal(404, "404", f"no message {doc_id!r} sent by {system_id}")
        self._ok(
            data=[
                {
                    "serviceType": entry["serviceType"],
                    "messageType": entry["messageType"],
                    "senderDocId": entry["docId"],
                    "receiverDocId": entry["docId"],
                    "fromCode": entry["from"],
                    "toCode": entry["to"],
                    "sendStatus": "done",
                    "sendStatusDesc": "taken by the axis",
                    "receiveStatus": entry["status"],
                    "receiveStatusDesc": RECEIVE_STATUS_DESCRIPTIONS.get(entry["status"], ""),
                    "sentTime": entry["created_time"],
                    "receivedTime": entry["updated_time"],
                }
                for entry in sent
            ]
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--org",
        action="append",
        default=[],
        metavar="CODE=SECRET",
        help="an organisation on the axis and its secret (repeat for each)",
    )
    args = parser.parse_args(argv)
    secrets = dict(item.split("=", 1) for item in args.org if "=" in item)
    handler = type("BoundHandler", (Handler,), {"axis": Axis(secrets)})
    serve_on_loopback(handler, args.port)
