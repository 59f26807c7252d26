"""The public-service portal's dossier sync and the Egov licensing sync.

`SyncMessage`: one request to an external system, written in the same transaction as the
change it reports and delivered after the commit (`connectors.portal.outbox`); `key` makes a
push idempotent (the portal: MaHoSo + national status + time of the change).
`PortalDossierLink`: which portal dossier (MaHoSo) a one-stop dossier is.
`LicenceProcedure` / `Licence`: the procedures whose result is a practising licence or
certificate, and the licences their finished dossiers produced (synchronised to Egov).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from connectors.models.delivery import DeliveryLease


class SyncMessage(DeliveryLease):
    class Target(models.TextChoices):
        PORTAL = "portal", _("Public-service portal")
        EGOV = "egov", _("Egov licensing")

    target = models.CharField(_("system"), max_length=10, choices=Target.choices)
    key = models.CharField(_("idempotency key"), max_length=200)
    payload = models.JSONField(_("payload"))
    dossier = models.ForeignKey(
        "onestop.Dossier",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dossier"),
    )
    licence = models.ForeignKey(
        "connectors.Licence",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("licence"),
    )
    status_code = models.PositiveSmallIntegerField(_("national status"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing sync message")
        verbose_name_plural = _("outgoing sync messages")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["target", "key"], name="connectors_sync_key"),
        ]
        indexes = [models.Index(fields=["delivered_at", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.target}:{self.key}"


class PortalDossierLink(models.Model):
    """The portal's dossier code (MaHoSo) of a one-stop dossier pulled from the portal."""

    ma_ho_so = models.CharField(_("portal dossier code"), max_length=60, unique=True)
    dossier = models.OneToOneField(
        "onestop.Dossier",
        on_delete=models.CASCADE,
        related_name="portal_link",
        verbose_name=_("dossier"),
    )
    pulled_at = models.DateTimeField(_("pulled at"), auto_now_add=True)

    class Meta:
        verbose_name = _("portal dossier")
        verbose_name_plural = _("portal dossiers")

    def __str__(self) -> str:
        return self.ma_ho_so


class LicenceProcedure(models.Model):
    """A procedure whose result is a practising licence or certificate (synchronised to Egov)."""

    procedure = models.OneToOneField(
        "onestop.Procedure",
        on_delete=models.CASCADE,
        related_name="licensing",
        verbose_name=_("procedure"),
    )
    licence_type = models.CharField(_("licence type"), max_length=200)
    scope = models.TextField(_("scope of practice"), blank=True)

    class Meta:
        verbose_name = _("licensing procedure")
        verbose_name_plural = _("licensing procedures")

    def __str__(self) -> str:
        return self.licence_type


class Licence(models.Model):
    """A practising licence or certificate a finished dossier produced."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    number = models.CharField(_("licence number"), max_length=100, unique=True)
    licence_type = models.CharField(_("licence type"), max_length=200)
    dossier = models.OneToOneField(
        "onestop.Dossier",
        on_delete=models.PROTECT,
        related_name="licence",
        verbose_name=_("dossier"),
    )
    holder_name = models.CharField(_("holder"), max_length=200)
    citizen_id = models.CharField(_("citizen ID"), max_length=20, blank=True)
    scope = models.TextField(_("scope of practice"), blank=True)
    issued_on = models.DateField(_("issue date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    status_reason = models.TextField(_("reason"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} – {self.holder_name}"
