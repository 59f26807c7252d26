"""The OpenID Connect provider's signing keys: one current RSA key and the retired ones.

Kept as PEM files in a folder (`EDOC_OIDC_KEY_DIR`, default `var/oidc-keys/`):

    current.pem              signs new ID tokens
    retired/<UTC time>.pem   no longer signs, still published in the JWKS so that relying
                             parties can verify the tokens it signed until they expire

`rotate` moves the current key to `retired/` and writes a new one; `prune` removes retired
keys older than a given age. The settings read the folder at start-up (restart the server
after a rotation). This module is imported by the settings: no Django imports here.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CURRENT = "current.pem"
RETIRED = "retired"
KEY_BITS = 3072


def generate_private_key_pem() -> str:
    """A new RSA private key (3072 bits) as unencrypted PKCS#8 PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@dataclass(frozen=True)
class SigningKeys:
    current: str  # PEM, "" when there is none
    retired: list[str]  # PEMs, newest first


def _write_private(path: Path, pem: str) -> None:
    """Write a key readable by its owner only (created 0600, never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(pem)


def retired_files(directory: Path) -> list[Path]:
    """The retired keys' files, newest first (their names are their retirement times)."""
    folder = Path(directory) / RETIRED
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.pem"), reverse=True)


def read_signing_keys(directory: Path, current_pem: str = "") -> SigningKeys:
    """The keys in `directory`; `current_pem` (from the environment) replaces current.pem."""
    directory = Path(directory)
    current_file = directory / CURRENT
    if not current_pem and current_file.is_file():
        current_pem = current_file.read_text()
    retired = [path.read_text() for path in retired_files(directory)]
    return SigningKeys(current=current_pem.strip() + "\n" if current_pem else "", retired=retired)


def ensure(directory: Path) -> bool:
    """Write a current key when there is none; True when one was written."""
    current_file = Path(directory) / CURRENT
    if current_file.is_file():
        return False
    _write_private(current_file, generate_private_key_pem())
    return True


def rotate(directory: Path, *, now: datetime.datetime | None = None) -> Path | None:
    """Retire the current key (still published) and write a new one. Returns the retired
    key's file (None when there was no current key)."""
    directory = Path(directory)
    current_file = directory / CURRENT
    now = now or datetime.datetime.now(datetime.UTC)
    retired_file = None
    new_pem = generate_private_key_pem()  # before touching anything: a failure changes nothing
    if current_file.is_file():
        retired_file = directory / RETIRED / f"{now:%Y%m%dT%H%M%S%fZ}.pem"
        retired_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.replace(current_file, retired_file)
    _write_private(current_file, new_pem)
    return retired_file


def prune(directory: Path, *, older_than: datetime.timedelta) -> list[Path]:
    """Remove the retired keys retired more than `older_than` ago; returns the removed files.
    Keep them at least as long as the longest-lived ID token they signed."""
    cutoff = datetime.datetime.now(datetime.UTC) - older_than
    removed = []
    for path in retired_files(directory):
        try:
            retired_at = datetime.datetime.strptime(path.stem, "%Y%m%dT%H%M%S%fZ").replace(
                tzinfo=datetime.UTC
            )
        except ValueError:
            continue  # a file an operator put there by hand: theirs to remove
        if retired_at < cutoff:
            path.unlink()
            removed.append(path)
    return removed
