"""System checks of the OpenID Connect provider's configuration."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


def _signing_key_missing(level: type[checks.CheckMessage], id: str) -> list[checks.CheckMessage]:
    if settings.OAUTH2_PROVIDER.get("OIDC_RSA_PRIVATE_KEY"):
        return []
    return [
        level(
            "The OpenID Connect provider has no signing key: it cannot sign ID tokens.",
            hint="Run `manage.py identity_keys ensure` (writes EDOC_OIDC_KEY_DIR/current.pem) "
            "or set EDOC_OIDC_PRIVATE_KEY, then restart.",
            id=id,
        )
    ]


def check_oidc_signing_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Without a signing key the provider cannot sign ID tokens: a warning while developing."""
    return _signing_key_missing(checks.Warning, "identity.W001")


def check_oidc_signing_key_deploy(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """`check --deploy`: a missing signing key is an error."""
    return _signing_key_missing(checks.Error, "identity.E001")


def check_oidc_issuer(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production the issuer is configured, not guessed from a request's Host header."""
    issuer = settings.EDOC_OIDC_ISSUER
    if not issuer:
        return [
            checks.Warning(
                "EDOC_OIDC_ISSUER is not set: the issuer is derived from each request.",
                hint="Set it to the public address of the provider, e.g. https://edoc.example/o.",
                id="identity.W002",
            )
        ]
    if not issuer.startswith("https://"):
        return [checks.Error("EDOC_OIDC_ISSUER must be an https:// URL.", id="identity.E002")]
    return []
