"""manage.py dashboard_report [--email] [--output FILE] [--today YYYY-MM-DD]: last week's
dashboard PDF, e-mailed to the board (what the weekly Celery beat task does) or written out."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dashboard.reports import weekly_report, weekly_report_send


class Command(BaseCommand):
    help = "Last week's operations dashboard as a PDF: e-mail it to the board or write it out."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", action="store_true", help="E-mail it to the board.")
        parser.add_argument("--output", help="Write the PDF to this file.")
        parser.add_argument(
            "--today", help="Count the seven days before this date (YYYY-MM-DD; default today)."
        )

    def handle(self, *args, **options) -> None:
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today: not a date (YYYY-MM-DD): {options['today']!r}")
        if not options["email"] and not options["output"]:
            raise CommandError("Say what to do with the report: --email and/or --output FILE.")
        if options["output"]:
            report = weekly_report(today)
            if report is None:
                raise CommandError("No director or deputy director: nobody's dashboard to print.")
            Path(options["output"]).write_bytes(report.pdf)
            self.stdout.write(f"Wrote {options['output']} ({len(report.pdf)} bytes).")
        if options["email"]:
            sent = weekly_report_send(today)
            if sent is None:
                raise CommandError(
                    "Nobody to send it to: no director or deputy director with an e-mail "
                    "address, and EDOC_DASHBOARD_REPORT_RECIPIENTS is empty."
                )
            self.stdout.write(
                f"Sent the dashboard of {sent.range.date_from:%d/%m/%Y}–"
                f"{sent.range.date_to:%d/%m/%Y} to {len(sent.recipients)} recipient(s)."
            )
