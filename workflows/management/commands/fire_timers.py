"""`python manage.py fire_timers [--loop SECONDS]`: send due reminders and escalations.

In the embedded mode run it from cron, or with --loop next to the server (`make run` does);
with Redis, Celery beat runs `workflows.tasks.fire_timers_task` every minute instead.
"""

from django.core.management.base import BaseCommand, CommandParser

from edoc.management.looping import add_loop_argument, run_looping
from workflows.services.processes import fire_timers


class Command(BaseCommand):
    help = "Fire due task reminders and overdue escalations (each fires once)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_loop_argument(parser)

    def handle(self, *args, **options) -> None:
        run_looping(options["loop"], lambda: self.stdout.write(f"{fire_timers()} timer(s) fired."))
