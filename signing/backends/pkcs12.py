"""A PKCS#12 file and its passphrase, given at signing time and used in memory only.

Nothing of it is written to disk, to the database or to a log: the bytes and the passphrase
live in this object for the duration of one request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from django.utils.translation import gettext as _
from pyhanko.sign.signers import SimpleSigner

from signing.backends.base import KeyBackend, OpenedKey, PyHankoSignerKey
from signing.errors import SigningRefused

#: A PKCS#12 key file is a few kilobytes; anything much larger is not one.
MAX_PKCS12_BYTES = 64 * 1024


class Pkcs12Key(KeyBackend):
    source = "pkcs12"

    def __init__(self, data: bytes, passphrase: str):
        self._data = data
        self._passphrase = passphrase

    @asynccontextmanager
    async def open(self) -> AsyncIterator[OpenedKey]:
        if not self._data or len(self._data) > MAX_PKCS12_BYTES:
            raise SigningRefused(
                _("This is not a PKCS#12 key file (.p12 or .pfx)."),
                "not_pkcs12",
                field="pkcs12_file",
            )
        try:
            signer = SimpleSigner.load_pkcs12_data(
                self._data, other_certs=[], passphrase=self._passphrase.encode()
            )
        except ValueError:
            raise SigningRefused(
                _("The passphrase is wrong, or the file is not a PKCS#12 key file."),
                "wrong_passphrase",
                field="passphrase",
            )
        if signer.signing_cert is None or signer.signing_key is None:
            raise SigningRefused(
                _("The PKCS#12 file holds no certificate with its private key."),
                "not_pkcs12",
                field="pkcs12_file",
            )
        try:
            yield PyHankoSignerKey(signer, source=self.source, details={"key": "PKCS#12 file"})
        finally:
            self.forget()
            del signer

    def forget(self) -> None:
        """Drop the key file and passphrase from this object."""
        self._data = b""
        self._passphrase = ""
