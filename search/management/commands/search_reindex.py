"""python manage.py search_reindex [--backend database|opensearch]: rebuild a search index."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.backends import BACKENDS, BackendUnavailable


class Command(BaseCommand):
    help = "Rebuild the full-text index of every document (progress bar on stderr)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--backend",
            choices=sorted(BACKENDS),
            default=None,
            help="Index to rebuild (default: SEARCH_BACKEND).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--extract",
            action="store_true",
            help="First extract (and OCR) the text of file versions not extracted yet.",
        )

    def handle(self, *args, **options) -> None:
        from search.services import reindex

        name = options["backend"] or settings.SEARCH_BACKEND
        if options["extract"]:
            from edoc.services.text import extract_missing_texts

            extracted = extract_missing_texts(show_progress=not options["no_progress"])
            self.stdout.write(f"Extracted the text of {extracted} file versions.")
        try:
            total = reindex(name, show_progress=not options["no_progress"])
        except BackendUnavailable as exc:
            raise CommandError(f"The {name} search engine is not reachable: {exc}")
        except (ImproperlyConfigured, ImportError) as exc:
            raise CommandError(f"The {name} search backend is not configured: {exc}")
        self.stdout.write(f"Indexed {total} documents in the {name} index.")
