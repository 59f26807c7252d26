"""Payment orders, the raw log of providers' callbacks, and electronic receipts (biên lai điện
tử) numbered gaplessly per series and year.

Write through `payments.services`, read through `payments.selectors`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def new_receipt_code() -> str:
    """The unguessable code of a receipt's public verification page."""
    return secrets.token_urlsafe(12)


class OrderState(models.TextChoices):
    CREATED = "created", pgettext_lazy("payment order", "Created")
    PENDING = "pending", pgettext_lazy("payment order", "Waiting for the payment")
    PAID = "paid", pgettext_lazy("payment order", "Paid")
    FAILED = "failed", pgettext_lazy("payment order", "Failed")
    EXPIRED = "expired", pgettext_lazy("payment order", "Expired")
    CANCELLED = "cancelled", pgettext_lazy("payment order", "Cancelled")
    REFUNDED = "refunded", pgettext_lazy("payment order", "Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", pgettext_lazy("payment order", "Partially refunded")


OPEN_STATES = (OrderState.CREATED, OrderState.PENDING)
PAID_STATES = (OrderState.PAID, OrderState.REFUNDED, OrderState.PARTIALLY_REFUNDED)


class PaymentOrder(models.Model):
    """One amount to pay for one obligation (a dossier's fee, or another service): at most one
    open order (created or pending) per obligation."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    agency = models.ForeignKey(
        "edoc.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    dossier = models.ForeignKey(
        "onestop.Dossier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dossier"),
    )
    obligation = models.CharField(
        _("obligation"),
        max_length=100,
        help_text=_("What the order pays, e.g. dossier-fee:42; one open order each."),
    )
    purpose = models.CharField(_("purpose"), max_length=255)
    payer_name = models.CharField(_("payer"), max_length=255)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    state = models.CharField(
        _("state"), max_length=20, choices=OrderState.choices, default=OrderState.CREATED
    )
    provider = models.CharField(_("method"), max_length=20, blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collected by"),
    )

    class Meta:
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation"],
                condition=Q(state__in=["created", "pending"]),
                name="payments_one_open_order_per_obligation",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_order_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class PaymentAttempt(models.Model):
    """One start of a payment of an order at a provider, with its own transaction reference
    (VNPAY's `vnp_TxnRef`, MoMo's `orderId`): a provider takes each reference once, so pressing
    "Pay" again gets a new one, and a callback naming any of them reaches the one order."""

    order = models.ForeignKey(
        PaymentOrder, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("order")
    )
    provider = models.CharField(_("provider"), max_length=20)
    reference = models.CharField(_("transaction reference"), max_length=40)
    created_at = models.DateTimeField(_("created at"))
    paid = models.BooleanField(_("paid"), default=False)

    class Meta:
        verbose_name = _("payment attempt")
        verbose_name_plural = _("payment attempts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reference"], name="payments_attempt_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.reference}"


class RefundState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("refund", "Waiting for confirmation")
    DONE = "done", pgettext_lazy("refund", "Refunded")
    FAILED = "failed", pgettext_lazy("refund", "Failed")


class Refund(models.Model):
    """Money given back on a paid order: through the provider's refund API (VNPAY, MoMo), or by
    hand (cash, POS, bank transfer) with the reference of that payment back. A refund through a
    provider is reserved first (pending: its amount counts), then done or failed by the
    provider's answer; pending and done refunds never add up to more than the order's amount."""

    order = models.ForeignKey(
        PaymentOrder, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order")
    )
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    reason = models.CharField(_("reason"), max_length=500)
    method = models.CharField(_("method"), max_length=20)
    reference = models.CharField(_("refund reference"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=RefundState.choices, default=RefundState.DONE
    )
    message = models.CharField(_("provider's answer"), max_length=255, blank=True)
    provider_order_id = models.CharField(
        _("provider's refund order id"),
        max_length=64,
        blank=True,
        help_text=_("MoMo's orderId of the refund, to ask MoMo about it later."),
    )
    settled_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("refunded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("refunded by"),
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_refund_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: -{self.amount}"


class CallbackLog(models.Model):
    """A provider's callback exactly as it arrived, stored before it is processed, with the
    answer it got."""

    provider = models.CharField(_("provider"), max_length=20)
    params = models.JSONField(_("parameters"))
    remote_ip = models.GenericIPAddressField(_("remote address"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    order = models.ForeignKey(
        PaymentOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callbacks",
        verbose_name=_("order"),
    )
    outcome = models.CharField(_("answer code"), max_length=10, blank=True)
    message = models.CharField(_("answer"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("provider callback")
        verbose_name_plural = _("provider callbacks")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.provider} #{self.pk} → {self.outcome}"


class ReceiptCounter(models.Model):
    """The last number given in a receipt series for a year; its row is locked while a number
    is taken, so numbers are gapless."""

    series = models.CharField(_("series"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="payments_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series}/{self.year}: {self.last_number}"


class Receipt(models.Model):
    """The electronic receipt of a paid order."""

    order = models.OneToOneField(
        PaymentOrder, on_delete=models.PROTECT, related_name="receipt", verbose_name=_("order")
    )
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    series = models.CharField(_("series"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    issued_at = models.DateTimeField(_("issued at"))
    payer_name = models.CharField(_("payer"), max_length=255)
    purpose = models.CharField(_("purpose"), max_length=255)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    method = models.CharField(_("method"), max_length=20)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "number"], name="payments_receipt_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The receipt's number as printed: "BLĐT 0000012/2026"."""
        return f"{self.series} {self.number:07d}/{self.year}"


class TransferOutcome(models.TextChoices):
    MATCHED = "matched", _("Matched: the order is paid")
    PARTIAL = "partial", _("Less than the order's amount")
    EXCESS = "excess", _("More than the order's amount")
    UNMATCHED = "unmatched", _("No order found")
    REFUSED = "refused", _("Not credited (see the answer)")


class TransferResolution(models.TextChoices):
    REFUND_ARRANGED = "refund_arranged", _("Refund arranged with the payer")
    MATCHED_BY_HAND = "matched_by_hand", _("Matched by hand to an order")
    OTHER = "other", _("Other (see the note)")


class StatementTransfer(models.Model):
    """A credit line of the agency's bank statement (VietQR transfers), imported once: matched
    to the order it paid, or kept for review."""

    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)
    booked_at = models.DateTimeField(_("booked at"))
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    description = models.CharField(_("description"), max_length=500)
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    order = models.ForeignKey(
        PaymentOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("order"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=TransferOutcome.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=TransferResolution.choices, blank=True
    )
    resolution_note = models.CharField(_("resolution note"), max_length=500, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        verbose_name = _("bank transfer")
        verbose_name_plural = _("bank transfers")
        ordering = ["-booked_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference or self.pk}: {self.amount}"


class ReconciliationCategory(models.TextChoices):
    MATCHED = "matched", _("Matched")
    MISSING_OURS = "missing_ours", _("Missing on our side")
    MISSING_THEIRS = "missing_theirs", _("Missing on the provider's side")
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount mismatch")


class ReconciliationRun(models.Model):
    """One reconciliation of a provider's settlement file for a day against the agency's paid
    orders: the counts per category, and a line per transaction (`lines`)."""

    agency = models.ForeignKey(
        "edoc.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    provider = models.CharField(_("provider"), max_length=20)
    day = models.DateField(_("day"))
    filename = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("reconciled at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reconciled by"),
    )
    matched = models.PositiveIntegerField(_("matched"), default=0)
    missing_ours = models.PositiveIntegerField(_("missing on our side"), default=0)
    missing_theirs = models.PositiveIntegerField(_("missing on the provider's side"), default=0)
    amount_mismatch = models.PositiveIntegerField(_("amount mismatch"), default=0)
    their_total = models.PositiveBigIntegerField(_("provider's total (VND)"), default=0)
    our_total = models.PositiveBigIntegerField(_("our total (VND)"), default=0)
    skipped_rows = models.PositiveIntegerField(_("rows left out"), default=0)

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.provider} {self.day:%d/%m/%Y}"

    @property
    def discrepancies(self) -> int:
        return self.missing_ours + self.missing_theirs + self.amount_mismatch


class ReconciliationLine(models.Model):
    """A transaction of a reconciliation: the provider's view (amount, reference, time) next
    to ours (the order, its amount)."""

    run = models.ForeignKey(
        ReconciliationRun, on_delete=models.CASCADE, related_name="lines", verbose_name=_("run")
    )
    category = models.CharField(
        _("category"), max_length=20, choices=ReconciliationCategory.choices
    )
    order_code = models.CharField(_("order code"), max_length=100)
    order = models.ForeignKey(
        PaymentOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("order"),
    )
    their_amount = models.PositiveBigIntegerField(_("provider's amount"), null=True, blank=True)
    their_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    their_time = models.DateTimeField(_("provider's time"), null=True, blank=True)
    our_amount = models.PositiveBigIntegerField(_("our amount"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("reconciliation line")
        verbose_name_plural = _("reconciliation lines")
        ordering = ["run", "category", "order_code", "pk"]

    def __str__(self) -> str:
        return f"{self.order_code}: {self.category}"
