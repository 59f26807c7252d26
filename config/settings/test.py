"""Test profile: base settings with fast hashing, eager Celery and isolated file storage."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = tempfile.mkdtemp(prefix="edoc-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="edoc-test-static-")
EDOC_DEMO_PKI_DIR = tempfile.mkdtemp(prefix="edoc-test-demo-pki-")  # seed_signing, not var/
if STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    STORAGES["default"]["OPTIONS"]["location"] = MEDIA_ROOT
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared in-memory database: the live server's threads and the
    # background thread then wait on a busy database (WAL, timeout) instead of failing with
    # "database table is locked" (shared-cache table locks do not wait).
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.mkdtemp(prefix="edoc-test-db-")) / "test.sqlite3")
    }

# The OpenID Connect provider signs with a key of the test run's own, never one under var/.
from identity.keys import generate_private_key_pem  # noqa: E402

OAUTH2_PROVIDER = {  # noqa: F405
    **OAUTH2_PROVIDER,  # noqa: F405
    "OIDC_RSA_PRIVATE_KEY": generate_private_key_pem(),
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [],
}
# The second-factor requirement is off for the suite's users (they have no device); the tests of
# identity turn it on (settings.EDOC_2FA_POLICY = True). Users with a device are always asked.
EDOC_2FA_POLICY = False
