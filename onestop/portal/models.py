"""What the portal stores itself: one row per notification attempt (e-mail or SMS)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationAttempt(models.Model):
    """One try to tell the citizen about a status change. The recipient is kept masked."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    dossier = models.ForeignKey(
        "onestop.Dossier",
        on_delete=models.CASCADE,
        related_name="notification_attempts",
        verbose_name=_("dossier"),
    )
    event = models.ForeignKey(
        "onestop.DossierEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dossier event"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient (masked)"), max_length=100)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    ok = models.BooleanField(_("sent"))
    error = models.CharField(_("error"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification attempt")
        verbose_name_plural = _("notification attempts")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.recipient} {'ok' if self.ok else 'failed'}"
