"""Fixtures of the connectors tests: the signing tests' test PKI, to send signed PDFs."""

from tests.signing.conftest import pdf_sign, test_pki, trust_root  # noqa: F401 (fixtures)
