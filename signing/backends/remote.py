"""Remote signing (ký số từ xa): the key stays with a signing service; eDoc prepares the PDF and
the signed attributes, the service signs their hash, eDoc completes the PDF.

The service speaks the subset of the Cloud Signature Consortium API v1 that pyHanko's
`CSCSigner` uses (`tools/remote_signer/` is a small implementation of it):

- `credentials/list` {userID} → the user's credential IDs,
- `credentials/info` {credentialID} → certificate chain, key algorithms, SCAL,
- `credentials/authorize` {credentialID, numSignatures, hash?, PIN?} → SAD,
- `signatures/signHash` {credentialID, SAD, hash, hashAlgo, signAlgo} → signatures.

eDoc authenticates with a bearer token (`EDOC_REMOTE_SIGNER_TOKEN`); the user authorises each
signature with their own PIN, which is passed through and never stored.

Signing is pyHanko's interrupted signing: `PdfSigner.async_digest_doc_for_signing` writes the
document with a placeholder and returns the byte-range digest, `Signer.signed_attrs` builds the
signed attributes, the service signs their hash, `async_sign_prescribed_attributes` assembles
the CMS (adding the signature timestamp) and `PdfTBSDocument.async_finish_signing` fills the
placeholder and adds the validation data.
"""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import aiohttp
from django.utils.translation import gettext as _
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import ExternalSigner, PdfSigner
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument

from signing.backends.base import KeyBackend, OpenedKey, PdfSigningRequest
from signing.conf import RemoteSettings, remote_settings
from signing.errors import SigningRefused

TIMEOUT_SECONDS = 30
DIGEST = "sha256"


def _unavailable(url: str) -> SigningRefused:
    return SigningRefused(
        _("The remote signing service (%(url)s) did not answer; nothing was signed.")
        % {"url": url},
        "remote_unavailable",
    )


class PinAuthorizationManager(CSCAuthorizationManager):
    """Asks `credentials/authorize` for the SAD of each signature with the user's PIN, pinned
    to the hashes when the credential requires it (SCAL 2)."""

    def __init__(
        self,
        csc_session_info: CSCServiceSessionInfo,
        credential_info: CSCCredentialInfo,
        *,
        http: aiohttp.ClientSession,
        pin: str | None,
    ):
        super().__init__(csc_session_info, credential_info)
        self._http = http
        self._pin = pin or None

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        body = self.format_csc_auth_request(
            num_signatures=len(hash_b64s),
            pin=self._pin,
            hash_b64s=hash_b64s if self.credential_info.hash_pinning_required else None,
        )
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        try:
            async with self._http.post(
                url,
                headers=self.auth_headers,
                json=body,
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
            ) as response:
                data = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError):
            raise _unavailable(self.csc_session_info.service_url)
        if status == 400 and isinstance(data, dict) and data.get("error") == "invalid_pin":
            raise SigningRefused(
                _("The remote signing service refused the PIN."), "wrong_pin", field="pin"
            )
        if status != 200:
            raise SigningRefused(
                _("The remote signing service refused to authorise the signature (%(error)s).")
                % {"error": (data or {}).get("error_description") or status},
                "remote_refused",
            )
        return self.parse_csc_auth_response(data)


