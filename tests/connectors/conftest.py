# ruff: noqa: F401, F811 (pytest fixtures imported from other test packages)
"""Fixtures of the connectors tests: the signing tests' test PKI, to send signed PDFs; the
one-stop fixtures (procedures, officer, applicant, papers, a signed result); the portal and
Egov stand-in (tools/portal_standin) as a subprocess on 127.0.0.1."""

import pytest

from tests.connectors.portal_support import AGENCY, EGOV_TOKEN, TOKEN, StandIn
from tests.onestop.conftest import (
    _media,
    all_files,
    applicant,
    officer,
    papers,
    procedure,
    signed_result,
    upload,
)
from tests.signing.conftest import pdf_sign, test_pki  # session fixtures
from tests.signing.signing_support import (
    _no_token_unless_asked,
    in_signing,
    pkcs12_data,
    registered_signers,
    shipped,
)


@pytest.fixture
def standin(tmp_path):
    """The stand-in, not started (a test starts it, or first finds it down)."""
    server = StandIn(tmp_path / "standin.json")
    yield server
    server.stop()


@pytest.fixture
def connected(settings, standin):
    """eDoc's settings pointing at the stand-in (config/env.py names in README)."""
    settings.EDOC_DVC_SYNC_URL = standin.url + "/dvc"
    settings.EDOC_DVC_SYNC_TOKEN = TOKEN
    settings.EDOC_DVC_AGENCY_CODE = AGENCY
    settings.EDOC_EGOV_URL = standin.url
    settings.EDOC_EGOV_TOKEN = EGOV_TOKEN
    settings.EDOC_CONNECTOR_TIMEOUT = 5
    settings.EDOC_CONNECTOR_RETRY_SECONDS = 30
    return standin
