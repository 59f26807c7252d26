"""What the stand-ins under tools/ share: a JSON-answering request handler and serving on
127.0.0.1 until stopped (standard library only)."""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from typing import Any


class JsonHandler(BaseHTTPRequestHandler):
    """Quiet (no request log on stderr); `_answer` sends a JSON body."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, code: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def serve_until_interrupted(server: HTTPServer) -> None:
    """Serve until the process is interrupted or terminated, then close the socket."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()


def serve_on_loopback(handler: type[BaseHTTPRequestHandler], port: int) -> None:
    """Serve on 127.0.0.1:`port` (0: any free port) until interrupted; prints
    `listening on http://127.0.0.1:PORT` once ready (tests wait for that line)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    serve_until_interrupted(server)
