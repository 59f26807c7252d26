"""`python manage.py seed_demo`: the Đồng Nai demo agency, its units, users, catalogs and documents
(edoc/demo/), then the other apps' demo data (`edoc.hooks.demo_commands`).

Idempotent: organisation data is created only where missing (existing rows are never changed),
and documents are created once, on a database whose agency has none yet.
"""

from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from edoc.demo.documents import seed_documents
from edoc.demo.organisation import AGENCY_NAME, demo_logins, seed_organisation
from edoc.hooks import demo_commands
from edoc.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Load the Đồng Nai demo: agency, unit tree, users (password demo12345), fields, "
        "external organisations and about 200 documents. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--count", type=int, default=200, help="Number of documents (default 200)."
        )
        parser.add_argument("--seed", type=int, default=2023, help="Random seed (default 2023).")
        parser.add_argument(
            "--fast", action="store_true", help="Only 40 documents (for quick checks)."
        )
        parser.add_argument(
            "--organisation-only",
            action="store_true",
            help="Only the agency, units, users, fields and external organisations: no "
            "documents, nor the other apps' demo data (processes, procedures, signing keys).",
        )
        parser.add_argument(
            "--agency-name",
            default=AGENCY_NAME,
            help=f"The agency's name (default {AGENCY_NAME}); its code is EDOC_AGENCY_CODE.",
        )
        parser.add_argument(
            "--agency-short-name", default="SYT", help="Its abbreviation (default SYT)."
        )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        count = 40 if options["fast"] else max(0, options["count"])
        if options["organisation_only"]:
            count = 0
        audit_before = AuditEntry.objects.count()
        org = seed_organisation(options["agency_name"], options["agency_short_name"])
        self.stdout.write(org.summary())
        if count:
            seeder = seed_documents(org, count=count, seed=options["seed"])
            lines = seeder.summary() if seeder else ["Documents: already seeded, nothing to do."]
            for line in lines:
                self.stdout.write(line)

        # The other apps' demo data (edoc.hooks): the search index rebuilt once (backdating
        # above bypasses the save signals), processes, one-stop procedures, signers' test keys.
        for command in [] if options["organisation_only"] else demo_commands():
            call_command(command.name, *command.args, stdout=self.stdout, **command.options)
        self.stdout.write(
            f"Audit entries written: {AuditEntry.objects.count() - audit_before}. "
            f"Took {time.monotonic() - started:.1f} s."
        )
        self.stdout.write("")
        for line in demo_logins(org):
            self.stdout.write(line)
