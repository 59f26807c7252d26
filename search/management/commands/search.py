"""python manage.py search "QUERY" [--as USERNAME] [--json]: ranked results as the search page
shows them to that user."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edoc.models import User
from edoc.models.organisation import Role
from search.backends import SearchQuery
from search.backends.base import MAX_PAGE_SIZE, SORTS


def default_user() -> User | None:
    """The first superuser, else the first administrator."""
    return (
        User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        or User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    )


class Command(BaseCommand):
    help = "Search documents as a user would on the search page; prints id, symbol, subject, score."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help="What to search for (quotes for phrases).")
        parser.add_argument(
            "--as", dest="username", help="Search as this user (default: first superuser)."
        )
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument("--sort", choices=SORTS, default="relevance")
        parser.add_argument("--limit", type=int, default=20, help="Results (default 20).")

    def handle(self, *args, **options) -> None:
        from search.selectors import result_rows
        from search.services import search_documents

        if options["username"]:
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"Unknown user: {options['username']}")
            if not user.is_active:
                raise CommandError(f"User {user.username} is inactive.")
        else:
            user = default_user()
            if user is None:
                raise CommandError("No superuser or administrator exists; use --as USERNAME.")
        limit = options["limit"]
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise CommandError(f"--limit must be between 1 and {MAX_PAGE_SIZE}.")
        query = SearchQuery(text=options["query"], sort=options["sort"], page_size=limit)
        result = search_documents(user, query)
        rows = result_rows(result, user)
        if result.notice:
            self.stderr.write(result.notice)
        if options["json"]:
            payload = {
                "count": result.total,
                "backend": result.backend,
                "notice": result.notice,
                "user": user.username,
                "results": rows,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
            return
        self.stdout.write(f"{result.total} documents ({result.backend}, as {user.username})")
        for row in rows:
            self.stdout.write(
                f"{row['id']}\t{row['symbol'] or '-'}\t{row['subject'][:100]}\t{row['score']:.4f}"
            )
