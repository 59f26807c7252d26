"""Admin of the payments app, read-only: orders, their attempts at providers, the raw log of
providers' callbacks, receipts, refunds (every change goes through payments.services, audited)."""

from __future__ import annotations

from django.contrib import admin

from payments.models import CallbackLog, PaymentAttempt, PaymentOrder, Receipt, Refund


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyAdmin):
    list_display = ["code", "purpose", "amount", "state", "provider", "created_at", "paid_at"]
    list_filter = ["state", "provider"]
    search_fields = ["code", "provider_reference", "payer_name", "dossier__code"]


@admin.register(CallbackLog)
class CallbackLogAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "order", "outcome", "message", "remote_ip"]
    list_filter = ["provider", "outcome"]
    search_fields = ["order__code"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "issued_at", "payer_name", "amount", "method"]
    list_filter = ["series", "year", "method"]
    search_fields = ["payer_name", "order__code", "provider_reference"]


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(ReadOnlyAdmin):
    list_display = ["reference", "provider", "order", "created_at", "paid"]
    list_filter = ["provider", "paid"]
    search_fields = ["reference", "order__code"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["order", "amount", "method", "reference", "reason", "created_by", "created_at"]
    list_filter = ["method"]
    search_fields = ["order__code", "reference"]
