"""Providers come from the environment's settings only, and only when filled in."""

from __future__ import annotations

from payments.providers.base import PROVIDERS
from payments.providers.configured import configured_providers, register_configured


def test_nothing_is_offered_without_settings(settings):
    for name in ("VNPAY_TMN_CODE", "MOMO_PARTNER_CODE", "VIETQR_BANK_BIN"):
        setattr(settings, name, "")
    assert configured_providers() == []


def test_configured_providers_are_registered_without_exposing_secrets(settings):
    settings.VNPAY_TMN_CODE, settings.VNPAY_HASH_SECRET = "EDOCTEST", "$vnpay-secret"
    settings.VNPAY_PAYMENT_URL = "http://127.0.0.1:8770/vnpay/paymentv2/vpcpay.html"
    settings.MOMO_PARTNER_CODE, settings.MOMO_ACCESS_KEY = "MOMOEDOC", "access"
    settings.MOMO_SECRET_KEY, settings.MOMO_ENDPOINT = "$momo-secret", "http://127.0.0.1:8770/momo/"
    settings.VIETQR_BANK_BIN, settings.VIETQR_ACCOUNT_NUMBER = "970415", "113366668888"
    settings.VIETQR_ACCOUNT_NAME = "SO Y TE"
    saved = dict(PROVIDERS)
    try:
        assert register_configured() == ["vnpay", "momo", "vietqr"]
        vnpay, momo, vietqr = (PROVIDERS[key] for key in ("vnpay", "momo", "vietqr"))
        assert (
            vnpay.hash_secret == "$vnpay-secret" and momo.endpoint == "http://127.0.0.1:8770/momo"
        )
        assert vietqr.account_name == "SO Y TE"
        for provider in (vnpay, momo):
            assert "secret" not in repr(provider)
    finally:
        PROVIDERS.clear()
        PROVIDERS.update(saved)
