"""Document exchange with other agencies (edXML over a transport): routes, the transactional
outbox, received messages (electronic arrivals) and the statuses that came back.

A message is identified by its DocumentId, its sender's code and its business type (a status:
its code); the outbox adds the recipient. The unique constraints make a duplicate delivery
land once."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from connectors.models.delivery import DeliveryLease
from edoc.fields import EncryptedTextField

HTTPS_FIELDS = ("base_url", "our_key_id", "our_secret", "partner_key_id", "partner_secret")


class ExchangeRoute(models.Model):
    """How we exchange documents with one external organisation: the transport, its address,
    the HMAC credentials each side signs with, and the addresses it may call us from. A route
    over the national axis uses the axis settings (`EDOC_AXIS_*`) instead of its own address
    and keys (the messages it fetches are matched to a route by their sender's code).

    The secrets are shared HMAC keys: never logged, never shown back (the admin only replaces
    them)."""

    class Transport(models.TextChoices):
        EDOC_HTTPS = "edoc-https", _("eDoc to eDoc (HTTPS)")
        AXIS = "axis", _("National document-exchange axis (VPCP / LGSP)")

    organization = models.OneToOneField(
        "edoc.ExternalOrganization",
        on_delete=models.PROTECT,
        related_name="exchange_route",
        verbose_name=_("external organisation"),
    )
    transport = models.CharField(
        _("transport"), max_length=20, choices=Transport.choices, default=Transport.EDOC_HTTPS
    )
    # Of an eDoc-to-eDoc route (an axis route leaves them empty: EDOC_AXIS_* serve every one).
    base_url = models.URLField(_("partner's base URL"), max_length=300, blank=True)
    our_key_id = models.CharField(_("our key id"), max_length=100, blank=True)
    our_secret = EncryptedTextField(_("our secret"), blank=True)
    partner_key_id = models.CharField(
        _("partner's key id"), max_length=100, unique=True, null=True, blank=True
    )
    partner_secret = EncryptedTextField(_("partner's secret"), blank=True)
    allowed_ips = models.TextField(
        _("allowed IP addresses"),
        blank=True,
        help_text=_("Addresses or networks the partner calls from, one per line. Empty: none."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("exchange route")
        verbose_name_plural = _("exchange routes")

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_transport_display()})"

    def networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [
            ipaddress.ip_network(line.strip(), strict=False)
            for line in self.allowed_ips.replace(",", "\n").splitlines()
            if line.strip()
        ]

    def allows(self, address: str | None) -> bool:
        """Whether a request from `address` may use this route (an empty list allows none)."""
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in network for network in self.networks())

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            self.networks()
        except ValueError as error:
            errors["allowed_ips"] = str(error)
        if not self.organization_id or not self.organization.code:
            errors["organization"] = _("The organisation needs its electronic identifier first.")
        if self.transport == self.Transport.EDOC_HTTPS:
            errors.update(
                (name, _("An eDoc-to-eDoc route needs this."))
                for name in HTTPS_FIELDS
                if not getattr(self, name)
            )
        if errors:
            raise ValidationError(errors)


class OutboxMessage(DeliveryLease):
    """One edXML message to one recipient, written in the transaction that caused it and
    delivered afterwards (retries with backoff until it is acknowledged)."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("document")
        STATUS = "status", _("status")

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("delivered")
        FAILED = "failed", _("failed")

    route = models.ForeignKey(
        ExchangeRoute,
        on_delete=models.PROTECT,
        related_name="outbox",
        verbose_name=_("exchange route"),
    )
    document = models.ForeignKey(
        "edoc.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchange_outbox",
        verbose_name=_("sent document"),
    )
    kind = models.CharField(_("message kind"), max_length=10, choices=Kind.choices)
    document_key = models.CharField(_("DocumentId"), max_length=300)
    sender_code = models.CharField(_("sender's identifier"), max_length=20)
    business_type = models.CharField(
        _("business type or status code"),
        max_length=4,
        help_text=_("0–3 for a document; the status code for a status."),
    )
    recipient_code = models.CharField(_("recipient's identifier"), max_length=20)
    replaced_document = models.ForeignKey(
        "edoc.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchange_replacements",
        verbose_name=_("replaced document"),
        help_text=_("For a replacement (business type 3): the earlier document it replaces."),
    )
    payload = models.BinaryField(_("edXML message"))
    state = models.CharField(
        _("delivery state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(_("delivery attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    last_error = models.CharField(_("last delivery error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    transport_id = models.CharField(
        _("id on the transport"),
        max_length=100,
        blank=True,
        help_text=_("The national axis's DocId of the message (sendEdoc's answer)."),
    )
    transport_status = models.CharField(
        _("status on the transport"),
        max_length=20,
        blank=True,
        help_text=_(
            "What the recipient's system told the national axis about the message "
            "(getSentEdocList: inbox, done, fail…)."
        ),
    )
    transport_status_description = models.CharField(
        _("transport status description"), max_length=255, blank=True
    )
    transport_status_at = models.DateTimeField(_("transport status read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        constraints = [
            models.UniqueConstraint(
                fields=["document_key", "sender_code", "business_type", "recipient_code"],
                name="connectors_outbox_identity",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.document_key} → {self.recipient_code}"


class StatusEntry(models.Model):
    """A status a recipient sent back about a document we sent (the page's timeline)."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="statuses")
    code = models.CharField(max_length=2)
    description = models.TextField(blank=True)
    timestamp = models.DateTimeField()
    staff = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["timestamp", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "code", "timestamp"], name="connectors_status_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.timestamp:%Y-%m-%d %H:%M}"


class Arrival(models.Model):
    """A document another agency sent us electronically, waiting for the clerk to register
    or refuse it. Its identity is unique: a duplicate delivery is acknowledged, stored once."""

    class State(models.TextChoices):
        ARRIVED = "arrived", _("waiting")
        REGISTERED = "registered", _("registered")
        REFUSED = "refused", _("refused")
        AGREED = "agreed", _("change agreed")

    agency = models.ForeignKey(
        "edoc.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiving agency"),
    )
    route = models.ForeignKey(
        ExchangeRoute,
        on_delete=models.PROTECT,
        related_name="arrivals",
        verbose_name=_("exchange route"),
    )
    document_key = models.CharField(_("DocumentId"), max_length=300)
    sender_code = models.CharField(_("sender's identifier"), max_length=20)
    business_type = models.CharField(_("business type or status code"), max_length=4)
    header = models.JSONField(
        _("message header"), help_text=_("The message as `edxml parse --json` reads it.")
    )
    subject = models.TextField(_("subject"))
    file_name = models.CharField(_("attached file's name"), max_length=255, blank=True)
    file_blob = models.CharField(_("stored file"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("attached file's SHA-256"), max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(_("attached file's size"), default=0)
    signature_count = models.PositiveIntegerField(_("number of signatures"), default=0)
    signatures_valid = models.BooleanField(_("signatures valid"), default=False)
    signature_summary = models.CharField(_("signature check"), max_length=255, blank=True)
    state = models.CharField(
        _("clerk's answer"), max_length=12, choices=State.choices, default=State.ARRIVED
    )
    received_at = models.DateTimeField(_("arrived at"), auto_now_add=True)
    document = models.ForeignKey(
        "edoc.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered document"),
    )
    refusal_reason = models.TextField(_("reason for refusing"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    handled_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    acts_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("document it changes"),
        help_text=_("For an update: the arrival of the document it corrects."),
    )
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced",
        verbose_name=_("replaced by"),
        help_text=_("The agreed replacement (business type 3) of this document."),
    )

    class Meta:
        verbose_name = _("electronic arrival")
        verbose_name_plural = _("electronic arrivals")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_key", "sender_code", "business_type", "agency"],
                name="connectors_arrival_identity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_key} ({self.sender_code})"

    @property
    def is_recall(self) -> bool:
        return self.business_type == "1"

    @property
    def is_change(self) -> bool:
        """A recall (1), update (2) or replace (3): agreed (15) or refused (16), never
        registered as such."""
        return self.business_type in ("1", "2", "3")

    @property
    def is_update(self) -> bool:
        return self.business_type == "2"

    @property
    def is_replace(self) -> bool:
        return self.business_type == "3"

    @property
    def recall_reason(self) -> str:
        """The reason the sender gives for a recall, update or replace (BussinessDocReason)."""
        return (self.header.get("business") or {}).get("reason") or ""

    change_reason = recall_reason

    def replaced_keys(self) -> list[str]:
        """For a replacement: the DocumentIds of the documents it replaces."""
        return [
            item["document_id"]["value"]
            for item in (self.header.get("business") or {}).get("replacements") or []
        ]

    def original(self) -> Arrival | None:
        """The arrival (business type 0) of the document with this DocumentId: for a recall, the
        document it recalls; for an agreed replacement, the new document's own arrival."""
        return Arrival.objects.filter(
            document_key=self.document_key,
            sender_code=self.sender_code,
            agency_id=self.agency_id,
            business_type="0",
        ).first()
