"""Guarding accounts: the hashes of a user's last passwords and their signed-in sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PasswordHistory(models.Model):
    """One password a user has had (its hash, never the password), newest first; the
    password policy refuses the last EDOC_PASSWORD_HISTORY of them, and the newest one's
    time is when the current password was set (its age, for the optional expiry)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_history",
        verbose_name=_("user account"),
    )
    password = models.CharField(_("password hash"), max_length=256)
    created_at = models.DateTimeField(_("set at"), db_index=True)

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("password history")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """A signed-in session of a user (kept beside Django's session store, whichever it is):
    the device and address it signed in from and when it was last used."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="signed_in_sessions",
        verbose_name=_("user account"),
    )
    session_key = models.CharField(_("session key"), max_length=64, unique=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed in at"))
    last_seen_at = models.DateTimeField(_("last used at"), db_index=True)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.ip_address or ''} {self.created_at:%Y-%m-%d %H:%M}"
