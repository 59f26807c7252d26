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


class SatisfactionRating(models.Model):
    """The citizen's answer to "How satisfied are you with the handling of this dossier?"
    (1–5), asked once on the tracking page after the result was returned. One per dossier;
    nothing about the citizen is stored with it."""

    dossier = models.OneToOneField(
        "onestop.Dossier",
        on_delete=models.CASCADE,
        related_name="satisfaction",
        verbose_name=_("dossier"),
    )
    score = models.PositiveSmallIntegerField(_("satisfaction (1–5)"))
    rated_at = models.DateTimeField(_("rated at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="portal_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.score}/5"
