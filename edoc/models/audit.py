"""Append-only, hash-chained audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One sensitive action: who, when, what, from where. Each entry hashes the previous one.

    Rows are never updated or deleted; database triggers refuse it (see migration 0002).
    """

    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(_("user"), max_length=150, blank=True)
    on_behalf_of_username = models.CharField(_("on behalf of"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=50, db_index=True)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object id"), max_length=50, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("hash of the previous entry"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"


class AuditChainHead(models.Model):
    """A single row holding the chain's last hash; updating it serialises appends."""

    last_hash = models.CharField(max_length=64)
    length = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.length} entries, last {self.last_hash[:12]}…"


class AuditAnchor(models.Model):
    """The chain's head at one moment, signed with a key the database does not hold.

    `sequence` entries were in the chain, the last one `entry_id` with `head_hash`. `proofs`
    maps the kind of each proof ("timestamp": an RFC 3161 token of the configured timestamp
    authority; "seal": a CMS signature with the organisation key on its token) to its data:
    `token` (base64 DER) and what it says (time, signer). Each proof covers
    `edoc.services.audit_anchors.anchor_message(sequence, head_hash)`. Rows are never updated
    or deleted (database triggers, as for the log itself).
    """

    created_at = models.DateTimeField(_("time"))
    sequence = models.PositiveBigIntegerField(_("entries anchored"), db_index=True)
    entry_id = models.BigIntegerField(_("last entry"))
    head_hash = models.CharField(_("hash of the last entry"), max_length=64)
    proofs = models.JSONField(_("proofs"), default=dict)

    class Meta:
        verbose_name = _("audit anchor")
        verbose_name_plural = _("audit anchors")
        ordering = ["sequence", "pk"]

    def __str__(self) -> str:
        kinds = ", ".join(sorted(self.proofs))
        return f"#{self.pk} {self.created_at:%Y-%m-%d %H:%M:%S} → {self.sequence} ({kinds})"
