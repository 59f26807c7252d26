"""The exchange route in the admin: the HMAC secrets are write-only (never rendered back, an
empty field keeps the stored one), and an IP allow-list that does not parse is refused."""

from __future__ import annotations

import pytest

from connectors.models import ExchangeRoute
from edoc.models import ExternalOrganization


@pytest.fixture
def admin_client(client, users):
    user = users["clerk"]
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def route_form(organization, **changes) -> dict:
    data = {
        "organization": organization.pk,
        "transport": "edoc-https",
        "base_url": "https://edoc.ubnd.example",
        "our_key_id": "syt-key",
        "our_secret": "",
        "partner_key_id": "ubnd-key",
        "partner_secret": "",
        "allowed_ips": "203.0.113.7\n198.51.100.0/24",
        "enabled": "on",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_the_secrets_are_never_shown_back(admin_client, catalogs):
    response = admin_client.post(
        "/admin/connectors/exchangeroute/add/",
        route_form(catalogs["ubnd"], our_secret="s3cret-ours", partner_secret="s3cret-theirs"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    route = ExchangeRoute.objects.get()
    assert (route.our_secret, route.partner_secret) == ("s3cret-ours", "s3cret-theirs")
    page = admin_client.get(f"/admin/connectors/exchangeroute/{route.pk}/change/")
    assert page.status_code == 200
    assert "s3cret" not in page.content.decode()
    assert "Để trống để giữ khóa bí mật đã lưu" in page.content.decode()

    admin_client.post(
        f"/admin/connectors/exchangeroute/{route.pk}/change/",
        route_form(catalogs["ubnd"], partner_secret="rotated"),
    )
    route.refresh_from_db()
    assert (route.our_secret, route.partner_secret) == ("s3cret-ours", "rotated")
    assert route.allows("198.51.100.20") and not route.allows("198.51.101.1")


@pytest.mark.django_db
def test_a_new_route_needs_its_secrets_and_a_valid_allow_list(admin_client, catalogs):
    response = admin_client.post(
        "/admin/connectors/exchangeroute/add/",
        route_form(catalogs["ubnd"], our_secret="a", allowed_ips="not-an-address"),
    )
    assert response.status_code == 200 and ExchangeRoute.objects.count() == 0
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"partner_secret", "allowed_ips"}


@pytest.mark.django_db
def test_an_axis_route_needs_no_address_or_keys_of_its_own(admin_client, catalogs, partner):
    page = admin_client.get("/admin/connectors/exchangeroute/add/").content.decode()
    assert "Trục liên thông văn bản quốc gia (VPCP / LGSP)" in page
    for organization in (catalogs["ubnd"], partner["syt_org"]):  # two: no key id collides
        response = admin_client.post(
            "/admin/connectors/exchangeroute/add/",
            route_form(
                organization,
                transport="axis",
                base_url="",
                our_key_id="",
                partner_key_id="",
                allowed_ips="",
            ),
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    assert list(ExchangeRoute.objects.values_list("transport", "partner_key_id")) == [
        ("axis", None),
        ("axis", None),
    ]
    response = admin_client.post(
        "/admin/connectors/exchangeroute/add/",
        route_form(
            ExternalOrganization.objects.create(name="Sở Tài chính", code="000.00.24.H19"),
            base_url="",
            our_secret="a",
            partner_secret="b",
        ),
    )
    assert response.status_code == 200  # an eDoc-to-eDoc route needs its partner's address
    assert set(response.context["adminform"].form.errors) == {"base_url"}
    assert "Tuyến liên thông eDoc với eDoc cần thông tin này." in response.content.decode()
