"""eDoc's OpenID Connect provider on django-oauth-toolkit: claims by scope, per-client allowed
scopes, refused replays of authorization codes, and an audit entry for every grant and refusal.

Scopes and their claims (besides `sub`, the user's id):

    profile   name, family_name, given_name, preferred_username
    email     email, email_verified (addresses are entered by the agency's administrators)
    unit      unit_name, unit_code (the organisation code of the user's unit, "" when none)
    position  position (e.g. "Phó Giám đốc")
    roles     roles (a list of eDoc role codes, e.g. ["director"])
    agency    agency_code (e.g. "000.00.23.H19"), agency_name
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes

from edoc.models import Agency
from edoc.services.audit import audit_record
from identity.models import RedeemedCode
from identity.models.oidc import DEFAULT_ALLOWED_SCOPES

logger = logging.getLogger(__name__)

AUDIT_GRANT = "oidc.token"
AUDIT_CODE = "oidc.code"
AUDIT_REFUSED = "oidc.refused"
AUDIT_CONSENT_DENIED = "oidc.consent_denied"
REDEEMED_CODE_KEPT = timedelta(days=1)


def code_digest(code: str) -> str:
    """The SHA-256 of an authorization code (what RedeemedCode keeps instead of the code)."""
    return hashlib.sha256(code.encode()).hexdigest()


def allowed_scopes(application: Any) -> list[str]:
    """The scopes a client application may request (its ClientPolicy, else the default)."""
    policy = getattr(application, "edoc_policy", None) if application is not None else None
    try:
        return policy.scopes if policy is not None else DEFAULT_ALLOWED_SCOPES.split()
    except AttributeError:
        return DEFAULT_ALLOWED_SCOPES.split()


def audit_refusal(reason: str, request: Any, **details: Any) -> None:
    """One "oidc.refused" entry: why, for which client, at which step (never a secret)."""
    user = getattr(request, "user", None)
    audit_record(
        actor=user if getattr(user, "pk", None) else None,
        action=AUDIT_REFUSED,
        details={
            "reason": reason,
            "client_id": (getattr(request, "client_id", None) or "")[:100],
            "grant_type": getattr(request, "grant_type", None) or "",
            "response_type": getattr(request, "response_type", None) or "",
            **details,
        },
    )


class ClientScopes(SettingsScopes):
    """The scopes of settings.OAUTH2_PROVIDER["SCOPES"], narrowed to what each client may ask."""

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        every = super().get_available_scopes(application, request, *args, **kwargs)
        if application is None:
            return every
        allowed = set(allowed_scopes(application))
        return [scope for scope in every if scope in allowed]

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        defaults = super().get_default_scopes(application, request, *args, **kwargs)
        available = set(self.get_available_scopes(application, request))
        return [scope for scope in defaults if scope in available]


def _agency(user: Any) -> Agency | None:
    if user.unit_id:
        return user.unit.agency
    return Agency.objects.filter(code=settings.EDOC_AGENCY_CODE).first()


def _claim(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A claim computed from the oauthlib request's user."""
    return lambda request: function(request.user)


