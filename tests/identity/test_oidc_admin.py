"""Administrators register client applications in /admin/ with the scopes each may ask for."""

from __future__ import annotations

import pytest
from oauth2_provider.models import Application

from edoc.models import User
from identity.models import ClientPolicy

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "client_id": "tram-y-te",
        "client_secret": "a-secret-long-enough-for-a-client-of-the-agency",
        "hash_client_secret": "on",
        "name": "Hệ thống trạm y tế",
        "client_type": "confidential",
        "authorization_grant_type": "authorization-code",
        "redirect_uris": "https://tyt.example/callback",
        "post_logout_redirect_uris": "https://tyt.example/",
        "allowed_origins": "",
        "algorithm": "RS256",
        "skip_authorization": "on",
        "edoc_policy-TOTAL_FORMS": "1",
        "edoc_policy-INITIAL_FORMS": "0",
        "edoc_policy-MIN_NUM_FORMS": "1",
        "edoc_policy-MAX_NUM_FORMS": "1",
        "edoc_policy-0-allowed_scopes": ["openid", "profile", "unit"],
    }
    data.update(overrides)
    return data


def test_an_administrator_registers_a_client_with_its_allowed_scopes(client, db):
    admin = User.objects.create_superuser("quantri", password="pw-quantri")
    client.force_login(admin)
    page = client.get("/admin/identity/clientapplication/add/")
    assert page.status_code == 200 and "edoc_policy-0-allowed_scopes" in page.content.decode()
    response = client.post("/admin/identity/clientapplication/add/", _form())
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    application = Application.objects.get(client_id="tram-y-te")
    assert application.skip_authorization
    assert ClientPolicy.objects.get(application=application).allowed_scopes == "openid profile unit"


def test_a_client_without_the_openid_scope_is_refused(client, db):
    admin = User.objects.create_superuser("quantri", password="pw-quantri")
    client.force_login(admin)
    response = client.post(
        "/admin/identity/clientapplication/add/",
        _form(**{"edoc_policy-0-allowed_scopes": ["profile"]}),
    )
    assert response.status_code == 200
    assert "phạm vi openid" in response.content.decode()
    assert not Application.objects.exists()
