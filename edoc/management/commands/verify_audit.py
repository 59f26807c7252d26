"""`python manage.py verify_audit`: check the audit log's hash chain."""

from django.core.management.base import BaseCommand, CommandError

from edoc.services.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit 1 naming the first bad entry if it was altered."

    def handle(self, *args, **options) -> None:
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"Audit log altered: entry #{result.first_bad_id}: {result.problem} "
                f"({result.checked} entries checked).",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit log intact: {result.checked} entries verified.")
        )
