"""manage.py portal_pull: bring the portal's new online dossiers into onestop."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from connectors.portal.client import ConnectorError
from connectors.portal.pull import portal_pull


class Command(BaseCommand):
    help = (
        "Pull the online dossiers submitted on the provincial portal into one-stop (a dossier "
        "already pulled is skipped). Exit 1 when some were refused, 2 when the portal cannot "
        "be asked."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = portal_pull()
        except ConnectorError as error:
            raise CommandError(str(error), returncode=2) from error
        for code in result.created:
            self.stdout.write(f"created {code}")
        for code, reason in result.refused.items():
            self.stderr.write(f"refused {code}: {reason}")
        self.stdout.write(
            f"created {len(result.created)}, already pulled {len(result.skipped)}, "
            f"refused {len(result.refused)}"
        )
        if result.refused:
            raise SystemExit(1)
