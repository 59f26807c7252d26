"""`manage.py payments_expire`: credit pending orders their provider reports paid, expire the
rest of the open orders past their expiry (Celery beat runs it every five minutes)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from payments.services import orders_expire


class Command(BaseCommand):
    help = "Credit pending payment orders their provider reports paid; expire the others."

    def handle(self, *args, **options) -> None:
        counts = orders_expire()
        self.stdout.write(f"paid: {counts['paid']}, expired: {counts['expired']}")
