"""`python manage.py extract_metadata FILE.pdf`: print the registration proposal as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from edoc.extraction import PROPOSAL_KEYS, extract_metadata
from edoc.services.files import pdf_validate


class Command(BaseCommand):
    help = (
        "Print the metadata proposed from a PDF (number, notation, issuer, place, date, type, "
        "subject, signer) as JSON; null where a field was not found."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the PDF file.")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            with path.open("rb") as handle:
                pdf = pdf_validate(handle, name=path.name)
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}")
        except IsADirectoryError:
            raise CommandError(f"{path} is a directory, not a PDF file.")
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}")
        except ValidationError as exc:
            raise CommandError(f"{path}: {' '.join(exc.messages)}")
        proposal = extract_metadata(pdf.stream())
        result = {key: proposal.get(key) for key in PROPOSAL_KEYS}
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
