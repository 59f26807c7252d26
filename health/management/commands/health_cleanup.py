"""`manage.py health_cleanup [--all] [ID …]`: look for duplicate health records and check them.

Without arguments, the records not yet checked by the validation sweep; with ids, those
records; with `--all`, every active record (a full sweep: duplicates within each commune and
birth year, and every validation check). Confident pairs are merged automatically (with
provenance, undoable on /health/duplicates/), doubtful ones wait in the review queue."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from health import cleanup
from health.models import Person


class Command(BaseCommand):
    help = "Find duplicate health records (merging confident pairs) and run the validation checks."

    def add_arguments(self, parser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="person ids (default: unchecked)")
        parser.add_argument("--all", action="store_true", help="every active record")

    def handle(self, *args, **options) -> None:
        ids = options["ids"]
        if options["all"] and ids:
            raise CommandError("give either --all or person ids, not both")
        if options["all"]:
            detection = cleanup.sweep()
            checked = cleanup.check_people()
        else:
            if not ids:
                ids = list(
                    Person.objects.filter(
                        merged_into__isnull=True, cleanup_check__isnull=True
                    ).values_list("pk", flat=True)
                )
            detection = cleanup.find_duplicates(ids)
            checked = cleanup.check_people(ids)
        self.stdout.write(
            f"pairs compared: {detection.compared}, proposed: {detection.proposed}, "
            f"merged automatically: {detection.merged}; records checked: {checked.checked}, "
            f"issues opened: {checked.opened}, fixed: {checked.fixed}"
        )
