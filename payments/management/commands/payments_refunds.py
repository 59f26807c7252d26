"""`manage.py payments_refunds`: settle refunds left waiting for their provider's answer (the
worker died, or the provider did not answer) by asking the provider (Celery beat runs it every
five minutes)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from payments.services import REFUND_GRACE_SECONDS, refunds_resolve


class Command(BaseCommand):
    help = "Ask VNPAY/MoMo about refunds still waiting for their answer; record them."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--grace",
            type=int,
            default=REFUND_GRACE_SECONDS,
            help="only refunds requested at least this many seconds ago",
        )

    def handle(self, *args, **options) -> None:
        counts = refunds_resolve(grace_seconds=options["grace"])
        self.stdout.write(
            f"done: {counts['done']}, failed: {counts['failed']}, pending: {counts['pending']}"
        )
