"""eDoc as an OpenID Connect provider (issue 14, part 1): discovery per OpenID Connect
Discovery 1.0 §3, ID tokens per OpenID Connect Core §3.1.3.7 (checked by the demo relying
party's validator), claims by scope, refresh tokens, consent, RP-initiated logout — and every
bad input refused with the standard error, audited, no token issued."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings
from joserfc import jwt
from joserfc.jwk import RSAKey
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from edoc.models import AuditEntry
from identity.oidc import AUDIT_CODE, AUDIT_CONSENT_DENIED, AUDIT_GRANT, AUDIT_REFUSED
from tests.identity.conftest import (
    REDIRECT_URI,
    authorize,
    basic_auth,
    exchange,
    make_client,
)
from tools.oidc_demo_rp import LoginRefused, at_hash

pytestmark = pytest.mark.django_db


def refusals(reason: str) -> list[AuditEntry]:
    return [
        entry
        for entry in AuditEntry.objects.filter(action=AUDIT_REFUSED)
        if entry.details.get("reason") == reason
    ]


def sign_in(client, users, application, scope="openid profile"):
    """The director signs in at eDoc, the app gets a code and exchanges it."""
    client.force_login(users["director"])
    authorization = authorize(client, application, scope=scope)
    assert authorization.response.status_code == 302, authorization.response.content[:500]
    response = exchange(client, application, authorization.code, authorization.verifier)
    assert response.status_code == 200, response.content
    return authorization, response.json()


# --- Discovery (OpenID Connect Discovery 1.0 §3) and JWKS.

REQUIRED_METADATA = [
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
]


def test_discovery_document_has_the_required_fields(client):
    metadata = client.get("/o/.well-known/openid-configuration").json()
    for field in REQUIRED_METADATA:
        assert metadata.get(field), field
    assert metadata["issuer"] == "http://testserver/o"
    # §3: the issuer has no query or fragment; endpoints are under it.
    for endpoint in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert metadata[endpoint].startswith("http://testserver/o/"), endpoint
    assert "RS256" in metadata["id_token_signing_alg_values_supported"]  # §3: MUST include RS256
    assert metadata["response_types_supported"] == ["code"]  # only the code flow
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert set(metadata["subject_types_supported"]) <= {"public", "pairwise"}
    assert {"openid", "profile", "email", "unit", "position", "roles", "agency"} <= set(
        metadata["scopes_supported"]
    )
    assert {"sub", "name", "email", "unit_code", "position", "roles", "agency_code"} <= set(
        metadata["claims_supported"]
    )
    assert metadata["end_session_endpoint"] == "http://testserver/o/logout/"
    # RFC 8414: the same issuer's metadata at the site's root, path-component form.
    root = client.get("/.well-known/oauth-authorization-server/o").json()
    assert root["issuer"] == "http://testserver/o"


def test_jwks_publishes_the_signing_key(client):
    keys = client.get("/o/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["use"] == "sig"
    assert "d" not in keys[0]  # the public half only


def test_the_issuer_comes_from_the_environment_and_from_the_proxy(client, users, internal_app):
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        metadata = client.get(
            "/o/.well-known/openid-configuration",
            HTTP_X_FORWARDED_PROTO="https",
            HTTP_HOST="testserver",
        ).json()
        assert metadata["issuer"] == "https://testserver/o"
        assert metadata["token_endpoint"] == "https://testserver/o/token/"
    from django.conf import settings

    configured = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": "https://sso.soyte.example/o"}
    with override_settings(OAUTH2_PROVIDER=configured):
        metadata = client.get("/o/.well-known/openid-configuration").json()
        assert metadata["issuer"] == "https://sso.soyte.example/o"
        assert metadata["authorization_endpoint"] == "https://sso.soyte.example/o/authorize/"
        _authorization, tokens = sign_in(client, users, internal_app)
        claims = jwt.decode(tokens["id_token"], _jwks_key(client)).claims
        assert claims["iss"] == "https://sso.soyte.example/o"


def _jwks_key(client):
    return RSAKey.import_key(client.get("/o/.well-known/jwks.json").json()["keys"][0])


# --- The code flow, ID token validation (OIDC Core §3.1.3.7) and claims by scope.


def test_code_flow_gives_a_valid_id_token_with_the_claims_of_the_scopes(
    client, users, units, internal_app, relying_party
):
    units["board"].code = "000.01.23.H19"
    units["board"].save()
    scope = "openid profile unit position roles agency"
    authorization, tokens = sign_in(client, users, internal_app, scope=scope)
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    claims = relying_party(internal_app).validate_id_token(
        tokens["id_token"], authorization.nonce, tokens["access_token"]
    )
    director = users["director"]
    assert claims["iss"] == "http://testserver/o"
    assert claims["aud"] == internal_app.client_id
    assert claims["sub"] == str(director.pk)
    assert claims["nonce"] == authorization.nonce
    assert claims["at_hash"] == at_hash(tokens["access_token"])
    assert claims["iat"] <= time.time() < claims["exp"]
    assert claims["name"] == "Trần Văn Hùng"
    assert claims["unit_name"] == "Ban Giám đốc Sở" and claims["unit_code"] == "000.01.23.H19"
    assert claims["position"] == "Giám đốc"
    assert claims["roles"] == ["director"]
    assert claims["agency_code"] == "000.00.23.H19" and claims["agency_name"] == "Sở Y tế Đồng Nai"
    assert "email" not in claims  # not asked for
    userinfo = client.get(
        "/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}"
    ).json()
    assert userinfo["sub"] == str(director.pk) and userinfo["unit_name"] == "Ban Giám đốc Sở"
    assert "email" not in userinfo
    # The grant and the code are audited, with the consent skipped for the agency's own app.
    code_entry = AuditEntry.objects.get(action=AUDIT_CODE)
    assert code_entry.actor == director and code_entry.details["consent"] == "skipped"
    grant_entry = AuditEntry.objects.get(action=AUDIT_GRANT)
    assert grant_entry.details["grant_type"] == "authorization_code"
    assert grant_entry.details["client_id"] == internal_app.client_id


def test_email_scope_gives_the_email(client, users, internal_app, relying_party):
    users["director"].email = "hung.tv@soyte.example"
    users["director"].save()
    authorization, tokens = sign_in(client, users, internal_app, scope="openid email")
    claims = relying_party(internal_app).validate_id_token(
        tokens["id_token"], authorization.nonce, tokens["access_token"]
    )
    assert claims["email"] == "hung.tv@soyte.example" and claims["email_verified"] is True
    assert "name" not in claims and "unit_name" not in claims


def test_refresh_token_gives_new_tokens_and_the_old_one_is_refused(client, users, internal_app):
    _authorization, tokens = sign_in(client, users, internal_app)
    refreshed = client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        HTTP_AUTHORIZATION=basic_auth(internal_app),
    )
    assert refreshed.status_code == 200, refreshed.content
    assert refreshed.json()["access_token"] != tokens["access_token"]
    again = client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        HTTP_AUTHORIZATION=basic_auth(internal_app),
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert refusals("refresh_token_invalid")
    # Reuse of a rotated refresh token revokes the whole family (RFC 9700 §4.14.2).
    assert not RefreshToken.objects.filter(revoked__isnull=True).exists()


# --- Consent: skipped for the agency's own apps, asked (in Vietnamese) of the others.


def test_consent_is_asked_of_other_apps_in_vietnamese_and_a_refusal_is_audited(
    client, users, external_app
):
    client.force_login(users["director"])
    page = authorize(client, external_app)
    assert page.response.status_code == 200
    html = page.response.content.decode()
    assert "yêu cầu dùng tài khoản eDoc của bạn" in html and "Cổng tỉnh" in html
    assert "Cho phép" in html and "Từ chối" in html
    form = {k: v for k, v in page.response.context["form"].initial.items() if v is not None}
    denied = client.post("/o/authorize/", {**form, "scope": "openid profile"})
    assert denied.status_code == 302 and "error=access_denied" in denied["Location"]
    assert AuditEntry.objects.filter(action=AUDIT_CONSENT_DENIED).count() == 1
    allowed = client.post("/o/authorize/", {**form, "scope": "openid profile", "allow": "1"})
    assert allowed.status_code == 302 and "code=" in allowed["Location"]
    assert AuditEntry.objects.get(action=AUDIT_CODE).details["consent"] == "given"


def test_a_scope_the_client_may_not_ask_for_is_refused(client, users, external_app):
    client.force_login(users["director"])
    authorization = authorize(client, external_app, scope="openid profile roles")
    assert authorization.response.status_code == 302
    assert authorization.params["error"] == "invalid_scope"
    assert refusals("scope_not_allowed")
    assert not Grant.objects.exists()


# --- Bad input: each refused with the standard error, audited, nothing issued.


def test_a_redirect_uri_not_registered_is_refused_without_redirecting(client, users, internal_app):
    client.force_login(users["director"])
    authorization = authorize(client, internal_app, redirect_uri="https://evil.example/cb")
    response = authorization.response
    assert response.status_code == 400  # never redirected to an unregistered address
    assert "invalid_request" in response.content.decode() or "mismatch" in response.content.decode()
    assert "evil.example" not in response.get("Location", "")
    assert refusals("redirect_uri_not_registered")
    assert not Grant.objects.exists()


def test_pkce_is_required_and_plain_is_refused(client, users, internal_app):
    client.force_login(users["director"])
    missing = authorize(client, internal_app, code_challenge=None, code_challenge_method=None)
    assert missing.params["error"] == "invalid_request"
    assert refusals("pkce_challenge_missing")
    plain = authorize(client, internal_app, code_challenge="x" * 50, code_challenge_method="plain")
    assert plain.params["error"] == "invalid_request"
    assert not Grant.objects.exists()


def test_a_wrong_pkce_verifier_is_refused(client, users, internal_app):
    client.force_login(users["director"])
    authorization = authorize(client, internal_app)
    response = exchange(client, internal_app, authorization.code, "wrong-" + "v" * 50)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert refusals("pkce_mismatch")
    assert not AccessToken.objects.exists()
    assert not AuditEntry.objects.filter(action=AUDIT_GRANT).exists()


def test_a_replayed_code_is_refused_and_its_tokens_are_revoked(client, users, internal_app):
    authorization, tokens = sign_in(client, users, internal_app)
    bearer = f"Bearer {tokens['access_token']}"
    assert client.get("/o/userinfo/", HTTP_AUTHORIZATION=bearer).status_code == 200
    replay = exchange(client, internal_app, authorization.code, authorization.verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    [entry] = refusals("code_replayed")
    assert entry.details["tokens_revoked"] is True
    # RFC 6749 §4.1.2: the tokens the code gave no longer work.
    assert client.get("/o/userinfo/", HTTP_AUTHORIZATION=bearer).status_code == 401
    refreshed = client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        HTTP_AUTHORIZATION=basic_auth(internal_app),
    )
    assert refreshed.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()


def test_a_bad_client_secret_is_refused(client, users, internal_app):
    client.force_login(users["director"])
    authorization = authorize(client, internal_app)
    response = exchange(
        client, internal_app, authorization.code, authorization.verifier, client_secret="nope"
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert refusals("client_authentication_failed")
    assert not AccessToken.objects.exists()


def test_an_unknown_client_is_refused(client, users, db):
    client.force_login(users["director"])
    ghost = make_client("x", internal=True)
    ghost_id = ghost.client_id
    ghost.delete()
    ghost.client_id = ghost_id
    response = authorize(client, ghost).response
    assert response.status_code == 400
    assert refusals("unknown_client")


# --- The relying party's checks (tools/oidc_demo_rp.py): forged, expired, wrong nonce/state.


def _claims_of(client, tokens):
    return jwt.decode(tokens["id_token"], _jwks_key(client)).claims


def test_the_relying_party_refuses_forged_expired_and_mismatched_id_tokens(
    client, users, internal_app, relying_party
):
    authorization, tokens = sign_in(client, users, internal_app)
    rp = relying_party(internal_app)
    claims = _claims_of(client, tokens)
    kid = _jwks_key(client).kid
    header = {"alg": "RS256", "kid": kid}
    forger = RSAKey.generate_key(2048)
    forged = jwt.encode(header, {**claims, "name": "Kẻ mạo danh"}, forger)
    expired_claims = {**claims, "exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}
    cases = {
        "forged signature": (forged, authorization.nonce),
        "nonce mismatch": (tokens["id_token"], "another-nonce"),
        "tampered payload": (_tamper(tokens["id_token"]), authorization.nonce),
        "expired": (jwt.encode(header, expired_claims, forger), authorization.nonce),
        "unsigned": (_unsigned(claims), authorization.nonce),
    }
    for case, (token, nonce) in cases.items():
        with pytest.raises(LoginRefused) as refused:
            rp.validate_id_token(token, nonce)
        assert refused.value.error == "invalid_id_token", case
    with pytest.raises(LoginRefused):  # at_hash of another access token
        rp.validate_id_token(tokens["id_token"], authorization.nonce, "another-access-token")
    other_app = make_client("Ứng dụng khác", internal=True)
    with pytest.raises(LoginRefused):  # aud is another client
        relying_party(other_app).validate_id_token(tokens["id_token"], authorization.nonce)


def _tamper(token: str) -> str:
    import base64
    import json

    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "1"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


def _unsigned(claims: dict) -> str:
    import base64
    import json

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}."


def test_the_relying_party_refuses_a_wrong_state_before_any_token_request(
    client, users, internal_app, relying_party
):
    rp = relying_party(internal_app)
    client.force_login(users["director"])
    authorization = authorize(client, internal_app)
    with pytest.raises(LoginRefused) as refused:
        rp.complete(f"{REDIRECT_URI}?code={authorization.code}&state=not-the-one")
    assert refused.value.error == "invalid_state"
    assert not AccessToken.objects.exists()
    with pytest.raises(LoginRefused) as refused:
        rp.complete(f"{REDIRECT_URI}?error=access_denied&state=x")
    assert refused.value.error == "access_denied"


# --- RP-initiated logout.


def test_rp_initiated_logout_ends_the_eDoc_session(client, users, internal_app):
    _authorization, tokens = sign_in(client, users, internal_app)
    query = {
        "id_token_hint": tokens["id_token"],
        "client_id": internal_app.client_id,
        "post_logout_redirect_uri": "http://rp.example/",
        "state": "s1",
    }
    page = client.get("/o/logout/", query)
    assert page.status_code == 200 and "đăng xuất" in page.content.decode().lower()
    form = {key: value for key, value in page.context["form"].initial.items() if value is not None}
    response = client.post("/o/logout/", {**form, "allow": "1"})
    assert response.status_code == 302 and response["Location"].startswith("http://rp.example/")
    assert "_auth_user_id" not in client.session
    assert not AccessToken.objects.exists()  # OIDC_RP_INITIATED_LOGOUT_DELETE_TOKENS


# --- Content-Security-Policy: the forms that end at a relying party may reach it.


def test_form_action_admits_only_a_registered_relying_party(client, users, internal_app):
    from urllib.parse import urlencode

    def login_policy(redirect_uri: str) -> str:
        query = {"client_id": internal_app.client_id, "redirect_uri": redirect_uri}
        next_url = "/o/authorize/?" + urlencode(query)
        response = client.get("/accounts/login/", {"next": next_url})
        return response["Content-Security-Policy"]

    assert "form-action 'self' http://rp.example" in login_policy(REDIRECT_URI)
    assert "evil.example" not in login_policy("https://evil.example/callback")
    assert "form-action 'self';" in login_policy("https://evil.example/callback") + ";"
    client.force_login(users["director"])
    consent = authorize(client, make_client("Khác", internal=False)).response
    assert "form-action 'self' http://rp.example" in consent["Content-Security-Policy"]


def test_the_code_response_names_its_issuer_and_the_relying_party_checks_it(
    client, users, internal_app, relying_party
):
    client.force_login(users["director"])
    authorization = authorize(client, internal_app)
    assert authorization.params["iss"] == "http://testserver/o"  # RFC 9207
    rp = relying_party(internal_app)
    with pytest.raises(LoginRefused) as refused:
        rp.complete(f"{REDIRECT_URI}?code=x&state=y&iss=https%3A%2F%2Fother.example")
    assert refused.value.error == "invalid_issuer"
