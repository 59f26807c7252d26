"""`manage.py health_aggregates rebuild`: count the health records' aggregates again from scratch.

The district table, the commune table and the clean-up report of area officers (and the
dashboard's health panel) read aggregates the services keep up to date as they write
(`health.aggregates`). Rebuild them after data was written around the services (a raw COPY, SQL
by hand, a restore of some tables); `check` compares them with a count of the records and exits
with status 1 when they differ."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from health import aggregates


class Command(BaseCommand):
    help = "Rebuild (or check) the aggregates the health reports read."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["rebuild", "check"])

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        if options["action"] == "rebuild":
            count = aggregates.rebuild()
            self.stdout.write(
                f"aggregates rebuilt from {count} records in {time.perf_counter() - started:.1f} s"
            )
            return
        differences = aggregates.differences()
        if differences:
            raise CommandError(
                f"{len(differences)} aggregate rows differ from the records (first: "
                f"{differences[0]}); run `manage.py health_aggregates rebuild`"
            )
        self.stdout.write(
            f"aggregates agree with the records ({time.perf_counter() - started:.1f} s)"
        )
