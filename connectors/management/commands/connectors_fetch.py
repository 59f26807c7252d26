"""`python manage.py connectors_fetch [--loop SECONDS]`: fetch what waits for us on the
national document-exchange axis (routes with the transport "axis"), as `connectors.
fetch_received` does from Celery beat.

Prints one line a run: how many messages were fetched and what became of them. Exit 0 when
every listed message was taken (arrived, status recorded, duplicate acknowledged, or refused);
1 when the axis could not be reached or refused our request, or messages were left for the
next run (the reason on stderr). With `--verbosity 2` a second line tells what the recipients'
systems told the axis about the documents we sent (getSentEdocList): the changes read, by new
status, and those that could not be read."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from connectors.exchange.fetch import fetch_received
from connectors.exchange.transports.base import DeliveryError
from edoc.management.looping import add_loop_argument, run_looping


class Command(BaseCommand):
    help = "Fetch the messages waiting for us on the national document-exchange axis."
    verbosity = 1

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_argument(parser)

    def handle(self, *args, **options) -> None:
        looping = options["loop"] is not None
        self.verbosity = options["verbosity"]

        def step() -> None:
            try:
                self.fetch_once()
            except CommandError as error:
                if not looping:
                    raise
                self.stderr.write(str(error))  # the next turn tries again

        run_looping(options["loop"], step)

    def fetch_once(self) -> None:
        try:
            result = fetch_received()
        except DeliveryError as error:
            raise CommandError(f"connectors_fetch: {error}") from None
        counts = result.counts
        self.stdout.write(
            f"{result.fetched} fetched: {counts.get('arrived', 0)} arrived, "
            f"{counts.get('status_recorded', 0)} statuses recorded, "
            f"{counts.get('duplicate', 0)} duplicates acknowledged, "
            f"{counts.get('refused', 0)} refused."
        )
        if self.verbosity >= 2:
            changes = ", ".join(
                f"{n} {status}" for status, n in sorted(result.sent_statuses.items())
            )
            self.stdout.write(
                f"sent documents' axis status: {changes or 'no change'}"
                + (
                    f"; not read: {'; '.join(result.sent_unread)[:500]}"
                    if result.sent_unread
                    else ""
                )
            )
        if result.left:
            raise CommandError(
                f"connectors_fetch: {len(result.left)} left for the next run: "
                + "; ".join(result.left)[:1000]
            )
