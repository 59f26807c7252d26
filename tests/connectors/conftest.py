"""Fixtures of the connectors tests: the signing tests' test PKI, to send signed PDFs, and two
agencies with exchange routes pointing at each other through Django's live server."""

import pytest

from connectors.models import ExchangeRoute
from edoc.models import Agency, ExternalOrganization, Role, Unit, UnitKind, User
from tests.signing.conftest import pdf_sign, test_pki, trust_root  # noqa: F401 (fixtures)

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


@pytest.fixture
def routes(live_server, catalogs, partner):
    to_ubnd = ExchangeRoute.objects.create(
        organization=catalogs["ubnd"],
        base_url=live_server.url,
        our_key_id="syt-key",
        our_secret="secret-of-syt",
        partner_key_id="ubnd-key",
        partner_secret="secret-of-ubnd",
        allowed_ips="127.0.0.1",
    )
    to_syt = ExchangeRoute.objects.create(
        organization=partner["syt_org"],
        base_url=live_server.url,
        our_key_id="ubnd-key",
        our_secret="secret-of-ubnd",
        partner_key_id="syt-key",
        partner_secret="secret-of-syt",
        allowed_ips="127.0.0.1\n::1",
    )
    return {"to_ubnd": to_ubnd, "to_syt": to_syt, "url": live_server.url}
