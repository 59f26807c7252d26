"""Key backends behind one interface: PKCS#12 file, PKCS#11 token, remote signer."""

from signing.backends.base import KeyBackend, OpenedKey, PdfSigningRequest
from signing.backends.pkcs11 import Pkcs11Key
from signing.backends.pkcs12 import Pkcs12Key
from signing.backends.remote import RemoteKey

__all__ = ["KeyBackend", "OpenedKey", "PdfSigningRequest", "Pkcs11Key", "Pkcs12Key", "RemoteKey"]
