"""Keeping credentials out of logs, answers and stored errors (no Django models: the logging
configuration imports it at start-up)."""

from __future__ import annotations

import re

# user:password@ in a URL, whatever its scheme (a broker, database or S3 URL in an error text).
URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


def without_credentials(text: str) -> str:
    """`text` with the user and password of every URL in it replaced by ***."""
    return URL_CREDENTIALS.sub(r"\g<scheme>***@", text)
