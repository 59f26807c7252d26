"""`python manage.py secrets_rotate`: re-encrypt the secrets stored in the database under the
newest key of EDOC_FIELD_ENCRYPTION_KEYS (run after putting a new key first; then the old key
can be removed)."""

from django.core.management.base import BaseCommand, CommandError

from edoc.fields import SecretUnreadable
from edoc.services.secrets import secrets_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every secret stored in the database under the first key of "
        "EDOC_FIELD_ENCRYPTION_KEYS; exit 1, changing nothing, if a stored secret cannot be "
        "decrypted with the configured keys."
    )

    def handle(self, *args, **options) -> None:
        try:
            counts = secrets_rotate()
        except SecretUnreadable as error:
            raise CommandError(str(error), returncode=1) from None
        total = sum(counts.values())
        detail = ", ".join(f"{label}: {rows}" for label, rows in counts.items()) or "none"
        self.stdout.write(self.style.SUCCESS(f"Secrets re-encrypted: {total} rows ({detail})."))
