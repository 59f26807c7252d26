"""The payment stand-in (tools/payment_standin) as a subprocess on 127.0.0.1, and a recorder HTTP
server that plays the merchant's IPN endpoint, for the provider tests."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import requests
from django.conf import settings

from tests.connectors.portal_support import free_port

VNPAY_TMN = "EDOCTEST"
VNPAY_SECRET = "vnpay-test-secret-0123456789ABCDEF"
MOMO_PARTNER = "MOMOEDOC"
MOMO_ACCESS_KEY = "momo-test-access"
MOMO_SECRET = "momo-test-secret-0123456789abcdef"


class Recorder:
    """A merchant IPN endpoint that records what reaches it: GET query parameters (VNPAY,
    answered `{"RspCode": "00", …}`) and POSTed JSON (MoMo, answered HTTP 204)."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.arrived = threading.Event()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002
                pass

            def do_GET(self):  # noqa: N802
                query = urlsplit(self.path).query
                recorder._keep("GET", dict(parse_qsl(query, keep_blank_values=True)))
                body = json.dumps({"RspCode": "00", "Message": "Confirm Success"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                recorder._keep("POST", json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _keep(self, method: str, data: dict) -> None:
        self.received.append({"method": method, "data": data})
        self.arrived.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/ipn"

    def __enter__(self) -> Recorder:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class PaymentStandIn:
    """Starts and stops `python -m tools.payment_standin`."""

    def __init__(self, vnpay_ipn_url: str = "") -> None:
        self.port = free_port()
        self.vnpay_ipn_url = vnpay_ipn_url
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> PaymentStandIn:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tools.payment_standin",
                "--port",
                str(self.port),
                "--vnpay-tmn",
                VNPAY_TMN,
                "--vnpay-secret",
                VNPAY_SECRET,
                "--vnpay-ipn-url",
                self.vnpay_ipn_url,
                "--momo-partner",
                MOMO_PARTNER,
                "--momo-access-key",
                MOMO_ACCESS_KEY,
                "--momo-secret",
                MOMO_SECRET,
            ],
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline()
        assert line.startswith("listening on"), line
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process.stdout.close()

    def state(self) -> dict:
        return requests.get(f"{self.url}/_state", timeout=10).json()


def pay_on_page(page_url: str, choice: str = "pay") -> requests.Response:
    """Open the stand-in's payment page like a browser and press "Thanh toán" (or "Hủy"); the
    stand-in's answer (a redirect to the merchant's return URL), not followed."""
    page = requests.get(page_url, timeout=10)
    assert page.status_code == 200, page.text
    assert "Thanh toán" in page.text and "Hủy" in page.text and "THỬ NGHIỆM" in page.text
    action = page.text.split('<form method="post" action="', 1)[1].split('"', 1)[0]
    session = page.text.split('name="session" value="', 1)[1].split('"', 1)[0]
    base = "{0.scheme}://{0.netloc}".format(urlsplit(page_url))
    return requests.post(
        base + action,
        data={"session": session, "choice": choice},
        allow_redirects=False,
        timeout=20,
    )
