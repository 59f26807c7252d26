"""Model fields of the shared core: `EncryptedTextField` keeps a secret encrypted at rest.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under the
keys of `EDOC_FIELD_ENCRYPTION_KEYS` (comma-separated Fernet keys, newest first: the first
encrypts, every one decrypts, so keys rotate without downtime; `manage.py secrets_rotate`
re-encrypts the stored values under the newest). Without that setting one key is derived from
`DJANGO_SECRET_KEY` (HKDF-SHA256), which then must not change while secrets are stored.

A stored value reads `fernet:<token>`; a value without that prefix (written before the field
was encrypted) is read as it is, and encrypted on its next save. Encryption is randomised: an
encrypted field cannot be filtered on.
"""

from __future__ import annotations

import base64
import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


class SecretUnreadable(ImproperlyConfigured):
    """A stored secret no configured key decrypts (the key it was written with is gone)."""


@functools.lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"edoc field encryption"
        ).derive(secret_key.encode("utf-8"))
        keys = (base64.urlsafe_b64encode(derived).decode("ascii"),)
    try:
        return MultiFernet([Fernet(key.strip().encode("ascii")) for key in keys])
    except (ValueError, UnicodeEncodeError):
        raise ImproperlyConfigured(
            "EDOC_FIELD_ENCRYPTION_KEYS: each key must be a Fernet key "
            "(32 url-safe base64-encoded bytes; make one with "
            "`python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)."
        ) from None


def field_cipher() -> MultiFernet:
    """The cipher of the configured keys (the first encrypts)."""
    keys = tuple(key for key in getattr(settings, "EDOC_FIELD_ENCRYPTION_KEYS", ()) if key)
    return _cipher(keys, settings.SECRET_KEY)


def secret_encrypt(plain: str) -> str:
    """`plain` encrypted under the newest key, with its prefix."""
    return PREFIX + field_cipher().encrypt(plain.encode("utf-8")).decode("ascii")


def secret_decrypt(stored: str) -> str:
    """The plain text of a stored value (a value without the prefix is returned as it is)."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return field_cipher().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise SecretUnreadable(
            "A stored secret cannot be decrypted with the keys of EDOC_FIELD_ENCRYPTION_KEYS "
            "(or the key derived from DJANGO_SECRET_KEY): add the key it was written with."
        ) from None


def secret_rotate(stored: str) -> str:
    """A stored value re-encrypted under the newest key (plain text gets encrypted)."""
    if not stored:
        return stored
    if not stored.startswith(PREFIX):
        return secret_encrypt(stored)
    try:
        token = field_cipher().rotate(stored[len(PREFIX) :].encode("ascii"))
    except InvalidToken:
        secret_decrypt(stored)  # raises the clear error
        raise
    return PREFIX + token.decode("ascii")


class EncryptedTextField(models.TextField):
    """Text kept encrypted in the database and read back in plain text."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return value if value is None else secret_decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, "") or (isinstance(value, str) and value.startswith(PREFIX)):
            return value
        return secret_encrypt(value)
