"""`python manage.py working_days --from 2026-04-24 --add 3`: print the resulting ISO date."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflows.calendar import add_working_days


def parse_date(value: str, option: str) -> datetime.date:
    """An ISO date (YYYY-MM-DD), or a CommandError naming the option."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a valid date (expected YYYY-MM-DD).")


class Command(BaseCommand):
    help = (
        "Print the date N working days after a date (before it when N is negative), "
        "using the working-day calendar: weekends, public holidays, administrators' changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--add", dest="add", required=True, metavar="N")

    def handle(self, *args: Any, **options: Any) -> None:
        start = parse_date(options["start"], "--from")
        try:
            count = int(options["add"])
        except ValueError:
            raise CommandError(f"--add: {options['add']!r} is not a whole number of days.")
        try:
            result = add_working_days(start, count)
        except ValueError as error:
            raise CommandError(str(error))
        self.stdout.write(result.isoformat())
