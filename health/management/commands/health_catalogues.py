"""`manage.py health_catalogues load [--source units|icd10|vaccines|all] [--provinces dong-nai|all]
[--icd10 FILE --icd10-edition NAME] [--vaccines FILE --vaccines-edition NAME]`: load the health
catalogues (idempotent: a second load of the same edition changes nothing)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from health import aggregates, catalogues, services

SOURCES = ("units", "icd10", "vaccines", "all")


class Command(BaseCommand):
    help = "Load the health catalogues: administrative units, ICD-10, vaccines."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["load"])
        parser.add_argument("--source", choices=SOURCES, default="all")
        parser.add_argument("--provinces", choices=["dong-nai", "all"], default="dong-nai")
        parser.add_argument("--icd10", type=Path, default=catalogues.ICD10_FILE)
        parser.add_argument("--icd10-edition", default=catalogues.ICD10_EDITION)
        parser.add_argument("--vaccines", type=Path, default=catalogues.VACCINES_FILE)
        parser.add_argument("--vaccines-edition", default=catalogues.VACCINES_EDITION)

    def handle(self, *args, **options) -> None:
        source = options["source"]
        try:
            if source in ("units", "all"):
                for edition, result in catalogues.load_admin_units(
                    provinces=options["provinces"]
                ).items():
                    self._report(f"administrative units {edition}", result)
                placed = services.place_refresh()
                self.stdout.write(f"records placed in the 2025 communes: {placed}")
                if placed:  # set-based: the aggregates per place are counted again
                    aggregates.rebuild()
            if source in ("icd10", "all"):
                result = catalogues.load_icd10(options["icd10"], options["icd10_edition"])
                self._report("ICD-10", result)
                self._report("ICD-10 codes of WHO's list", catalogues.load_icd10_who())
            if source in ("vaccines", "all"):
                result = catalogues.load_vaccines(options["vaccines"], options["vaccines_edition"])
                self._report("vaccines", result)
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"catalogue not loaded: {error}") from error

    def _report(self, name: str, result: catalogues.LoadResult) -> None:
        self.stdout.write(f"{name}: {result.created} created, {result.updated} updated")
