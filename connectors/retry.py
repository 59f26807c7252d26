"""Retrying a delivery to another system (a partner agency, the portal, Egov): one backoff rule
for every outbox of the app."""

from __future__ import annotations

MAX_BACKOFF_SECONDS = 3600


def backoff_seconds(attempts: int, base: float) -> int:
    """Seconds before the next attempt after `attempts` failures: `base`, then doubled after
    each failure, at most an hour."""
    return int(min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))
