"""`python manage.py connectors_deliver [--loop SECONDS]`: deliver the outbox's due messages.

With Celery beat the sweep `connectors.deliver_due` runs every minute; in the embedded mode run
this from cron or with --loop next to the server."""

from django.core.management.base import BaseCommand, CommandParser

from connectors.exchange.outbox import deliver_due
from edoc.management.looping import add_loop_argument, run_looping


class Command(BaseCommand):
    help = "Deliver the pending exchange messages whose next attempt is due."

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_argument(parser)

    def handle(self, *args, **options) -> None:
        run_looping(options["loop"], self.deliver_once)

    def deliver_once(self) -> None:
        counts = deliver_due()
        self.stdout.write(
            f"{counts.get('sent', 0)} sent, {counts.get('pending', 0)} to retry, "
            f"{counts.get('failed', 0)} given up."
        )
