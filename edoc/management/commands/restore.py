"""`python manage.py restore ARCHIVE [--check]`: load a backup onto an empty installation and
verify it (edoc.services.backup)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edoc.services.backup import BackupError, archive_check, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive onto an EMPTY installation (new database, empty file storage), "
        "then verify row counts, the audit chain and every file's SHA-256, and rebuild the search "
        "index. --check only verifies the archive's checksums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="The .tar archive written by manage.py backup.")
        parser.add_argument(
            "--check", action="store_true", help="Only check the archive; change nothing."
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["archive"])
        try:
            if options["check"]:
                manifest = archive_check(path)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{path}: intact (made {manifest['created_at']}, "
                        f"{len(manifest['files'])} files)."
                    )
                )
                return
            report = backup_restore(path)
        except BackupError as exc:
            raise CommandError(str(exc))
        for line in report.after_restore:
            self.stdout.write(line)
        if report.problems:
            raise CommandError(
                "Restored, but the verification found problems:\n  " + "\n  ".join(report.problems),
                returncode=2,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {path} (made {report.manifest['created_at']}): {report.tables} tables "
                f"match the manifest, {report.files} files match their SHA-256, audit chain of "
                f"{report.audit_entries} entries verified. Run `manage.py migrate` if this eDoc "
                "is newer than the backup."
            )
        )
