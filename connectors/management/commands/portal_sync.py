"""manage.py portal_sync: deliver the outbox's due messages to the portal and to Egov."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from connectors.portal.outbox import deliver_due


class Command(BaseCommand):
    help = (
        "Deliver the undelivered dossier-status and licence messages whose next attempt is "
        "due (cron, the embedded mode). Exit 1 when some could not be delivered."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Try every undelivered message, due or not."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = deliver_due(ignore_backoff=options["now"])
        self.stdout.write(
            f"delivered {result.delivered}, failed {result.failed}, waiting {result.waiting}, "
            f"postponed {result.postponed}"
        )
        if result.failed or result.postponed:
            raise SystemExit(1)
