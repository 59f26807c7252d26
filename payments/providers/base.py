"""The contract between the payments app and its providers (VNPAY, MoMo, VietQR, ...).

A provider module builds what sends the payer to pay (`start`) and checks what the provider
sends back (`verify_callback`); it never touches the database. The payments services own the
orders: they store each callback raw, lock the order, check amount and state and settle it.
Providers read their settings from the environment only and register themselves with
`register_provider`; everything else reaches them through `provider(key)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class PaymentRequest:
    """One order to pay: `amount` in integer VND, times timezone-aware."""

    order_code: str
    amount: int
    description: str
    created_at: datetime
    expires_at: datetime
    return_url: str
    ipn_url: str
    client_ip: str
    locale: str = "vn"


@dataclass(frozen=True)
class Redirect:
    """Send the payer's browser to `url` (the provider's payment page)."""

    url: str


@dataclass(frozen=True)
class ShowQr:
    """Show the payer an EMVCo QR `payload` to scan (VietQR)."""

    payload: str


@dataclass(frozen=True)
class CallbackResult:
    """A callback whose signature and form were verified: which order, the amount the provider
    reports (VND), whether the payment succeeded, the provider's transaction reference and
    answer code, when it was paid, and the raw parameters."""

    order_code: str
    amount: int
    success: bool
    provider_reference: str
    response_code: str
    paid_at: datetime | None
    raw: dict[str, str] = field(default_factory=dict)


class CallbackRejected(Exception):
    """A callback refused before it reaches an order: bad signature, malformed parameters.
    `code` is the provider's answer code (VNPAY "97" for a bad checksum, "99" otherwise)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@runtime_checkable
class Provider(Protocol):
    """A payment provider: `key` (e.g. "vnpay") and a Vietnamese-ready `label`."""

    key: str
    label: str

    def start(self, request: PaymentRequest) -> Redirect | ShowQr:
        """What sends the payer to pay `request`."""
        ...

    def verify_callback(self, params: Mapping[str, str]) -> CallbackResult:
        """Verify a callback's (IPN's) parameters; raises `CallbackRejected` on a bad signature
        or malformed parameters."""
        ...


PROVIDERS: dict[str, Provider] = {}


def register_provider(provider: Provider) -> None:
    """Make `provider` available under its `key` (replacing one of the same key)."""
    if not isinstance(provider, Provider):
        raise TypeError(f"{provider!r} does not implement payments.providers.base.Provider")
    PROVIDERS[provider.key] = provider


def provider(key: str) -> Provider:
    """The registered provider `key`; `KeyError` when none is registered under it."""
    try:
        return PROVIDERS[key]
    except KeyError:
        raise KeyError(f"no payment provider {key!r} is registered") from None
