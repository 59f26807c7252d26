"""Linking an external provider's verified subject to an eDoc account (part 2 of issue 14):
by a verified claim, never by creating an account; the password can be disabled per user."""

from __future__ import annotations

import pytest
from django.urls import reverse

from edoc.models import AuditEntry
from identity import external
from identity.models import ExternalAccount, SignInProfile

pytestmark = pytest.mark.django_db
ISSUER = "https://id.example.gov.vn"


def verified(subject: str = "abc", **claims) -> external.Verified:
    return external.Verified(issuer=ISSUER, subject=subject, claims={"sub": subject, **claims})


def test_a_verified_email_links_the_account_once(users):
    director = users["director"]
    director.email = "giamdoc@syt.dongnai.gov.vn"
    director.save()
    claims = {"email": "GiamDoc@syt.dongnai.gov.vn", "email_verified": True}
    assert external.account_for(verified(**claims)) == director
    link = ExternalAccount.objects.get()
    assert (link.user, link.issuer, link.subject, link.linked_by) == (
        director,
        ISSUER,
        "abc",
        "email",
    )
    assert AuditEntry.objects.filter(action="identity.external_account_linked").count() == 1
    # Afterwards the subject alone finds the account, whatever the e-mail says.
    assert external.account_for(verified(email="other@example.com")) == director
    assert ExternalAccount.objects.count() == 1


@pytest.mark.parametrize(
    "claims",
    [
        {"email": "giamdoc@syt.dongnai.gov.vn"},  # not verified
        {"email": "giamdoc@syt.dongnai.gov.vn", "email_verified": "true"},  # not a boolean
        {"email": "nobody@syt.dongnai.gov.vn", "email_verified": True},
        {},
    ],
)
def test_no_account_is_linked_or_created_without_a_verified_matching_claim(users, claims):
    users["director"].email = "giamdoc@syt.dongnai.gov.vn"
    users["director"].save()
    count = type(users["director"]).objects.count()
    with pytest.raises(external.NotLinked) as refusal:
        external.account_for(verified(**claims))
    assert refusal.value.reason == "no_account"
    assert ExternalAccount.objects.count() == 0
    assert type(users["director"]).objects.count() == count


def test_an_email_shared_by_two_accounts_links_neither(users):
    for name in ("director", "deputy"):
        users[name].email = "lanhdao@syt.dongnai.gov.vn"
        users[name].save()
    with pytest.raises(external.NotLinked):
        external.account_for(verified(email="lanhdao@syt.dongnai.gov.vn", email_verified=True))


def test_a_citizen_id_claim_links_through_the_sign_in_profile(users, settings):
    settings.EDOC_OIDC_LOGIN_LINK_CLAIMS = ["citizen_id"]
    settings.EDOC_OIDC_LOGIN_CITIZEN_ID_CLAIM = "cccd"
    SignInProfile.objects.create(user=users["clerk"], citizen_id="075190001234")
    assert external.account_for(verified(cccd="075190001234")) == users["clerk"]
    assert ExternalAccount.objects.get().linked_by == "citizen_id"
    with pytest.raises(external.NotLinked):
        external.account_for(verified("other", cccd="07519000123"))


def test_a_deactivated_account_is_refused_even_when_linked(users):
    users["clerk"].email = "vanthu@syt.dongnai.gov.vn"
    users["clerk"].save()
    external.account_for(verified(email="vanthu@syt.dongnai.gov.vn", email_verified=True))
    users["clerk"].is_active = False
    users["clerk"].save()
    with pytest.raises(external.NotLinked) as refusal:
        external.account_for(verified())
    assert refusal.value.reason == "inactive"


def test_a_disabled_password_no_longer_signs_in(client, users):
    clerk = users["clerk"]
    clerk.set_password("Mat-khau-dai-12")
    clerk.save()
    form = {"username": "vanthu", "password": "Mat-khau-dai-12"}
    assert client.post(reverse("login"), form).status_code == 302
    client.logout()
    SignInProfile.objects.create(user=clerk, password_disabled=True)
    refused = client.post(reverse("login"), form)
    assert refused.status_code == 200 and "_auth_user_id" not in client.session


def test_the_external_pages_do_not_exist_while_no_provider_is_configured(client, settings):
    settings.EDOC_OIDC_LOGIN_ISSUER = ""
    assert client.get(reverse("identity:external_start")).status_code == 404
    assert client.get(reverse("identity:external_callback")).status_code == 404
    assert b"btn-login-external" not in client.get(reverse("login")).content


def test_a_callback_with_a_forged_state_is_refused_and_audited(client, settings):
    settings.EDOC_OIDC_LOGIN_ISSUER = "http://127.0.0.1:9/unreachable"
    settings.EDOC_OIDC_LOGIN_CLIENT_ID = "edoc"
    settings.EDOC_OIDC_LOGIN_NAME = "VNeID"
    assert "Đăng nhập bằng VNeID" in client.get(reverse("login")).content.decode()
    response = client.get(reverse("identity:external_callback"), {"code": "x", "state": "forged"})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="identity.external_sign_in_refused")
    assert entry.details["reason"] == "oauth_error"


def test_a_callback_with_the_providers_error_is_refused(client, settings):
    settings.EDOC_OIDC_LOGIN_ISSUER = "http://127.0.0.1:9/unreachable"
    settings.EDOC_OIDC_LOGIN_CLIENT_ID = "edoc"
    response = client.get(
        reverse("identity:external_callback"), {"error": "access_denied", "state": "s"}
    )
    assert response.status_code == 400
    assert AuditEntry.objects.get().details["error"] == "access_denied"


def test_an_unreachable_provider_gives_a_clear_page(client, settings):
    settings.EDOC_OIDC_LOGIN_ISSUER = "http://127.0.0.1:9/unreachable"
    settings.EDOC_OIDC_LOGIN_CLIENT_ID = "edoc"
    response = client.get(reverse("identity:external_start"))
    assert response.status_code == 502
    assert 'id="external-refused"' in response.content.decode()