class RemoteOpenedKey(OpenedKey):
    source = "remote"

    def __init__(
        self, csc_signer: CSCSigner, info: CSCCredentialInfo, session: CSCServiceSessionInfo
    ):
        self.csc_signer = csc_signer
        self.info = info
        self.session_info = session
        self.certificate = info.signing_cert
        self.chain = list(info.chain)

    def describe(self) -> dict[str, str]:
        return {
            "key": "remote (CSC API)",
            "service": self.session_info.service_url,
            "credential": self.session_info.credential_id,
        }

    async def sign_pdf(self, request: PdfSigningRequest) -> None:
        mechanism = self.csc_signer.get_signature_mechanism_for_digest(DIGEST)
        registry = self.info.as_cert_store()
        placeholder = ExternalSigner(
            signing_cert=self.certificate,
            cert_registry=registry,
            signature_value=max(512, self.certificate.public_key.byte_size),
            signature_mechanism=mechanism,
        )
        meta = replace(request.meta, md_algorithm=DIGEST)
        pdf_signer = PdfSigner(
            meta,
            signer=placeholder,
            timestamper=request.timestamper,
            stamp_style=request.stamp_style,
        )
        # 1. The server prepares the document: placeholder, byte-range digest.
        prepared, tbs_document, output = await pdf_signer.async_digest_doc_for_signing(
            request.writer, existing_fields_only=True, output=request.output
        )
        # 2. … and the signed attributes.
        signed_attrs = await placeholder.signed_attrs(
            prepared.document_digest,
            DIGEST,
            attr_settings=PdfCMSSignedAttributes(
                signing_time=datetime.datetime.now(tz=datetime.UTC),
                cades_signed_attrs=meta.cades_signed_attr_spec,
            ),
            use_pades=tbs_document.use_pades,
        )
        # 3. The remote signer signs their hash (credentials/authorize + signatures/signHash).
        try:
            raw_signature = await self.csc_signer.async_sign_raw(signed_attrs.dump(), DIGEST)
        except SigningError:
            raise _unavailable(self.session_info.service_url)
        # 4. The server assembles the CMS (with the signature timestamp) and completes the PDF.
        final = ExternalSigner(
            signing_cert=self.certificate,
            cert_registry=registry,
            signature_value=raw_signature,
            signature_mechanism=mechanism,
        )
        signature_cms = await final.async_sign_prescribed_attributes(
            DIGEST, signed_attrs=signed_attrs, timestamper=request.timestamper
        )
        await PdfTBSDocument.async_finish_signing(
            output,
            prepared,
            signature_cms,
            post_sign_instr=tbs_document.post_sign_instructions,
            validation_context=meta.validation_context,
        )


class RemoteKey(KeyBackend):
    """The user's credential at the remote signing service."""

    source = "remote"

    def __init__(self, user_id: str, pin: str = "", config: RemoteSettings | None = None):
        self.user_id = user_id
        self._pin = pin
        self.config = config or remote_settings()

    async def _credential_id(
        self, http: aiohttp.ClientSession, session: CSCServiceSessionInfo
    ) -> str:
        url = session.endpoint_url("credentials/list")
        try:
            async with http.post(
                url,
                headers=session.auth_headers,
                json={"userID": self.user_id, "maxResults": 10},
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
            ) as response:
                status = response.status
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError):
            raise _unavailable(self.config.url)
        if status != 200 or not isinstance(data, dict):
            raise _unavailable(self.config.url)
        ids = data.get("credentialIDs") or []
        if not ids:
            raise SigningRefused(
                _("The remote signing service has no signing key for your account."),
                "no_remote_credential",
            )
        return str(ids[0])

    @asynccontextmanager
    async def open(self) -> AsyncIterator[OpenedKey]:
        if not self.config.configured:
            raise SigningRefused(
                _("Remote signing is not configured on this server."), "remote_unavailable"
            )
        async with aiohttp.ClientSession() as http:
            session = CSCServiceSessionInfo(
                service_url=self.config.url,
                credential_id="",
                oauth_token=self.config.token or None,
            )
            session = replace(session, credential_id=await self._credential_id(http, session))
            try:
                info = await fetch_certs_in_csc_credential(http, session, timeout=TIMEOUT_SECONDS)
            except SigningError:
                raise _unavailable(self.config.url)
            auth = PinAuthorizationManager(session, info, http=http, pin=self._pin)
            self._pin = ""
            yield RemoteOpenedKey(
                CSCSigner(http, auth, sign_timeout=TIMEOUT_SECONDS), info, session
            )
