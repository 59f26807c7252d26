"""The lease every outbox row carries while a worker delivers it (connectors.delivery)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryLease(models.Model):
    """`claimed_until` and `claim_token`: a worker's claim on the row while it is on the wire."""

    claimed_until = models.DateTimeField(
        _("claimed by a worker until"),
        null=True,
        blank=True,
        help_text=_("A worker is sending it; after this time another worker may try again."),
    )
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True
