# ruff: noqa: F401, F811 (pytest fixtures imported from other test packages)
"""Fixtures of the connectors tests: the signing tests' test PKI, to send signed PDFs; two
agencies with exchange routes pointing at each other through Django's live server; the
one-stop fixtures (procedures, officer, applicant, papers, a signed result); the portal and
Egov stand-in (tools/portal_standin) as a subprocess on 127.0.0.1."""

import pytest
from django.core.cache import cache

from connectors.models import ExchangeRoute
from edoc.models import Agency, ExternalOrganization, Role, Unit, UnitKind, User
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
from tests.signing.conftest import pdf_sign, test_pki, trust_root  # session fixtures
from tests.signing.signing_support import (
    _no_token_unless_asked,
    in_signing,
    pkcs12_data,
    registered_signers,
    shipped,
)

SYT, UBND = "000.00.23.H19", "000.00.00.H19"


@pytest.fixture
def partner(users, catalogs):
    """The UBND as a second agency with its clerk; two routes, each side's keys."""
    ubnd_agency = Agency.objects.create(
        name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", code=UBND, place_name="Đồng Nai"
    )
    office = Unit.objects.create(
        agency=ubnd_agency, name="Văn phòng UBND", short_name="VP", kind=UnitKind.OFFICE
    )
    clerk = User.objects.create_user(
        username="vanthu_ubnd",
        password="pw-vanthu_ubnd",
        unit=office,
        role=Role.CLERK,
        first_name="Hà",
    )
    syt_org = ExternalOrganization.objects.create(name="Sở Y tế Đồng Nai", code=SYT)
    return {"agency": ubnd_agency, "clerk": clerk, "syt_org": syt_org}


def route(organization, url: str, ours: str, theirs: str) -> ExchangeRoute:
    """A route to `organization`: we sign with `<ours>-key`, it signs with `<theirs>-key`."""
    return ExchangeRoute.objects.create(
        organization=organization,
        base_url=url,
        our_key_id=f"{ours}-key",
        our_secret=f"secret-of-{ours}",
        partner_key_id=f"{theirs}-key",
        partner_secret=f"secret-of-{theirs}",
        allowed_ips="127.0.0.1\n::1",
    )


@pytest.fixture
def routes(live_server, catalogs, partner):
    cache.clear()  # an earlier run's nonces: Redis outlives the test database and its ids
    return {
        "to_ubnd": route(catalogs["ubnd"], live_server.url, "syt", "ubnd"),
        "to_syt": route(partner["syt_org"], live_server.url, "ubnd", "syt"),
        "url": live_server.url,
    }


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


# Two eDoc instances (tests/connectors/instances.py): short retries, so a test that stops the
# receiver for a while waits seconds, not minutes, once it is back.
INSTANCE_SETTINGS = {
    "EDOC_EXCHANGE_RETRY_SECONDS": "1",
    "EDOC_EXCHANGE_MAX_ATTEMPTS": "40",
    "EDOC_EXCHANGE_TIMEOUT_SECONDS": "10",
}


@pytest.fixture(scope="session")
def two_instances(tmp_path_factory):
    """A (Sở Y tế) and B (UBND), created, seeded and started once for the session; a test
    that stops one starts it again before it ends."""
    from tests.connectors.instances import pair_create, pair_drop

    pair = pair_create(tmp_path_factory.mktemp("instances"), **INSTANCE_SETTINGS)
    try:
        for instance in pair:
            instance.start()
        yield pair
    finally:
        pair_drop(pair)
