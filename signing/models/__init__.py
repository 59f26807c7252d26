"""Models of the signing app: trust roots and settings, signatures made, verification reports,
users' registered signing certificates."""

from .certificates import SignerCertificate
from .records import SignatureRecord, VerificationReport
from .trust import SigningSettings, TrustRoot

__all__ = [
    "SignatureRecord",
    "SignerCertificate",
    "SigningSettings",
    "TrustRoot",
    "VerificationReport",
]
