"""`python manage.py anchor_audit`: anchor the audit chain's head now (what Celery beat does
every EDOC_AUDIT_ANCHOR_SECONDS)."""

from django.core.management.base import BaseCommand, CommandError

from edoc.services.audit_anchors import AnchorUnavailable, audit_anchor_create


class Command(BaseCommand):
    help = (
        "Sign the audit chain's head with the timestamp authority and/or the organisation seal "
        "and store the anchor; exit 1 when no anchor could be made."
    )

    def handle(self, *args, **options) -> None:
        try:
            anchor = audit_anchor_create()
        except AnchorUnavailable as error:
            raise CommandError(str(error), returncode=1)
        if anchor is None:
            self.stdout.write("Nothing new to anchor: the chain's head is already anchored.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Anchor #{anchor.pk}: {anchor.sequence} entries (last #{anchor.entry_id}, "
                f"head {anchor.head_hash[:16]}…) signed by {', '.join(sorted(anchor.proofs))}."
            )
        )
