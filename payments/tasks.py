"""Celery tasks of the payments app."""

from __future__ import annotations

from celery import shared_task

from payments.services import orders_expire, refunds_resolve


@shared_task(name="payments.expire_orders", ignore_result=True)
def expire_orders_task() -> dict[str, int]:
    """Beat's sweep of open orders past their expiry (`payments.services.orders_expire`)."""
    return orders_expire()


@shared_task(name="payments.resolve_refunds", ignore_result=True)
def resolve_refunds_task() -> dict[str, int]:
    """Beat's sweep of refunds waiting for their provider's answer
    (`payments.services.refunds_resolve`)."""
    return refunds_resolve()
