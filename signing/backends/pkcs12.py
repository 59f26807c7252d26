"""A PKCS#12 file and its passphrase, given at signing time and used in memory only.

Nothing of it is written to disk, to the database or to a log: the bytes and the passphrase
live in this object for the duration of one request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from asn1crypto import keys, x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils.translation import gettext as _
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

from signing.backends.base import KeyBackend, OpenedKey, PyHankoSignerKey
from signing.errors import SigningRefused

#: A PKCS#12 key file is a few kilobytes; anything much larger is not one.
MAX_PKCS12_BYTES = 64 * 1024


class LoadedKeySigner(SimpleSigner):
    """pyHanko's SimpleSigner parses the private key again for every raw signature (the size
    estimate and the signature itself); this one keeps the key object loaded from the PKCS#12
    for the request."""

    def __init__(self, private_key, **kwargs):
        self._private_key = private_key
        super().__init__(**kwargs)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algorithm = mechanism.signature_algo
        except ValueError:
            algorithm = mechanism["algorithm"].native
        key = self._private_key
        if algorithm == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if algorithm == "rsassa_pss" and isinstance(key, rsa.RSAPrivateKey):
            pss_padding, hash_algorithm = process_pss_params(mechanism["parameters"])
            return key.sign(data, pss_padding, hash_algorithm)
        if algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)  # other key types: pyHanko's way


def load_pkcs12(data: bytes, passphrase: str) -> LoadedKeySigner:
    """Decrypt the PKCS#12 once; raises ValueError when it cannot be read with `passphrase`."""
    try:
        private_key, certificate, others = pkcs12.load_key_and_certificates(
            data, passphrase.encode() or None
        )
    except Exception as error:  # cryptography raises ValueError, TypeError, … per format
        raise ValueError("Could not load key material from PKCS#12 data") from error
    if private_key is None or certificate is None:
        raise LookupError("no key or certificate")
    registry = SimpleCertificateStore()
    registry.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in others])
    info: keys.PrivateKeyInfo = translate_pyca_cryptography_key_to_asn1(private_key)
    return LoadedKeySigner(
        private_key,
        signing_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
        signing_key=info,
        cert_registry=registry,
    )


def pkcs12_certificate(data: bytes, passphrase: str) -> x509.Certificate:
    """Only the certificate of a PKCS#12 file (its private key is dropped at once); raises
    ValueError when it cannot be read with `passphrase` or holds no certificate."""
    try:
        _key, certificate, _others = pkcs12.load_key_and_certificates(
            data, passphrase.encode() or None
        )
    except Exception as error:  # cryptography raises ValueError, TypeError, … per format
        raise ValueError("Could not load the PKCS#12 data") from error
    del _key
    if certificate is None:
        raise ValueError("no certificate in the PKCS#12 data")
    return translate_pyca_cryptography_cert_to_asn1(certificate)


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
            signer = load_pkcs12(self._data, self._passphrase)
        except ValueError:
            raise SigningRefused(
                _("The passphrase is wrong, or the file is not a PKCS#12 key file."),
                "wrong_passphrase",
                field="passphrase",
            )
        except LookupError:
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
