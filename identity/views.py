"""The OpenID Connect provider's pages that eDoc adjusts (the rest are DOT's own views)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from oauth2_provider import views as oauth2_views

from edoc.services.audit import audit_record
from identity.oidc import AUDIT_CONSENT_DENIED


class AuthorizationView(oauth2_views.AuthorizationView):
    """DOT's authorization endpoint; a user refusing the consent screen is audited."""

    def form_valid(self, form: Any) -> HttpResponse:
        if not form.cleaned_data.get("allow"):
            audit_record(
                actor=self.request.user,
                action=AUDIT_CONSENT_DENIED,
                details={
                    "client_id": form.cleaned_data.get("client_id", "")[:100],
                    "scopes": form.cleaned_data.get("scope", "")[:255],
                },
            )
        return super().form_valid(form)
