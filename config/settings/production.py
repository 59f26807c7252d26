"""Production profile: base settings plus HTTPS-only transport.

Passes `manage.py check --deploy`.
"""

from config.env import env

from .base import *  # noqa: F403
from .base import SECRET_KEY

DEBUG = False
if SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 50:
    raise RuntimeError("Set DJANGO_SECRET_KEY to a random value of at least 50 characters.")

if EDOC_PAYMENT_TEST_PROVIDERS:  # noqa: F405
    raise RuntimeError("EDOC_PAYMENT_TEST_PROVIDERS is for the demo's payment stand-in only.")

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
