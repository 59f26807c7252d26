"""A complete environment for the production profile (config.settings.production), for tests
that run it in a subprocess; each test overrides or removes what it checks."""

from __future__ import annotations

import os

from identity.keys import generate_private_key_pem

SECRET = "k" * 10 + "9f3b2c7e1a5d8f0b4c6e2a9d7f1b3c5e8a0d2f4b6c8e0a"
HOST = "edoc.example.gov.vn"
OIDC_KEY = generate_private_key_pem()  # the OpenID Connect provider's signing key
# Settings only: a profile that is never connected may name servers that are not there.
UNUSED_DATABASE = "postgres://edoc:edoc@127.0.0.1:1/edoc_unused"
UNUSED_REDIS = "redis://127.0.0.1:1/0"

# Variables of the calling environment that would complete (or spoil) the profile under test.
PRODUCTION_VARIABLES = (
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "SEARCH_BACKEND",
    "OPENSEARCH_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "EDOC_PUBLIC_BASE_URL",
    "EDOC_PAYMENT_TEST_PROVIDERS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def production_environment(**overrides: str | None) -> dict[str, str]:
    """This process's environment without its service settings, plus a complete production
    profile; an override of None removes that variable."""
    inherited = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES}
    environment = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": UNUSED_DATABASE,
        "REDIS_URL": UNUSED_REDIS,
        "SEARCH_BACKEND": "database",
        "EDOC_PUBLIC_BASE_URL": f"https://{HOST}",
        "EDOC_OIDC_ISSUER": f"https://{HOST}/o",
        "EDOC_OIDC_PRIVATE_KEY": OIDC_KEY,
    }
    for name, value in overrides.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment
