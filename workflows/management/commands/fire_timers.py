"""`python manage.py fire_timers [--loop SECONDS]`: send due reminders and escalations.

In the embedded mode run it from cron, or with --loop next to the server (`make run` does);
with Redis, Celery beat runs `workflows.tasks.fire_timers_task` every minute instead.
"""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflows.services.processes import fire_timers


class Command(BaseCommand):
    help = "Fire due task reminders and overdue escalations (each fires once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop", type=int, metavar="SECONDS", help="Keep running, checking every N seconds."
        )

    def handle(self, *args, **options) -> None:
        interval = options["loop"]
        if interval is not None and interval < 1:
            raise CommandError("--loop needs a number of seconds ≥ 1.")
        while True:
            fired = fire_timers()
            self.stdout.write(f"{fired} timer(s) fired.")
            if interval is None:
                return
            time.sleep(interval)
