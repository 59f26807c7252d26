"""A key on a PKCS#11 token or HSM (the agency's organisation key), through pyHanko's
`PKCS11Signer`. The module, token, key label and PIN come from the environment
(`signing.conf.pkcs11_settings`); the session is opened once per request and closed after."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from django.utils.translation import gettext as _
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.general import SigningError
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

from signing.backends.base import KeyBackend, OpenedKey, PyHankoSignerKey
from signing.conf import Pkcs11Settings, pkcs11_settings
from signing.errors import SigningRefused


class Pkcs11Key(KeyBackend):
    source = "pkcs11"

    def __init__(self, config: Pkcs11Settings | None = None):
        self.config = config or pkcs11_settings()

    def _open_session(self):
        import pkcs11

        config = self.config
        try:
            return open_pkcs11_session(
                config.module,
                token_criteria=TokenCriteria(label=config.token_label),
                user_pin=config.pin or None,
            )
        except (pkcs11.PKCS11Error, SigningError, OSError, RuntimeError) as error:
            raise SigningRefused(
                _("The signing token “%(token)s” cannot be opened (%(error)s).")
                % {"token": config.token_label, "error": type(error).__name__},
                "token_unavailable",
            )

    @asynccontextmanager
    async def open(self) -> AsyncIterator[OpenedKey]:
        import pkcs11

        if not self.config.configured:
            raise SigningRefused(
                _("No signing token is configured for the organisation key."),
                "token_unavailable",
            )
        session = await asyncio.to_thread(self._open_session)
        try:
            signer = PKCS11Signer(
                session,
                cert_label=self.config.cert_label,
                key_label=self.config.key_label,
                other_certs_to_pull=None,  # the CA certificates stored on the token
            )
            try:
                await signer.ensure_objects_loaded()
            except (pkcs11.PKCS11Error, SigningError) as error:
                raise SigningRefused(
                    _("The key “%(key)s” or its certificate is not on the token (%(error)s).")
                    % {"key": self.config.key_label, "error": type(error).__name__},
                    "token_unavailable",
                )
            yield PyHankoSignerKey(
                signer,
                source=self.source,
                details={
                    "key": "PKCS#11",
                    "token": self.config.token_label,
                    "key_label": self.config.key_label,
                },
            )
        finally:
            session.close()
