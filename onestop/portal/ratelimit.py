"""Per-client rate limits of the public portal, counted in Django's cache (LocMem in the
embedded mode, Redis when REDIS_URL is set) so every worker process shares them.

A rate is written "<attempts>/<seconds>" (e.g. "10/600"); settings:
EDOC_PORTAL_LOOKUP_RATE (dossier look-ups and tracking links), EDOC_PORTAL_SUBMIT_RATE
(drafts and submissions), EDOC_PORTAL_UPLOAD_RATE (supplement uploads) and
EDOC_PORTAL_RATING_RATE (satisfaction ratings). Windows are
fixed: the first attempt starts one, and it ends `seconds` later.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from edoc.middleware import client_ip

DEFAULT_RATES = {"lookup": "10/600", "submit": "20/3600", "upload": "30/3600", "rating": "10/3600"}
SETTING_NAMES = {
    "lookup": "EDOC_PORTAL_LOOKUP_RATE",
    "submit": "EDOC_PORTAL_SUBMIT_RATE",
    "upload": "EDOC_PORTAL_UPLOAD_RATE",
    "rating": "EDOC_PORTAL_RATING_RATE",
}


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int


def parse_rate(value: str) -> Rate:
    """ "10/600" → Rate(10, 600). Raises ValueError on anything else."""
    count, _sep, seconds = str(value).partition("/")
    rate = Rate(int(count), int(seconds))
    if rate.limit < 1 or rate.window < 1:
        raise ValueError(f"rate must be positive: {value!r}")
    return rate


def rate_for(scope: str) -> Rate:
    """The configured rate of a scope ("lookup", "submit" or "upload")."""
    return parse_rate(getattr(settings, SETTING_NAMES[scope], DEFAULT_RATES[scope]))


def _key(scope: str, request: HttpRequest) -> str:
    return f"portal:rate:{scope}:{client_ip(request) or 'unknown'}"


def rate_limit_hit(request: HttpRequest, scope: str) -> bool:
    """Count one attempt of the client in `scope`; True once it is over the limit."""
    rate = rate_for(scope)
    key = _key(scope, request)
    if cache.add(key, 1, timeout=rate.window):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.set(key, 1, timeout=rate.window)
            count = 1
    return count > rate.limit


def rate_limit_exceeded(request: HttpRequest, scope: str) -> bool:
    """True when the client has used up `scope` already (counts nothing)."""
    return (cache.get(_key(scope, request)) or 0) >= rate_for(scope).limit
