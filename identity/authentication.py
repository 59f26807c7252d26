"""DRF authentication by identity's expiring API tokens ("Authorization: Token <key>")."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from identity.services.tokens import api_token_authenticate


class ApiTokenAuthentication(TokenAuthentication):
    """The same header as DRF's TokenAuthentication; the key is looked up by its SHA-256 and
    refused when revoked or expired."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = api_token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return token.user, token
