"""Fixtures of the connectors tests: the signing tests' test PKI, to send signed PDFs."""

from tests.signing.conftest import pdf_sign, test_pki  # noqa: F401 (session fixtures)
