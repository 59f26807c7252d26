"""What the provider modules share: calls to a provider's JSON API, their errors and results.

Secrets never reach an exception message or a log line: errors name the provider's answer code
and message only.
"""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import requests

from edoc.text import fold

logger = logging.getLogger(__name__)


class ProviderApiError(Exception):
    """A provider's API could not be reached, answered with an error, or answered something that
    does not verify. `code` is the provider's answer code ("network", "http", "format" or
    "signature" when there is none)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RefundResult:
    """A provider's answer to a refund request: `accepted` when it took the refund, its answer
    code and message, and the refund's own reference."""

    order_code: str
    amount: int
    accepted: bool
    response_code: str
    message: str
    provider_reference: str
    raw: dict[str, str] = field(default_factory=dict)


def hmac_hex(secret: str, message: str, digest: str) -> str:
    """HMAC of the UTF-8 `message` under `secret` with `digest` ("sha512", "sha256"), lower hex."""
    return hmac.new(secret.encode(), message.encode(), digest).hexdigest()


def same_signature(expected: str, given: str) -> bool:
    """Constant-time, case-insensitive comparison of two hex signatures."""
    return hmac.compare_digest(expected.lower().encode(), (given or "").lower().encode())


def post_json(url: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    """POST `body` as JSON to `url`; the answer's JSON object. `ProviderApiError` when the
    provider cannot be reached, answers an HTTP error or something other than a JSON object."""
    try:
        answer = requests.post(url, json=body, timeout=timeout)
    except requests.RequestException as error:
        logger.warning("payment provider at %s unreachable: %s", url, type(error).__name__)
        raise ProviderApiError("network", f"{url} unreachable ({type(error).__name__})") from None
    if answer.status_code >= 400:
        raise ProviderApiError("http", f"{url} answered HTTP {answer.status_code}")
    try:
        data = answer.json()
    except ValueError:
        raise ProviderApiError("format", f"{url} answered something other than JSON") from None
    if not isinstance(data, dict):
        raise ProviderApiError("format", f"{url} answered JSON that is not an object")
    return data


def stringify(params: dict[str, Any]) -> dict[str, str]:
    """Every value as the string a provider signs (JSON numbers without a decimal point)."""
    return {str(key): "" if value is None else str(value) for key, value in params.items()}


_UNSAFE = re.compile(r"[^A-Za-z0-9 .,:\-_/]+")


def plain_ascii(text: str, limit: int = 255) -> str:
    """`text` without Vietnamese marks or special characters, one space between words, at most
    `limit` characters (what VNPAY and banks accept in an order's description)."""
    return " ".join(_UNSAFE.sub(" ", _keep_case_fold(text)).split())[:limit].strip()


def _keep_case_fold(text: str) -> str:
    """Strip the marks but keep each letter's case ("Phí Đăng ký" → "Phi Dang ky")."""
    return "".join(
        char if len(folded := fold(char)) != 1 else (folded.upper() if char.isupper() else folded)
        for char in text
    )
