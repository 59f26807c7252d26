"""The axis stand-in (tools/axis_standin) as a subprocess on 127.0.0.1, for tests; and the
axis identity of each of the two agencies the tests run in one database."""

from __future__ import annotations

import json
import subprocess
import urllib.request

from tests.connectors.conftest import SYT, UBND
from tests.connectors.portal_support import free_port, standin_start, standin_stop

SECRETS = {SYT: "axis-secret-of-syt", UBND: "axis-secret-of-ubnd"}


class AxisStandIn:
    """Starts and stops the stand-in (always on the same port) and reads its queues."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AxisStandIn:
        orgs = [arg for code, secret in SECRETS.items() for arg in ("--org", f"{code}={secret}")]
        self.process = standin_start("tools.axis_standin", "--port", str(self.port), *orgs)
        return self

    def stop(self) -> None:
        standin_stop(self.process)
        self.process = None

    def entries(self) -> list[dict]:
        with urllib.request.urlopen(self.url + "/_state", timeout=10) as answer:  # noqa: S310
            return json.loads(answer.read())["data"]


def act_as(settings, axis: AxisStandIn, code: str, secret: str | None = None) -> None:
    """This process is now the eDoc of agency `code` on the axis (its EDOC_AXIS_* settings)."""
    settings.EDOC_AXIS_ENDPOINT = axis.url
    settings.EDOC_AXIS_SYSTEM_ID = code
    settings.EDOC_AXIS_SECRET = SECRETS[code] if secret is None else secret
