"""Deployment settings of signing, from the environment read through `config.env` (Django
settings override them).

- `EDOC_PKCS11_MODULE`: PKCS#11 module of the token/HSM holding the organisation key, e.g.
  `/usr/lib/softhsm/libsofthsm2.so`; empty: issuance applies no organisation seal.
- `EDOC_PKCS11_TOKEN_LABEL`: label of the token; `EDOC_PKCS11_PIN`: its user PIN.
- `EDOC_PKCS11_KEY_LABEL`: label of the organisation key (and of its certificate, unless
  `EDOC_PKCS11_CERT_LABEL` says otherwise).
- `EDOC_REMOTE_SIGNER_URL`: base URL of the remote signing service (Cloud Signature
  Consortium API v1); `EDOC_REMOTE_SIGNER_TOKEN`: the bearer token eDoc presents to it.
- `EDOC_SIGNING_LTA`: `1` adds a document timestamp after each signature (PAdES B-LTA).
- `EDOC_AUDIT_ANCHOR_ROOTS`: a PEM file of the roots the audit anchors' timestamp and seal
  must chain to; empty: the admin-managed trust roots (which live in the database).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from config.env import literal


def _value(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = literal(name, default)
    return str(value)


@dataclass(frozen=True)
class Pkcs11Settings:
    module: str
    token_label: str
    pin: str
    key_label: str
    cert_label: str

    @property
    def configured(self) -> bool:
        return bool(self.module and self.token_label and self.key_label)

    def __repr__(self) -> str:  # never show the PIN
        return (
            f"Pkcs11Settings(module={self.module!r}, token_label={self.token_label!r}, "
            f"key_label={self.key_label!r})"
        )


def pkcs11_settings() -> Pkcs11Settings:
    key_label = _value("EDOC_PKCS11_KEY_LABEL")
    return Pkcs11Settings(
        module=_value("EDOC_PKCS11_MODULE"),
        token_label=_value("EDOC_PKCS11_TOKEN_LABEL"),
        pin=_value("EDOC_PKCS11_PIN"),
        key_label=key_label,
        cert_label=_value("EDOC_PKCS11_CERT_LABEL") or key_label,
    )


@dataclass(frozen=True)
class RemoteSettings:
    url: str
    token: str

    @property
    def configured(self) -> bool:
        return bool(self.url)

    def __repr__(self) -> str:
        return f"RemoteSettings(url={self.url!r})"


def remote_settings() -> RemoteSettings:
    return RemoteSettings(
        url=_value("EDOC_REMOTE_SIGNER_URL").rstrip("/"), token=_value("EDOC_REMOTE_SIGNER_TOKEN")
    )


def lta_enabled() -> bool:
    return _value("EDOC_SIGNING_LTA", "0").lower() in ("1", "true", "yes", "on")


def audit_anchor_roots_path() -> str:
    return _value("EDOC_AUDIT_ANCHOR_ROOTS")
