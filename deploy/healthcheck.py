"""Container health check of the web server: exit 0 when eDoc answers on EDOC_BIND's port.

Asks /readyz where the installation has it (503: not ready), else the login page, as the TLS
proxy would (Host: the first of DJANGO_ALLOWED_HOSTS, X-Forwarded-Proto: https).
"""

import os
import sys
import urllib.error
import urllib.request

port = os.environ.get("EDOC_BIND", "127.0.0.1:8000").rsplit(":", 1)[1]
host = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip()
headers = {"Host": host, "X-Forwarded-Proto": "https"}


def status(path: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 (loopback)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


answer = status("/readyz")
if answer == 404:
    answer = status("/accounts/login/")
sys.exit(0 if answer == 200 else 1)
