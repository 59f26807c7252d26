"""The OpenID Connect provider's records beside django-oauth-toolkit's own (oauth2_provider)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

DEFAULT_ALLOWED_SCOPES = "openid profile email"


class ClientApplication(Application):
    """DOT's Application as administrators see it in /admin/ (under "Identity and sign-in")."""

    class Meta:
        proxy = True
        verbose_name = _("client application")
        verbose_name_plural = _("client applications")


class ClientPolicy(models.Model):
    """What one registered client application may ask for (beside DOT's Application: name,
    redirect URIs, confidential or public, skip_authorization for the agency's own apps)."""

    application = models.OneToOneField(
        "oauth2_provider.Application",
        on_delete=models.CASCADE,
        related_name="edoc_policy",
        verbose_name=_("application"),
    )
    allowed_scopes = models.CharField(
        _("allowed scopes"),
        max_length=255,
        default=DEFAULT_ALLOWED_SCOPES,
        help_text=_("The scopes this application may request; others are refused."),
    )

    class Meta:
        verbose_name = _("client application policy")
        verbose_name_plural = _("client application policies")

    def __str__(self) -> str:
        return f"{self.application}: {self.allowed_scopes}"

    @property
    def scopes(self) -> list[str]:
        return self.allowed_scopes.split()


class RedeemedCode(models.Model):
    """An authorization code already exchanged, and the tokens it gave: presented again, the
    code is refused and those tokens are revoked (RFC 6749 §4.1.2). Only the code's SHA-256 is
    kept; rows older than a day are removed as new codes are redeemed."""

    code_digest = models.CharField(_("code digest"), max_length=64, unique=True)
    application = models.ForeignKey(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    token_family = models.UUIDField(_("refresh token family"), null=True)
    access_token_id = models.BigIntegerField(_("access token"), null=True)
    redeemed_at = models.DateTimeField(_("redeemed at"), auto_now_add=True, db_index=True)
    replayed_at = models.DateTimeField(_("replayed at"), null=True)

    class Meta:
        verbose_name = _("redeemed authorization code")
        verbose_name_plural = _("redeemed authorization codes")

    def __str__(self) -> str:
        return f"{self.code_digest[:12]}… ({self.application_id})"
