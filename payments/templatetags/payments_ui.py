"""Template tags of the payments app's panels."""

from __future__ import annotations

from django import template
from django.conf import settings

from onestop import access as onestop_access
from onestop.models import Dossier
from payments import access as payments_access
from payments import selectors, services
from payments.pdf import method_name

register = template.Library()


@register.simple_tag
def dossier_payment(dossier: Dossier) -> dict:
    """{% dossier_payment dossier as pay %}: the dossier's orders, receipts, open order,
    whether its fee can be paid now and the methods to choose from."""
    orders = list(selectors.dossier_orders(dossier)[:10])
    return {
        "orders": orders,
        "latest": orders[0] if orders else None,
        "open": next((order for order in orders if order.is_open), None),
        "receipts": list(selectors.dossier_receipts(dossier)),
        "payable": selectors.dossier_payable(dossier),
        "methods": selectors.payment_methods(),
        "refundable_states": services.REFUNDABLE_STATES,
        "test_providers": settings.EDOC_PAYMENT_TEST_PROVIDERS,
    }


@register.filter
def payment_method(key: str) -> str:
    """A method key as people read it ("pos" → "Thẻ qua máy POS", "vnpay" → its label)."""
    return method_name(key)


@register.filter
def counter_officer(user) -> bool:
    """Whether `user` takes payments at the one-stop counter (has a cash book)."""
    return onestop_access.is_onestop_officer(user)


@register.filter
def payment_refunder(user, agency_id: int | None = None) -> bool:
    """Whether `user` may refund paid orders (of `agency_id`; of their own agency without
    it)."""
    if not getattr(user, "unit_id", None):
        return False
    return payments_access.can_refund(user, agency_id or user.unit.agency_id)


@register.simple_tag
def payment_test_providers() -> bool:
    """{% payment_test_providers as test %}: whether the providers are TEST ones (the demo)."""
    return settings.EDOC_PAYMENT_TEST_PROVIDERS
