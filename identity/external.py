"""Signing in through an external OpenID Connect provider (VNeID, the province's identity
service, or another eDoc's provider).

The protocol work — discovery, the authorization request with `state`, `nonce` and a PKCE
S256 challenge kept in the session, the code exchange, and the ID token's validation (signature
against the provider's JWKS, `iss`, `aud`, `exp`, `iat`, `nonce`) — is Authlib's. This module
decides which eDoc account the verified subject is: one already linked (issuer + `sub`), or one
found by a verified claim and linked now. Accounts are never created here: an unknown person is
told to ask an administrator, and the refusal is audited.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edoc.models import User
from edoc.services.audit import audit_record
from identity.models import ExternalAccount, SignInProfile

CLIENT_NAME = "external"


def enabled() -> bool:
    """Whether an external provider is configured."""
    return bool(settings.EDOC_OIDC_LOGIN_ISSUER and settings.EDOC_OIDC_LOGIN_CLIENT_ID)


def provider_name() -> str:
    """The provider's name on the login button."""
    return settings.EDOC_OIDC_LOGIN_NAME or _("the identity provider")


@lru_cache(maxsize=4)
def _client(issuer: str, client_id: str, secret: str, scopes: str):
    oauth = OAuth()
    return oauth.register(
        name=CLIENT_NAME,
        client_id=client_id,
        client_secret=secret or None,
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": scopes,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_post" if secret else "none",
        },
    )


def client():
    """The Authlib client for the configured provider."""
    return _client(
        settings.EDOC_OIDC_LOGIN_ISSUER,
        settings.EDOC_OIDC_LOGIN_CLIENT_ID,
        settings.EDOC_OIDC_LOGIN_CLIENT_SECRET,
        settings.EDOC_OIDC_LOGIN_SCOPES,
    )


class NotLinked(Exception):
    """The verified subject matches no usable eDoc account (`reason`: "no_account", "inactive")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Verified:
    """What the provider vouched for, from a validated ID token (and userinfo)."""

    issuer: str
    subject: str
    claims: dict[str, Any]


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


def _by_claim(claims: dict[str, Any]) -> tuple[User | None, str]:
    """The one active user a verified claim names, and the claim's name ("" if none)."""
    for claim in settings.EDOC_OIDC_LOGIN_LINK_CLAIMS:
        if claim == "email":
            email = _nfc(claims.get("email"))
            if not email or claims.get("email_verified") is not True:
                continue
            users = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
        elif claim == "citizen_id":
            number = _nfc(claims.get(settings.EDOC_OIDC_LOGIN_CITIZEN_ID_CLAIM))
            if len(number) != 12 or not number.isdigit():
                continue
            profiles = SignInProfile.objects.filter(citizen_id=number, user__is_active=True)
            users = [profile.user for profile in profiles.select_related("user")[:2]]
        else:
            continue
        if len(users) == 1:
            return users[0], claim
    return None, ""


@transaction.atomic
def account_for(verified: Verified) -> User:
    """The eDoc account of a verified subject, linking it on first use by a verified claim.

    Raises NotLinked when no single active account matches (the caller audits the refusal:
    this transaction is rolled back)."""
    link = (
        ExternalAccount.objects.select_for_update()
        .select_related("user")
        .filter(issuer=verified.issuer, subject=verified.subject)
        .first()
    )
    if link is not None:
        if not link.user.is_active:
            raise NotLinked("inactive")
        link.last_used_at = timezone.now()
        link.save(update_fields=["last_used_at"])
        return link.user
    user, claim = _by_claim(verified.claims)
    if user is None:
        raise NotLinked("no_account")
    link = ExternalAccount.objects.create(
        user=user,
        issuer=verified.issuer,
        subject=verified.subject,
        linked_by=claim,
        last_used_at=timezone.now(),
    )
    audit_record(
        actor=user,
        action="identity.external_account_linked",
        target=link,
        details={"issuer": verified.issuer, "subject": verified.subject, "claim": claim},
    )
    return user


def refusal_audit(reason: str, details: dict[str, Any] | None = None) -> None:
    """Audit a refused external sign-in (a protocol error or an unlinked subject)."""
    audit_record(
        actor=None,
        action="identity.external_sign_in_refused",
        details={"reason": reason, **(details or {})},
    )


def not_linked_message() -> str:
    """What a person whose external account matches no eDoc account is told."""
    return _(
        "Your account at %(provider)s is not linked to an eDoc account. Ask the agency's "
        "administrator to record your e-mail address or citizen ID on your account."
    ) % {"provider": provider_name()}
