"""`python manage.py holidays --year 2027 [--json]`: the year's days off with their names."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflows.calendar import MAX_YEAR, MIN_YEAR, holidays


class Command(BaseCommand):
    help = (
        "List the days off of a year other than ordinary weekends (public holidays, Tết, "
        "compensatory and bridge days), one per line as YYYY-MM-DD<TAB>name, or as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", required=True, metavar="YYYY")
        parser.add_argument(
            "--json",
            action="store_true",
            help='Print a JSON list of {"date": "YYYY-MM-DD", "name": "..."} objects.',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            year = int(options["year"])
        except ValueError:
            raise CommandError(f"--year: {options['year']!r} is not a year.")
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CommandError(f"--year: the calendar covers {MIN_YEAR} to {MAX_YEAR}, not {year}.")
        rows = holidays(year)
        if options["json"]:
            payload = [{"date": day.isoformat(), "name": name} for day, name in rows]
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for day, name in rows:
            self.stdout.write(f"{day.isoformat()}\t{name}")
