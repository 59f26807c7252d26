"""The providers the deployment configured (VNPAY_*, MOMO_*, VIETQR_* settings), registered at
start-up: `register_configured()` from the payments app's `ready()`."""

from __future__ import annotations

from payments.providers.base import Provider, register_provider
from payments.providers.momo import MomoProvider
from payments.providers.vietqr import VietQrProvider
from payments.providers.vnpay import VnpayProvider


def configured_providers() -> list[Provider]:
    """VNPAY, MoMo and VietQR, each only when its settings are filled in."""
    found = (
        VnpayProvider.from_settings(),
        MomoProvider.from_settings(),
        VietQrProvider.from_settings(),
    )
    return [provider for provider in found if provider is not None]


def register_configured() -> list[str]:
    """Register every configured provider; their keys."""
    providers = configured_providers()
    for provider in providers:
        register_provider(provider)
    return [provider.key for provider in providers]
