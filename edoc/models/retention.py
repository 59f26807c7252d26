"""Retention periods per document type (Circular 10/2022/TT-BNV) and the approved destruction of
documents past theirs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .catalogs import DocumentType
from .documents import Document


class RetentionRule(models.Model):
    """How long documents of one type are kept, counted in whole years from the year of the
    document (the year its work ended): `years` empty is permanent (vĩnh viễn), and a permanent
    record is due for transfer to the historical archive (nộp lưu lịch sử)
    `transfer_after_years` after that year. Administrators edit the seeded rows."""

    document_type = models.OneToOneField(
        DocumentType,
        on_delete=models.CASCADE,
        related_name="retention_rule",
        verbose_name=_("document type"),
    )
    years = models.PositiveSmallIntegerField(
        _("retention period (years)"),
        null=True,
        blank=True,
        help_text=_("Empty: kept permanently."),
    )
    transfer_after_years = models.PositiveSmallIntegerField(
        _("transfer to the historical archive after (years)"),
        null=True,
        blank=True,
        help_text=_("For permanent records only."),
    )
    basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["document_type__sort_order", "document_type__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(years__isnull=True)
                | models.Q(transfer_after_years__isnull=True),
                name="transfer_only_for_permanent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_type}: {self.period_display}"

    @property
    def is_permanent(self) -> bool:
        return self.years is None

    @property
    def period_display(self) -> str:
        if self.years is None:
            return str(_("Permanent"))
        return str(_("%(years)s years")) % {"years": self.years}


class DestructionRequest(models.Model):
    """A list of documents past their retention period proposed for destruction: requested by
    a records clerk, approved (or rejected) by the agency's director, then executed. Executing
    removes the documents' files and extracted text and leaves each document's registration
    entry as a tombstone (`destroyed_at`); the audit log keeps every entry."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        EXECUTED = "executed", _("Destroyed")

    agency = models.ForeignKey(
        "edoc.Agency",
        on_delete=models.PROTECT,
        related_name="destruction_requests",
        verbose_name=_("agency"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    reason = models.TextField(_("reason"))
    documents = models.ManyToManyField(
        Document, related_name="destruction_requests", verbose_name=_("documents")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("destroyed by"),
    )
    executed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("destruction request")
        verbose_name_plural = _("destruction requests")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class DocumentTombstone(models.Model):
    """What is left of a destroyed document besides its registration entry: when, by whom and
    under which approved request it was destroyed, and the SHA-256 of each file removed."""

    document = models.OneToOneField(
        Document,
        on_delete=models.PROTECT,
        related_name="tombstone",
        primary_key=True,
        verbose_name=_("document"),
    )
    request = models.ForeignKey(
        DestructionRequest,
        on_delete=models.PROTECT,
        related_name="tombstones",
        verbose_name=_("destruction request"),
    )
    destroyed_at = models.DateTimeField(_("destroyed at"))
    file_hashes = models.JSONField(_("SHA-256 of the removed files"), default=list)

    class Meta:
        verbose_name = _("destroyed document")
        verbose_name_plural = _("destroyed documents")

    def __str__(self) -> str:
        return f"{self.document_id} ({self.destroyed_at:%Y-%m-%d})"
