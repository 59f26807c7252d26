"""Signing in through an external OpenID Connect provider: /identity/external/…"""

from __future__ import annotations

import logging

import requests
from authlib.integrations.base_client import OAuthError
from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from joserfc.errors import JoseError

from edoc.services.audit import audit_record
from identity import external

logger = logging.getLogger(__name__)
NEXT_KEY = "identity_external_next"


def _safe_next(request: HttpRequest, target: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else resolve_url(settings.LOGIN_REDIRECT_URL)


@require_GET
def external_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the external provider (state, nonce and PKCE kept in the session)."""
    if not external.enabled():
        raise Http404
    request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next", ""))
    callback = request.build_absolute_uri(reverse("identity:external_callback"))
    try:
        return external.client().authorize_redirect(request, callback)
    except (OAuthError, requests.RequestException, ValueError) as error:
        logger.warning("external identity provider unreachable: %s", type(error).__name__)
        return _refused(request, "provider_unreachable", {"error": type(error).__name__}, 502)


@require_GET
def external_callback(request: HttpRequest) -> HttpResponse:
    """The provider's answer: validate it, find the linked account and sign it in."""
    if not external.enabled():
        raise Http404
    client = external.client()
    try:
        token = client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise OAuthError(error="invalid_token", description="no ID token")
        metadata = client.load_server_metadata()
        if metadata.get("userinfo_endpoint"):
            more = client.userinfo(token=token)
            if more.get("sub") != claims["sub"]:  # OIDC Core 5.3.4
                raise OAuthError(error="invalid_token", description="userinfo sub differs")
            claims = {**more, **claims}
    except OAuthError as error:
        return _refused(request, "oauth_error", {"error": error.error or "invalid_request"})
    except JoseError as error:
        return _refused(request, "invalid_id_token", {"error": error.error})
    except (requests.RequestException, ValueError, KeyError) as error:
        return _refused(request, "provider_error", {"error": type(error).__name__}, 502)
    verified = external.Verified(
        issuer=claims.get("iss") or metadata.get("issuer", ""), subject=claims["sub"], claims=claims
    )
    try:
        user = external.account_for(verified)
    except external.NotLinked as refusal:
        details = {"issuer": verified.issuer, "subject": verified.subject}
        external.refusal_audit(refusal.reason, details)
        message = external.not_linked_message()
        return render(request, "identity/external_refused.html", {"message": message}, status=403)
    login(request, user, backend="identity.backends.PasswordBackend")
    request.session["identity_external_issuer"] = verified.issuer
    audit_record(
        actor=user,
        action="identity.external_sign_in",
        target=user,
        details={"issuer": verified.issuer},
    )
    return redirect(_safe_next(request, request.session.pop(NEXT_KEY, "")))


def _refused(request: HttpRequest, reason: str, details: dict, status: int = 400) -> HttpResponse:
    external.refusal_audit(reason, details)
    message = _("Signing in through %(provider)s did not succeed. Please try again.") % {
        "provider": external.provider_name()
    }
    return render(request, "identity/external_refused.html", {"message": message}, status=status)
