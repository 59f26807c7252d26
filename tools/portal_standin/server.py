"""Stand-in for the public-service portal (LGSP pattern) and Egov licensing, for tests and
local runs. Standard library only; listens on 127.0.0.1.

    python -m tools.portal_standin --port 8765 --token dvc-token --agency 000.00.00.H00 \
        --egov-token egov-token [--state standin.json] [--dossiers online.json]

Prints `listening on http://127.0.0.1:PORT` once ready (`--port 0`: any free port).

- `POST /dvc` — the portal's one sync endpoint. Body `{"session": token, "madonvi": agency,
  "service": …}`; a wrong session or agency: HTTP 401. Services: `DongBoHoSoMC` (upserts each
  record of `data` by MaHoSo), `CapNhatTienDoHoSoMC` (keeps each progress record once, by
  MaHoSo + TrangThai + ThoiDiemXuLy), `LayDanhSachHoSoMoi` (answers `result`: the online
  dossiers waiting). Answers `{"error_code": 0}`; a bad record: `{"error_code": -1, "message"}`.
- `POST /api/licences` — Egov. `Authorization: Bearer <egov token>`; a licence event
  `{"event_id", "event", "licence": {…}}` kept once by event_id; the licence upserted by number.
- `GET /_state` and `POST /_dossiers` (Bearer <token>): what was received; add online dossiers.

What it received is kept in memory and, with `--state`, in that JSON file (read back at start).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tools.loopback import serve_until_interrupted

DATE = re.compile(r"^\d{14}$")
DOSSIER_DATES = ("NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy")
LICENCE_FIELDS = ("number", "type", "holder_name", "issued_on", "status")
MAX_BODY = 60 * 1024 * 1024


class State:
    def __init__(self, path: Path | None, dossiers: list[dict]):
        self.lock = threading.Lock()
        self.path = path
        self.data: dict[str, Any] = {
            "dossiers": {},
            "progress": [],
            "requests": 0,
            "online": dossiers,
            "licences": {},
            "licence_events": [],
        }
        if path and path.exists():
            self.data.update(json.loads(path.read_text("utf-8")))

    def save(self) -> None:
        if self.path:
            self.path.write_text(json.dumps(self.data, ensure_ascii=False, indent=1), "utf-8")


class BadRecord(Exception):
    pass


def _check_dossier(record: Any) -> None:
    if not isinstance(record, dict) or not record.get("MaHoSo"):
        raise BadRecord("record without MaHoSo")
    if str(record.get("TrangThaiHoSo", "")) not in {str(code) for code in range(1, 11)}:
        raise BadRecord(f"{record['MaHoSo']}: TrangThaiHoSo must be 1–10")
    for name in DOSSIER_DATES:
        value = record.get(name, "")
        if value and not DATE.match(str(value)):
            raise BadRecord(f"{record['MaHoSo']}: {name} is not yyyyMMddHHmmss")


def _check_progress(record: Any) -> None:
    if not isinstance(record, dict) or not record.get("MaHoSo"):
        raise BadRecord("progress without MaHoSo")
    if not DATE.match(str(record.get("ThoiDiemXuLy", ""))):
        raise BadRecord(f"{record['MaHoSo']}: ThoiDiemXuLy is not yyyyMMddHHmmss")


class Handler(BaseHTTPRequestHandler):
    server_version = "PortalStandIn/1"
    state: State
    token: str
    agency: str
    egov_token: str

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _answer(self, code: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError as error:
            raise BadRecord("bad Content-Length") from error
        if length < 0 or length > MAX_BODY:
            raise BadRecord("body too large")
        try:
            return json.loads(self.rfile.read(length).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BadRecord("not JSON") from error

    def _bearer(self, token: str) -> bool:
        return self.headers.get("Authorization", "") == f"Bearer {token}"

    def do_GET(self) -> None:
        if self.path != "/_state":
            return self._answer(404, {"error": "not found"})
        if not self._bearer(self.token):
            return self._answer(401, {"error": "unauthorised"})
        with self.state.lock:
            return self._answer(200, self.state.data)

    def do_POST(self) -> None:
        try:
            body = self._body()
        except BadRecord as error:
            return self._answer(400, {"error_code": -1, "message": str(error)})
        if self.path == "/dvc":
            return self._portal(body)
        if self.path == "/api/licences":
            return self._egov(body)
        if self.path == "/_dossiers":
            if not self._bearer(self.token):
                return self._answer(401, {"error": "unauthorised"})
            with self.state.lock:
                self.state.data["online"].extend(body)
                self.state.save()
            return self._answer(200, {"ok": True})
        return self._answer(404, {"error": "not found"})

    def _portal(self, body: Any) -> None:
        if (
            not isinstance(body, dict)
            or body.get("session") != self.token
            or body.get("madonvi") != self.agency
        ):
            return self._answer(401, {"error_code": 401, "message": "invalid session or madonvi"})
        service = body.get("service")
        with self.state.lock:
            data = self.state.data
            data["requests"] += 1
            try:
                if service == "DongBoHoSoMC":
                    records = body.get("data") or []
                    for record in records:
                        _check_dossier(record)
                    for record in records:
                        data["dossiers"][record["MaHoSo"]] = record
                elif service == "CapNhatTienDoHoSoMC":
                    records = body.get("data") or []
                    for record in records:
                        _check_progress(record)
                    seen = {
                        (item["MaHoSo"], item.get("TrangThai"), item["ThoiDiemXuLy"])
                        for item in data["progress"]
                    }
                    for record in records:
                        key = (record["MaHoSo"], record.get("TrangThai"), record["ThoiDiemXuLy"])
                        if key not in seen:
                            data["progress"].append(record)
                            seen.add(key)
                elif service == "LayDanhSachHoSoMoi":
                    return self._answer(200, {"error_code": 0, "result": data["online"]})
                else:
                    raise BadRecord(f"unknown service {service!r}")
            except BadRecord as error:
                return self._answer(200, {"error_code": -1, "message": str(error)})
            finally:
                self.state.save()
        return self._answer(200, {"error_code": 0, "message": "OK"})

    def _egov(self, body: Any) -> None:
        if not self._bearer(self.egov_token):
            return self._answer(401, {"error": "unauthorised"})
        licence = body.get("licence") if isinstance(body, dict) else None
        if not isinstance(licence, dict) or not body.get("event_id"):
            return self._answer(400, {"error": "event_id and licence are required"})
        missing = [name for name in LICENCE_FIELDS if not licence.get(name)]
        if missing:
            return self._answer(400, {"error": f"missing {', '.join(missing)}"})
        with self.state.lock:
            data = self.state.data
            duplicate = any(e["event_id"] == body["event_id"] for e in data["licence_events"])
            if not duplicate:
                data["licence_events"].append(body)
                data["licences"][licence["number"]] = licence
                self.state.save()
        return self._answer(200, {"ok": True, "duplicate": duplicate})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="dvc-token")
    parser.add_argument("--agency", default="000.00.00.H00")
    parser.add_argument("--egov-token", default="egov-token")
    parser.add_argument("--state", type=Path)
    parser.add_argument("--dossiers", type=Path, help="JSON list of online dossiers to serve")
    args = parser.parse_args(argv)
    online = json.loads(args.dossiers.read_text("utf-8")) if args.dossiers else []
    handler = type(
        "BoundHandler",
        (Handler,),
        {
            "state": State(args.state, online),
            "token": args.token,
            "agency": args.agency,
            "egov_token": args.egov_token,
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    serve_until_interrupted(server)
    sys.stdout.flush()
