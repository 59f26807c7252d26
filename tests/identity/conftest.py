"""Fixtures of the OpenID Connect provider's tests: registered client applications and a
relying party (tools/oidc_demo_rp.py) that reads the provider through Django's test client."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import Application

from edoc.models import AuditEntry
from identity.models import ClientPolicy
from tools.oidc_demo_rp import RelyingParty

REDIRECT_URI = "http://rp.example/callback"
EVERY_SCOPE = "openid profile email unit position roles agency"
SECRET = "s3cret-of-the-demo-client-" + "x" * 20


def make_client(
    name: str,
    *,
    internal: bool,
    scopes: str = EVERY_SCOPE,
    public: bool = False,
    redirect_uri: str = REDIRECT_URI,
    post_logout_redirect_uri: str = "http://rp.example/",
) -> Application:
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        post_logout_redirect_uris=post_logout_redirect_uri,
        client_secret="" if public else SECRET,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=internal,
    )
    ClientPolicy.objects.create(application=application, allowed_scopes=scopes)
    return application


@pytest.fixture
def internal_app(db) -> Application:
    """One of the agency's own applications: no consent screen."""
    return make_client("Hệ thống trạm y tế", internal=True)


@pytest.fixture
def external_app(db) -> Application:
    """Someone else's application, allowed only openid and profile: consent is asked."""
    return make_client("Cổng tỉnh", internal=False, scopes="openid profile")


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


@dataclass
class Authorization:
    response: object
    verifier: str
    nonce: str
    state: str

    @property
    def params(self) -> dict[str, str]:
        query = urlsplit(self.response["Location"]).query
        return {key: values[0] for key, values in parse_qs(query).items()}

    @property
    def code(self) -> str:
        return self.params["code"]


def authorize(client, application: Application, **overrides: str) -> Authorization:
    """GET /o/authorize/ as the logged-in test client, with PKCE (S256), state and nonce."""
    verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **overrides,
    }
    params = {key: value for key, value in params.items() if value is not None}
    response = client.get("/o/authorize/?" + urlencode(params))
    return Authorization(response, verifier, params.get("nonce", ""), params.get("state", ""))


def basic_auth(application: Application, secret: str = SECRET) -> str:
    credentials = f"{application.client_id}:{secret}".encode()
    return "Basic " + base64.b64encode(credentials).decode()


def exchange(client, application: Application, code: str, verifier: str, **overrides: str):
    """POST /o/token/ for an authorization code (confidential client: HTTP Basic)."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        **overrides,
    }
    secret = overrides.pop("client_secret", SECRET)
    data.pop("client_secret", None)
    return client.post("/o/token/", data, HTTP_AUTHORIZATION=basic_auth(application, secret))


@pytest.fixture
def relying_party(client):
    """The demo relying party's checks, reading the provider through the test client."""

    def make(application: Application, issuer: str = "http://testserver/o") -> RelyingParty:
        return RelyingParty(
            issuer,
            application.client_id,
            SECRET,
            REDIRECT_URI,
            fetch_json=lambda url: client.get(urlsplit(url).path).json(),
        )

    return make


# Fixtures of the identity tests: second-factor devices and the codes they accept now.
def code_of(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The six digits `device` accepts now (or `steps_ahead` time steps later)."""
    drift = device.drift + steps_ahead
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def enrol(user, codes: tuple[str, ...] = ("aaaa2222", "bbbb3333")) -> TOTPDevice:
    """A confirmed TOTP device and a recovery-code device for `user`, no code used yet."""
    device = TOTPDevice.objects.create(user=user, name="eDoc", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=static, token=code)
    return device


def actions(prefix: str = "identity.") -> list[str]:
    return list(
        AuditEntry.objects.filter(action__startswith=prefix)
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.fixture
def policy(settings):
    """The second-factor policy as in production (the suite runs with it off)."""
    settings.EDOC_2FA_POLICY = True
    return settings


@pytest.fixture
def admin_user(users):
    user = users["clerk"]
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def unthrottle(user) -> None:
    """Lift django-otp's wait after a wrong code (1 s, then 2, 4 …), as time would."""
    for device in TOTPDevice.objects.filter(user=user):
        device.throttle_reset()
    for device in StaticDevice.objects.filter(user=user):
        device.throttle_reset()
