"""Models of the signing app: trust roots and settings, signatures made, verification reports."""

from .records import SignatureRecord, VerificationReport
from .trust import SigningSettings, TrustRoot

__all__ = ["SignatureRecord", "SigningSettings", "TrustRoot", "VerificationReport"]
