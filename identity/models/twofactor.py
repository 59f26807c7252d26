"""Second-factor records of our own: remembered devices and expiring REST API tokens.

The TOTP and recovery-code devices themselves are django-otp's (otp_totp, otp_static).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RememberedDevice(models.Model):
    """A browser whose user ticked "remember this device": its signed cookie carries the row's
    id and a secret whose SHA-256 is kept here; revoking the row ends it at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="remembered_devices",
        verbose_name=_("user"),
    )
    secret_hash = models.CharField(_("secret (SHA-256)"), max_length=64, unique=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("remembered device")
        verbose_name_plural = _("remembered devices")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.user_agent[:40]}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ApiToken(models.Model):
    """A REST API token ("Authorization: Token <key>"): only the key's SHA-256 is kept; it
    expires, and its owner lists and revokes it on /identity/tokens/."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(_("key (SHA-256)"), max_length=64, unique=True)
    prefix = models.CharField(_("key begins with"), max_length=8)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
