"""The portal/Egov stand-in (tools/portal_standin) as a subprocess on 127.0.0.1, for tests."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

TOKEN = "dvc-test-token"
AGENCY = "000.00.23.H19"
EGOV_TOKEN = "egov-test-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def standin_start(module: str, *arguments: str) -> subprocess.Popen:
    """`python -m module arguments…` from the project root, once it says it is listening."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, *arguments],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    assert line.startswith("listening on"), line
    return process


def standin_stop(process: subprocess.Popen | None) -> None:
    if process is not None:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


class StandIn:
    """Starts, stops and reads the stand-in; its state file survives a restart."""

    def __init__(self, state: Path, port: int | None = None):
        self.state = state
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StandIn:
        self.process = standin_start(
            "tools.portal_standin",
            "--port",
            str(self.port),
            "--token",
            TOKEN,
            "--agency",
            AGENCY,
            "--egov-token",
            EGOV_TOKEN,
            "--state",
            str(self.state),
        )
        return self

    def stop(self) -> None:
        standin_stop(self.process)
        self.process = None

    def _call(self, path: str, body: object | None = None) -> dict:
        request = urllib.request.Request(  # noqa: S310 (loopback http)
            self.url + path,
            data=None if body is None else json.dumps(body).encode(),
            method="GET" if body is None else "POST",
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return json.loads(answer.read())

    def received(self) -> dict:
        return self._call("/_state")

    def offer(self, *dossiers: dict) -> None:
        """Online dossiers the portal serves to `portal_pull`."""
        self._call("/_dossiers", list(dossiers))


def wait_until_listening(port: int, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")
