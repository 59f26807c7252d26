"""`python manage.py verify_audit`: check the audit log's hash chain and its anchors."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from edoc.services.audit import audit_verify


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain and every anchor of it (the head signed outside the "
        "database); exit 1 naming the first altered entry if it was altered."
    )

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
        if result.last_anchor is None:
            self.stdout.write(
                self.style.WARNING(
                    "No anchor yet: the chain alone does not resist someone who can write to "
                    "the database (run anchor_audit, or Celery beat)."
                )
            )
            return
        when = timezone.localtime(result.last_anchor.created_at)
        self.stdout.write(
            f"Anchors: {result.anchors} checked, the last of {when:%Y-%m-%d %H:%M:%S} "
            f"({', '.join(sorted(result.last_anchor.proofs))}); "
            f"{result.unanchored} entries since then not anchored yet."
        )
