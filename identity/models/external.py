"""Signing in through an external OpenID Connect identity provider (the province's or the
nation's identity service): which eDoc account an external subject is linked to, and the
per-user sign-in profile (citizen ID used for linking, local password disabled)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInProfile(models.Model):
    """How one user may sign in, set by administrators."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sign_in_profile",
        verbose_name=_("user"),
    )
    citizen_id = models.CharField(
        _("citizen ID"),
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        validators=[RegexValidator(r"^\d{12}$", _("A citizen ID (CCCD) has exactly 12 digits."))],
        help_text=_("Links the account to the identity provider's verified citizen ID claim."),
    )
    password_disabled = models.BooleanField(
        _("password sign-in disabled"),
        default=False,
        help_text=_("The user signs in only through the external identity provider."),
    )

    class Meta:
        verbose_name = _("sign-in profile")
        verbose_name_plural = _("sign-in profiles")

    def __str__(self) -> str:
        return str(self.user)


class ExternalAccount(models.Model):
    """An external provider's subject (issuer + `sub`) linked to one eDoc account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_accounts",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    linked_by = models.CharField(_("linked by claim"), max_length=40)
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("external account")
        verbose_name_plural = _("external accounts")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="identity_external_subject")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.issuer}"