class EdocOAuth2Validator(OAuth2Validator):
    """DOT's validator with eDoc's claims, replay protection and audit entries."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "unit_name": "unit",
        "unit_code": "unit",
        "position": "position",
        "roles": "roles",
        "agency_code": "agency",
        "agency_name": "agency",
    }

    # --- Claims (request-agnostic form: the discovery document lists them in claims_supported).

    def get_additional_claims(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "name": _claim(lambda user: user.get_full_name() or user.username),
            "family_name": _claim(lambda user: user.last_name),
            "given_name": _claim(lambda user: user.first_name),
            "preferred_username": _claim(lambda user: user.username),
            "email": _claim(lambda user: user.email),
            "email_verified": _claim(lambda user: bool(user.email)),
            "unit_name": _claim(lambda user: user.unit.name if user.unit_id else ""),
            "unit_code": _claim(lambda user: user.unit.code if user.unit_id else ""),
            "position": _claim(lambda user: user.position),
            "roles": _claim(lambda user: [user.role]),
            "agency_code": _claim(lambda user: getattr(_agency(user), "code", "")),
            "agency_name": _claim(lambda user: getattr(_agency(user), "name", "")),
        }

    # --- Refusals, each audited.

    def validate_client_id(self, client_id, request, *args, **kwargs):
        if super().validate_client_id(client_id, request, *args, **kwargs):
            return True
        audit_refusal("unknown_client", request)
        return False

    def authenticate_client(self, request, *args, **kwargs):
        if super().authenticate_client(request, *args, **kwargs):
            return True
        audit_refusal("client_authentication_failed", request)
        return False

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        if super().authenticate_client_id(client_id, request, *args, **kwargs):
            return True
        audit_refusal("unknown_client", request)
        return False

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        if super().validate_redirect_uri(client_id, redirect_uri, request, *args, **kwargs):
            return True
        audit_refusal("redirect_uri_not_registered", request, redirect_uri=redirect_uri[:255])
        return False

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, *args, **kwargs):
        if super().confirm_redirect_uri(client_id, code, redirect_uri, client, *args, **kwargs):
            return True
        request = kwargs.get("request") or (args[0] if args else None)
        audit_refusal("redirect_uri_mismatch", request, redirect_uri=(redirect_uri or "")[:255])
        return False

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        if super().validate_scopes(client_id, scopes, client, request, *args, **kwargs):
            return True
        audit_refusal("scope_not_allowed", request, scopes=" ".join(scopes)[:255])
        return False

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        if super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs):
            return True
        audit_refusal("grant_type_not_allowed", request)
        return False

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        if super().validate_response_type(
            client_id, response_type, client, request, *args, **kwargs
        ):
            return True
        audit_refusal("response_type_not_allowed", request)
        return False

    def is_pkce_required(self, client_id, request):
        required = super().is_pkce_required(client_id, request)
        if required and request.response_type and not request.code_challenge:
            audit_refusal("pkce_challenge_missing", request)
        return required

    def get_code_challenge(self, code, request):
        """The stored challenge; a missing or wrong `code_verifier` is audited here (oauthlib
        refuses it next with invalid_request / invalid_grant)."""
        challenge = super().get_code_challenge(code, request)
        if challenge is not None:
            verifier = request.code_verifier
            if verifier is None:
                audit_refusal("pkce_verifier_missing", request)
            elif not _s256_matches(verifier, challenge):
                audit_refusal("pkce_mismatch", request)
        return challenge

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        if super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return True
        audit_refusal("refresh_token_invalid", request)
        return False

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        """A live code passes; an expired or unknown one is refused; one already exchanged is
        refused and the tokens it gave are revoked (RFC 6749 §4.1.2)."""
        if super().validate_code(client_id, code, client, request, *args, **kwargs):
            return True
        redeemed = RedeemedCode.objects.filter(code_digest=code_digest(code), application=client)
        redeemed = redeemed.first()
        if redeemed is None:
            expired = get_grant_model().objects.filter(code=code, application=client).exists()
            audit_refusal("code_expired" if expired else "code_invalid", request)
            return False
        with transaction.atomic():
            _revoke_tokens_of(redeemed)
            redeemed.replayed_at = timezone.now()
            redeemed.save(update_fields=["replayed_at"])
            audit_refusal(
                "code_replayed",
                request,
                tokens_revoked=True,
                user_id=redeemed.user_id,
                redeemed_at=redeemed.redeemed_at.isoformat(),
            )
        return False

    # --- What was issued: remembered for replay detection and audited.

    def _create_access_token(self, expires, request, token, source_refresh_token=None):
        access_token = super()._create_access_token(expires, request, token, source_refresh_token)
        request.edoc_access_token_id = access_token.pk
        return access_token

    def _create_refresh_token(self, request, refresh_token_code, access_token, previous):
        refresh_token = super()._create_refresh_token(
            request, refresh_token_code, access_token, previous
        )
        request.edoc_token_family = refresh_token.token_family
        return refresh_token

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        super().invalidate_authorization_code(client_id, code, request, *args, **kwargs)
        RedeemedCode.objects.filter(redeemed_at__lt=timezone.now() - REDEEMED_CODE_KEPT).delete()
        RedeemedCode.objects.create(
            code_digest=code_digest(code),
            application=request.client,
            user=request.user if getattr(request.user, "pk", None) else None,
            token_family=getattr(request, "edoc_token_family", None),
            access_token_id=getattr(request, "edoc_access_token_id", None),
        )

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
        audit_record(
            actor=request.user,
            action=AUDIT_CODE,
            target=request.client,
            details={
                "client_id": client_id,
                "scopes": " ".join(request.scopes),
                "consent": "skipped" if request.client.skip_authorization else "given",
            },
        )


def _s256_matches(verifier: str, challenge: str) -> bool:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=") == challenge


def _revoke_tokens_of(redeemed: RedeemedCode) -> None:
    """Revoke the refresh tokens (the whole rotation family), the access token and its ID token
    a redeemed code gave."""
    refresh_tokens = get_refresh_token_model()
    access_tokens = get_access_token_model()
    id_token_ids = list(
        access_tokens.objects.filter(pk=redeemed.access_token_id)
        .exclude(id_token=None)
        .values_list("id_token_id", flat=True)
    )
    refresh_tokens.revoke_family(redeemed.token_family)
    access_tokens.objects.filter(pk=redeemed.access_token_id).delete()
    get_id_token_model().objects.filter(pk__in=id_token_ids).delete()


def audit_token_granted(sender: Any, request: Any, token: Any, **kwargs: Any) -> None:
    """Receiver of DOT's app_authorized: one "oidc.token" entry per token issued."""
    audit_record(
        actor=token.user,
        action=AUDIT_GRANT,
        target=token.application,
        details={
            "client_id": token.application.client_id,
            "grant_type": request.POST.get("grant_type", ""),
            "scopes": token.scope,
            "id_token": token.id_token_id is not None,
        },
    )
