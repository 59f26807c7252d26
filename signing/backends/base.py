"""One interface for the three ways a key signs: a PKCS#12 file, a PKCS#11 token, a remote
signer.

A backend is opened once per signing request (`async with backend.open() as key:`): that loads
the key material, or opens the token session, or looks up the remote credential, exactly once,
whatever the number of fields signed in the request. The opened key signs a prepared PDF
writer into an output stream (`await key.sign_pdf(request)`).
"""

from __future__ import annotations

import abc
import hashlib
import io
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import ClassVar

from asn1crypto import x509
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, Signer
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.stamp import BaseStampStyle


@dataclass
class PdfSigningRequest:
    """One signature to add: the open incremental writer, what to sign it with and where the
    signed file goes."""

    writer: object  # pyhanko IncrementalPdfFileWriter
    meta: PdfSignatureMetadata
    timestamper: TimeStamper | None
    stamp_style: BaseStampStyle | None
    output: io.BytesIO


class OpenedKey(abc.ABC):
    """A key ready to sign: its certificate, the CA certificates to embed, and how it signs."""

    source: ClassVar[str]

    certificate: x509.Certificate
    chain: list[x509.Certificate]

    @property
    def certificate_sha256(self) -> str:
        return hashlib.sha256(self.certificate.dump()).hexdigest()

    @property
    def subject(self) -> str:
        return self.certificate.subject.human_friendly

    @abc.abstractmethod
    def describe(self) -> dict[str, str]:
        """What the audit log says about the key (never a secret)."""

    @abc.abstractmethod
    async def sign_pdf(self, request: PdfSigningRequest) -> None:
        """Sign the request's writer into its output stream."""


class KeyBackend(abc.ABC):
    """Where a key lives. Holds what is needed to reach it (file and passphrase, PIN …) only in
    memory, for one request; `repr` never shows a secret."""

    source: ClassVar[str]

    @abc.abstractmethod
    def open(self) -> AbstractAsyncContextManager[OpenedKey]:
        """Load the key material / open the session, once."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class PyHankoSignerKey(OpenedKey):
    """A key behind a pyHanko `Signer` that signs in process (SimpleSigner, PKCS11Signer)."""

    def __init__(self, signer: Signer, *, source: str, details: dict[str, str]):
        self.signer = signer
        self.source = source  # type: ignore[misc]
        self._details = details
        self.certificate = signer.signing_cert
        self.chain = [
            cert for cert in signer.cert_registry if cert.dump() != self.certificate.dump()
        ]

    def describe(self) -> dict[str, str]:
        return dict(self._details)

    async def sign_pdf(self, request: PdfSigningRequest) -> None:
        pdf_signer = PdfSigner(
            request.meta,
            signer=self.signer,
            timestamper=request.timestamper,
            stamp_style=request.stamp_style,
        )
        await pdf_signer.async_sign_pdf(
            request.writer, existing_fields_only=True, output=request.output
        )
