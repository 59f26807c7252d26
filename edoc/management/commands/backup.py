"""`python manage.py backup [--output FILE | --output-dir DIR]`: one archive of the database,
the stored files and the audit chain's head (edoc.services.backup)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edoc.services.backup import BackupError, backup_create, default_archive_name


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format / SQLite online backup), every stored file "
        "and the audit chain's head into one .tar archive with a manifest and SHA256SUMS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="Archive file to write (must not exist).")
        parser.add_argument(
            "--output-dir",
            default=".",
            help="Directory for an archive named edoc-backup-<UTC time>.tar (default: .).",
        )

    def handle(self, *args, **options) -> None:
        output = Path(options["output"] or Path(options["output_dir"]) / default_archive_name())
        try:
            manifest = backup_create(output)
        except BackupError as exc:
            raise CommandError(str(exc))
        rows = sum(manifest["tables"].values())
        audit = manifest["audit"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {output}: {len(manifest['tables'])} tables ({rows} rows), "
                f"{len(manifest['files'])} files, audit chain of {audit.get('length', 0)} entries, "
                f"head {audit.get('head_hash', '')[:16]}…"
            )
        )
