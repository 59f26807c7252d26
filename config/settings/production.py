"""Production profile: base settings plus HTTPS-only transport.

Refuses to start while a setting that production needs is missing or still the embedded
default, naming every such setting at once (one line each). Passes `manage.py check --deploy`.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    AWS_STORAGE_BUCKET_NAME,
    CELERY_BROKER_URL,
    DATABASES,
    EDOC_PAYMENT_TEST_PROVIDERS,
    EDOC_PUBLIC_BASE_URL,
    OPENSEARCH_URL,
    REDIS_URL,
    SEARCH_BACKEND,
    SECRET_KEY,
)


def _is_set(name: str) -> bool:
    return bool(env.ENVIRON.get(name, "").strip())


def missing_settings() -> list[str]:
    """One message per setting production needs and does not have (empty: all set)."""
    problems = []
    if SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 50:
        problems.append(
            "DJANGO_SECRET_KEY: set a random value of at least 50 characters "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
    if not _is_set("DJANGO_ALLOWED_HOSTS") or not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append(
            "DJANGO_ALLOWED_HOSTS: set the public host name(s), comma-separated "
            "(e.g. edoc.soyte.example.gov.vn); '*' is refused."
        )
    if not _is_set("DATABASE_URL"):
        problems.append(
            "DATABASE_URL: set the PostgreSQL database "
            "(postgres://edoc:PASSWORD@127.0.0.1:5432/edoc)."
        )
    elif DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append(
            "DATABASE_URL: production runs on PostgreSQL (postgres://…); "
            "SQLite is for the embedded demo only."
        )
    if not REDIS_URL:
        problems.append(
            "REDIS_URL: set the Redis server shared by the web workers' cache and Celery "
            "(redis://127.0.0.1:6379/0)."
        )
    if REDIS_URL and CELERY_BROKER_URL.startswith("memory://"):
        problems.append("CELERY_BROKER_URL: set a real broker (Redis); memory:// loses tasks.")
    if SEARCH_BACKEND not in ("database", "opensearch"):
        problems.append("SEARCH_BACKEND: must be 'database' or 'opensearch'.")
    if SEARCH_BACKEND == "opensearch" and not OPENSEARCH_URL:
        problems.append(
            "OPENSEARCH_URL: SEARCH_BACKEND=opensearch needs the node's address "
            "(http://127.0.0.1:9200)."
        )
    s3_settings = ("AWS_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    if AWS_STORAGE_BUCKET_NAME:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            if not _is_set(name):
                problems.append(
                    f"{name}: AWS_STORAGE_BUCKET_NAME chooses S3 storage, which needs {name}."
                )
    elif any(_is_set(name) for name in s3_settings):
        problems.append(
            "AWS_STORAGE_BUCKET_NAME: S3 settings are set but no bucket; files would be "
            "written to MEDIA_ROOT instead. Set the bucket (or remove the AWS_* settings)."
        )
    if not EDOC_PUBLIC_BASE_URL.startswith("https://"):
        problems.append(
            "EDOC_PUBLIC_BASE_URL: set the site's public https:// address "
            "(QR codes on receipts and links in e-mails point there)."
        )
    if EDOC_PAYMENT_TEST_PROVIDERS:
        problems.append(
            "EDOC_PAYMENT_TEST_PROVIDERS: is for the demo's payment stand-in only; unset it."
        )
    return problems


if _problems := missing_settings():
    raise ImproperlyConfigured(
        "The production profile (config.settings.production) cannot start; "
        "set these in the environment or the env file (deploy/README.md):\n"
        + "\n".join(f"  - {problem}" for problem in _problems)
    )

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # views that embed a PDF opt in with @xframe_options_sameorigin
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
# The OpenID Connect provider sends codes and tokens to https:// addresses only.
OAUTH2_PROVIDER = {**OAUTH2_PROVIDER, "ALLOWED_REDIRECT_URI_SCHEMES": ["https"]}  # noqa: F405
# One JSON object a line (observability; EDOC_LOG_FORMAT=text for readable lines).
LOGGING["handlers"]["console"]["formatter"] = env.str("EDOC_LOG_FORMAT", default="json")  # noqa: F405
