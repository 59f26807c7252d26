"""`manage.py identity_keys ensure|rotate|prune|list`: the OpenID Connect signing keys."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from jwcrypto import jwk

from identity import keys


def _kid(pem: str) -> str:
    return jwk.JWK.from_pem(pem.encode()).thumbprint()


class Command(BaseCommand):
    help = (
        "The OpenID Connect provider's signing keys in EDOC_OIDC_KEY_DIR: ensure (write one "
        "when there is none), rotate (retire the current key, still published, and write a new "
        "one), prune --days N (remove keys retired more than N days ago), list. Restart the "
        "server after a change."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["ensure", "rotate", "prune", "list"])
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="prune: remove keys retired more than this many days ago (at least the ID "
            "token lifetime: tokens they signed must stay verifiable).",
        )

    def handle(self, *args: Any, action: str, days: int | None, **options: Any) -> None:
        directory = settings.EDOC_OIDC_KEY_DIR
        if action == "ensure":
            written = keys.ensure(directory)
            self.stdout.write(
                f"New signing key written to {directory / keys.CURRENT}."
                if written
                else f"A signing key exists: {directory / keys.CURRENT}."
            )
        elif action == "rotate":
            retired = keys.rotate(directory)
            if retired:
                self.stdout.write(f"Previous key retired to {retired} (still published).")
            self.stdout.write(f"New signing key written to {directory / keys.CURRENT}.")
            self.stdout.write("Restart the server to sign with it.")
        elif action == "prune":
            if days is None or days < 1:
                raise CommandError("prune needs --days N (N ≥ 1).")
            minimum = settings.OAUTH2_PROVIDER["ID_TOKEN_EXPIRE_SECONDS"] / 86400
            if days < minimum:
                raise CommandError(f"--days must be at least the ID token lifetime ({minimum:g}).")
            removed = keys.prune(directory, older_than=datetime.timedelta(days=days))
            self.stdout.write(f"{len(removed)} retired key(s) removed.")
        else:
            found = keys.read_signing_keys(directory)
            if found.current:
                self.stdout.write(f"current  {_kid(found.current)}")
            for path, pem in zip(keys.retired_files(directory), found.retired, strict=True):
                self.stdout.write(f"retired  {_kid(pem)}  {path.name}")
